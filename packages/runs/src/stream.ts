import type pg from 'pg';
import { UpstreamDataError, type Statement } from '@datasync/connector-kit';
import { HandedBackError } from './drain';
import type { RunContext } from './worker';

/**
 * The stream engine: a source declares how to fetch its pages and what a row is; the engine turns
 * items into rows (counting the skipped ones by reason), guards against short pages, and commits
 * each page — its rows, the run's checkpoint, counts and progress — atomically: in one transaction,
 * or as one autocommitted statement when the page's writes are one (`statements`).
 */

/** Why an item is not a row: `reason` is a short code (counted as `skipped_<reason>`), `detail` says what was wrong. */
export interface Skip {
  skip: string;
  detail: string;
}
export const skipItem = (reason: string, detail: string): Skip => ({ skip: reason, detail });
const isSkip = (value: unknown): value is Skip => typeof value === 'object' && value !== null && 'skip' in value && 'detail' in value;

/** One fetched page, as a stream's `pages` yields it. */
export interface StreamPage<Item, C, Extra = unknown> {
  /** The page's number (1 for the first). */
  n: number;
  items: readonly Item[];
  /** Where the run resumes once this page is committed. */
  checkpoint: C;
  /** How many items the upstream says the whole result holds, if it says. */
  total?: number;
  /** Whatever else the source read with the page (a stamp, a count of separators). */
  extra: Extra;
}

/** What a page did, as a stream's hooks see it. */
export interface PageOutcome<Row, Written> {
  rows: Row[];
  skipped: { index: number; skip: Skip }[];
  written: Written;
}

export interface StreamDefinition<C, Item, Row, Written, Extra = unknown> {
  /** Named in logs and in the short-page error. */
  name: string;
  /**
   * The pages from the saved checkpoint on (null: from the start). Build it on `numberedPages` or
   * `linkedPages` so the next request is in flight while the current page is written.
   */
  pages(resume: C | null): AsyncIterable<StreamPage<Item, C, Extra>>;
  /** A row, or why the item is skipped. */
  toRow(item: Item, index: number, page: StreamPage<Item, C, Extra>): Row | Skip;
  /**
   * Writes a page's rows in the page's transaction (bulk upserts); answers what the counts need (rows
   * new to the run, ...). A stream gives this or `statements`.
   */
  write?(tx: pg.PoolClient, rows: Row[], page: StreamPage<Item, C, Extra>): Promise<Written>;
  /**
   * A page's writes as statements run in order (built without database access; `written` is then
   * undefined). When a commit holds one statement in all, it goes with the run's checkpoint as one
   * autocommitted statement: no BEGIN/COMMIT round trips (`RunContext.commitStatements`).
   */
  statements?(rows: Row[], page: StreamPage<Item, C, Extra>): readonly Statement[];
  /**
   * The short-page guard: called before a page is committed, with the run's counts so far (earlier
   * pages and attempts); a message fails the attempt with a retryable UpstreamDataError, so the retry
   * asks for this page again rather than resuming past it.
   */
  shortPage?(page: StreamPage<Item, C, Extra>, counts: Readonly<Record<string, number>>): string | undefined;
  /** What the page adds to the run's counts (besides `pages`, `skipped`, `skipped_<reason>`) and shows in its progress. */
  report(
    page: StreamPage<Item, C, Extra>,
    outcome: PageOutcome<Row, Written>,
  ): { added: Record<string, number>; progress: Record<string, unknown> };
  /** Logs the page's skipped items (default: one warning per page with the first five). */
  onSkipped?(page: StreamPage<Item, C, Extra>, skipped: { index: number; skip: Skip }[]): void;
  /** Called once the page is committed (logging). */
  committed?(page: StreamPage<Item, C, Extra>, outcome: PageOutcome<Row, Written>): void;
  /** Stop after this page (e.g. it held nothing new). */
  stopAfter?(page: StreamPage<Item, C, Extra>, outcome: PageOutcome<Row, Written>): boolean;
  /**
   * Pages committed together (default 1): when the pages after one are already fetched (they
   * arrive faster than they commit), up to this many go into one transaction — each page's rows
   * in order, the counts of all, the checkpoint of the last — so a commit (and the run row's
   * update) is paid once per group. Ignored for streams with `shortPage` or `stopAfter`, which
   * decide page by page.
   */
  groupPages?: number;
}

/** What a stream's pass did in this attempt. */
export interface StreamSummary<C> {
  pages: number;
  rows: number;
  skipped: number;
  /** The last page committed (undefined when none was). */
  last?: { n: number; checkpoint: C; total?: number };
}

/** A page turned into rows, ready to be written. */
interface Taken<Item, C, Row, Extra> {
  page: StreamPage<Item, C, Extra>;
  rows: Row[];
  skipped: { index: number; skip: Skip }[];
  byReason: Record<string, number>;
}

const NOT_YET = Symbol('not yet');
/** Resolves after the I/O already received has been handled: a page that arrived is ready by then. */
const nextTurn = () => new Promise<typeof NOT_YET>((resolve) => setImmediate(() => resolve(NOT_YET)));

