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
  /**
   * Pages asked for ahead of the one handed out (default 1), so pages pile up while the caller is
   * slower than the upstream. Never past `lastPage`: without it only one page goes ahead.
   */
  lookahead?: number;
  /** The last page number worth asking for, as page `n` tells (its total count); undefined when it does not say. */
  lastPage?: (page: P, n: number) => number | undefined;
}

export async function* numberedPages<P>(
  fetchPage: (n: number) => Promise<P>,
  options: NumberedPagesOptions<P>,
): AsyncGenerator<{ page: P; n: number }> {
  const last = options.first + (options.maxPages ?? Number.MAX_SAFE_INTEGER) - 1;
  const depth = options.prefetch === false ? 0 : Math.max(1, options.lookahead ?? 1);
  const inFlight = new Map<number, Promise<P>>();
  let asked = options.first - 1;
  const ask = (k: number) => {
    const pending = fetchPage(k);
    pending.catch(() => {}); // surfaced when awaited; silenced if the caller stops early
    inFlight.set(k, pending);
    asked = Math.max(asked, k);
  };
  let n = options.first;
  ask(n);
  try {
    for (;;) {
      const page = await inFlight.get(n)!;
      inFlight.delete(n);
      const done = options.isLast(page, n) || n >= last;
      if (!done && depth > 0) {
        // One page ahead always (as before); more only up to the last page the upstream announced.
        const known = depth > 1 ? options.lastPage?.(page, n) : undefined;
        const until = Math.min(last, n + 1 + (known === undefined ? 0 : Math.max(0, Math.min(depth, known - n) - 1)));
        while (asked < until) ask(asked + 1);
      }
      yield { page, n };
      if (done) return;
      n += 1;
      if (!inFlight.has(n)) ask(n);
    }
  } finally {
    for (const pending of inFlight.values()) pending.catch(() => {});
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
