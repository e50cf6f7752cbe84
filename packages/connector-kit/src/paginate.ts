/**
 * Page iterators that keep the next request in flight while the caller writes the current page,
 * so a sync costs max(fetch, write) per page rather than their sum.
 */

export interface NumberedPagesOptions<P> {
  /** The first page number to ask for. */
  first: number;
  /** True when `page` (number `n`) is the last one. */
  isLast: (page: P, n: number) => boolean;
  /** Stop after this many pages (guards against upstreams that never end). */
  maxPages?: number;
  /** Ask for page n+1 before page n is handed out. Default true. */
  prefetch?: boolean;
}

export async function* numberedPages<P>(
  fetchPage: (n: number) => Promise<P>,
  options: NumberedPagesOptions<P>,
): AsyncGenerator<{ page: P; n: number }> {
  const last = options.first + (options.maxPages ?? Number.MAX_SAFE_INTEGER) - 1;
  let n = options.first;
  let pending: Promise<P> | undefined = fetchPage(n);
  try {
    while (pending !== undefined) {
      const page = await pending;
      pending = undefined;
      const done = options.isLast(page, n) || n >= last;
      if (!done && options.prefetch !== false) {
        pending = fetchPage(n + 1);
        pending.catch(() => {}); // surfaced when awaited; silenced if the caller stops early
      }
      yield { page, n };
      if (done) return;
      n += 1;
      pending ??= fetchPage(n);
    }
  } finally {
    pending?.catch(() => {});
  }
}

/** Follows absolute `next` links (DRF style) as the upstream gives them, with one page of lookahead. */
export async function* linkedPages<P>(
  fetchUrl: (url: string) => Promise<P>,
  firstUrl: string,
  nextOf: (page: P) => string | null | undefined,
  options: { maxPages?: number } = {},
): AsyncGenerator<{ page: P; n: number; url: string }> {
  let url: string | null | undefined = firstUrl;
  let pending: Promise<P> | undefined = fetchUrl(url);
  const seen = new Set<string>();
  for (let n = 1; pending !== undefined && url; n++) {
    const page: P = await pending;
    seen.add(url);
    const next = nextOf(page);
    const done = !next || seen.has(next) || n >= (options.maxPages ?? Number.MAX_SAFE_INTEGER);
    pending = done ? undefined : fetchUrl(next);
    pending?.catch(() => {});
    yield { page, n, url };
    if (done) return;
    url = next;
  }
}