/**
 * Runs a stream from the run's checkpoint to its last page, one transaction per page (or per group
 * of pages already fetched, `groupPages`).
 */
export async function runStream<P, C, Item, Row, Written, Extra>(
  ctx: RunContext<P, C>,
  stream: StreamDefinition<C, Item, Row, Written, Extra>,
  resume: C | null = ctx.checkpoint,
): Promise<StreamSummary<C>> {
  const summary: StreamSummary<C> = { pages: 0, rows: 0, skipped: 0 };
  const maxGroup = stream.shortPage || stream.stopAfter ? 1 : Math.max(1, stream.groupPages ?? 1);
  const take = (page: StreamPage<Item, C, Extra>): Taken<Item, C, Row, Extra> => {
    const rows: Row[] = [];
    const skipped: { index: number; skip: Skip }[] = [];
    page.items.forEach((item, index) => {
      const row = stream.toRow(item, index, page);
      if (isSkip(row)) skipped.push({ index, skip: row });
      else rows.push(row);
    });
    if (skipped.length > 0) {
      if (stream.onSkipped) stream.onSkipped(page, skipped);
      else
        ctx.log.warn(
          { stream: stream.name, page: page.n, skipped: skipped.slice(0, 5).map((s) => s.skip.detail) },
          'skipped malformed rows',
        );
    }
    const short = stream.shortPage?.(page, ctx.counts);
    if (short) throw new UpstreamDataError(short);
    const byReason: Record<string, number> = {};
    for (const { skip } of skipped) byReason[`skipped_${skip.skip}`] = (byReason[`skipped_${skip.skip}`] ?? 0) + 1;
    return { page, rows, skipped, byReason };
  };

  const pages = stream.pages(resume)[Symbol.asyncIterator]();
  // With groups, the next page is asked for while this one is written (a rejection surfaces when awaited).
  let next: Promise<IteratorResult<StreamPage<Item, C, Extra>>> | undefined;
  const ask = (): void => {
    next = pages.next();
    next.catch(() => {});
  };
  let finished = false;
  try {
    for (;;) {
      const head = await (next ?? pages.next());
      next = undefined;
      if (head.done) {
        finished = true;
        break;
      }
      const group = [take(head.value)];
      if (maxGroup > 1) {
        ask();
        // Only pages already here join the group: waiting for one would idle the writer.
        while (group.length < maxGroup) {
          const ready = await Promise.race([next!, nextTurn()]);
          if (ready === NOT_YET || ready.done) break;
          group.push(take(ready.value));
          ask();
        }
      }
      const last = group[group.length - 1]!;
      const update = (done: PageOutcome<Row, Written>[]) => {
        const added: Record<string, number> = {};
        let progress: Record<string, unknown> | undefined;
        group.forEach(({ page, skipped, byReason }, i) => {
          const report = stream.report(page, done[i]!);
          progress = report.progress;
          for (const [k, v] of Object.entries({ pages: 1, ...report.added, skipped: skipped.length, ...byReason }))
            added[k] = (added[k] ?? 0) + v;
        });
        return { checkpoint: last.page.checkpoint, progress, added };
      };
      let outcomes: PageOutcome<Row, Written>[];
      if (stream.statements) {
        const statements = group.flatMap(({ page, rows }) => stream.statements!(rows, page));
        outcomes = group.map(({ rows, skipped }) => ({ rows, skipped, written: undefined as Written }));
        await ctx.commitStatements(statements, update(outcomes));
      } else {
        const write = stream.write;
        if (!write) throw new Error(`${stream.name}: a stream needs write or statements`);
        outcomes = await ctx.commitPage(async (tx) => {
          const done: PageOutcome<Row, Written>[] = [];
          for (const { page, rows, skipped } of group) done.push({ rows, skipped, written: await write(tx, rows, page) });
          return done;
        }, update);
      }
      let stop = false;
      group.forEach(({ page, rows, skipped }, i) => {
        summary.pages += 1;
        summary.rows += rows.length;
        summary.skipped += skipped.length;
        summary.last = { n: page.n, checkpoint: page.checkpoint, total: page.total };
        stream.committed?.(page, outcomes[i]!);
        if (stream.stopAfter?.(page, outcomes[i]!)) stop = true;
      });
      if (stop) break;
      // The worker is stopping (SIGTERM): these pages are saved, the next worker resumes after them.
      if (ctx.signal.aborted) throw new HandedBackError(`${stream.name}: handed back after page ${last.page.n}`);
    }
  } finally {
    // Stopped early (stopAfter, an error, a hand-back): let the pages' iterator clean up.
    if (finished) {
      // Nothing to clean up: the iterator ran to its end.
    } else if (next === undefined) await pages.return?.(undefined).catch(() => undefined);
    else
      void next
        .catch(() => undefined)
        .then(() => pages.return?.(undefined))
        .catch(() => undefined);
  }
  return summary;
}
