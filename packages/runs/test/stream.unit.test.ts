import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { UpstreamDataError, type Statement } from '@datasync/connector-kit';
import type { Logger } from '@datasync/logger';
import {
  envConnection,
  HandedBackError,
  runStream,
  skipItem,
  type PageUpdate,
  type RunContext,
  type StreamDefinition,
  type StreamPage,
} from '../src';

type Checkpoint = { page: number };

/** A run context whose transactions are in memory: what each committed page saved, in order. */
function memoryRun(checkpoint: Checkpoint | null = null, signal: AbortSignal = new AbortController().signal) {
  const commits: PageUpdate<Checkpoint>[] = [];
  /** The statements each `commitStatements` was given, in order. */
  const statementCommits: (readonly Statement[])[] = [];
  const warnings: unknown[] = [];
  const counts: Record<string, number> = {};
  const log = { warn: (o: unknown) => warnings.push(o), info: () => {}, debug: () => {} } as unknown as Logger;
  const ctx: RunContext<unknown, Checkpoint> = {
    runId: 'run',
    params: {},
    attempt: 1,
    log,
    pool: undefined as unknown as pg.Pool,
    checkpoint,
    counts,
    connection: envConnection,
    async commitPage(write, update) {
      const written = await write(undefined as unknown as pg.PoolClient);
      const u = typeof update === 'function' ? update(written) : update;
      for (const [k, v] of Object.entries(u.added ?? {})) counts[k] = (counts[k] ?? 0) + v;
      commits.push(u);
      return written;
    },
    async commitStatements(statements, u) {
      statementCommits.push(statements);
      for (const [k, v] of Object.entries(u.added ?? {})) counts[k] = (counts[k] ?? 0) + v;
      commits.push(u);
    },
    async progress() {},
    signal,
    resync: { streams: [], pending: () => false, dropped: async () => {} },
  };
  return { ctx, commits, statementCommits, warnings, counts };
}

/** A stream over fixed pages of numbers: negative ones are malformed, zero is "not a number". */
function numbers(pages: number[][], options: Partial<StreamDefinition<Checkpoint, number, number, number>> = {}) {
  const written: number[][] = [];
  const stream: StreamDefinition<Checkpoint, number, number, number> = {
    name: 'numbers',
    async *pages(resume) {
      for (let n = (resume?.page ?? 0) + 1; n <= pages.length; n++) {
        yield { n, items: pages[n - 1]!, checkpoint: { page: n }, total: pages.flat().length, extra: undefined } satisfies StreamPage<
          number,
          Checkpoint
        >;
      }
    },
    toRow: (item) => (item < 0 ? skipItem('negative', `${item} < 0`) : item === 0 ? skipItem('zero', 'zero') : item),
    async write(_tx, rows) {
      written.push(rows);
      return rows.length;
    },
    report: (page, { written: n }) => ({ added: { numbers: n }, progress: { page: page.n } }),
    ...options,
  };
  return { stream, written };
}

describe('runStream', () => {
  it('commits each page with its checkpoint, counts rows and skipped items by reason', async () => {
    const run = memoryRun();
    const { stream, written } = numbers([[1, -2, 3], [0, 5], [6]]);
    const summary = await runStream(run.ctx, stream);
    expect(written).toEqual([[1, 3], [5], [6]]);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
    expect(run.counts).toEqual({ pages: 3, numbers: 4, skipped: 2, skipped_negative: 1, skipped_zero: 1 });
    expect(run.commits[0]!.progress).toEqual({ page: 1 });
    expect(summary).toMatchObject({ pages: 3, rows: 4, skipped: 2, last: { n: 3, checkpoint: { page: 3 } } });
    expect(run.warnings).toHaveLength(2);
  });

  it('resumes after the checkpoint of the run', async () => {
    const run = memoryRun({ page: 2 });
    const { stream, written } = numbers([[1], [2], [3], [4]]);
    await runStream(run.ctx, stream);
    expect(written).toEqual([[3], [4]]);
  });

  it('fails a short page before committing it, so a retry asks for it again', async () => {
    const run = memoryRun();
    const { stream, written } = numbers([[1, 2], [3]], {
      shortPage: (page, counts) => (page.n === 2 && (counts.numbers ?? 0) + page.items.length < 5 ? 'short' : undefined),
    });
    await expect(runStream(run.ctx, stream)).rejects.toBeInstanceOf(UpstreamDataError);
    expect(written).toEqual([[1, 2]]);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 1 }]);
  });

  it('hands back after the page in hand once the worker is stopping; a resume from its checkpoint writes the rest once', async () => {
    const stopping = new AbortController();
    const run = memoryRun(null, stopping.signal);
    const { stream, written } = numbers([[1], [2], [3], [4]], {
      committed: (page) => {
        if (page.n === 2) stopping.abort();
      },
    });
    await expect(runStream(run.ctx, stream)).rejects.toBeInstanceOf(HandedBackError);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 1 }, { page: 2 }]);
    const next = memoryRun(run.commits.at(-1)!.checkpoint);
    const rest = numbers([[1], [2], [3], [4]]);
    await runStream(next.ctx, rest.stream);
    expect([...written, ...rest.written]).toEqual([[1], [2], [3], [4]]);
  });

  it('stops after a page the stream says ends it', async () => {
    const run = memoryRun();
    const { stream, written } = numbers([[1], [-1], [3]], { stopAfter: (_page, { written: n }) => n === 0 });
    await runStream(run.ctx, stream);
    expect(written).toEqual([[1], []]);
  });

  it('commits pages already fetched together (groupPages): every page written once in order, the last checkpoint, the counts of all', async () => {
    const run = memoryRun();
    // Every page is there at once (a generator that never waits): they group up to 3.
    const { stream, written } = numbers([[1, -2], [3], [4], [5], [6, 0], [7]], { groupPages: 3 });
    const summary = await runStream(run.ctx, stream);
    expect(written).toEqual([[1], [3], [4], [5], [6], [7]]);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 3 }, { page: 6 }]);
    expect(run.commits.map((c) => c.added)).toEqual([
      { pages: 3, numbers: 3, skipped: 1, skipped_negative: 1 },
      { pages: 3, numbers: 3, skipped: 1, skipped_zero: 1 },
    ]);
    expect(run.commits.map((c) => c.progress)).toEqual([{ page: 3 }, { page: 6 }]);
    expect(run.counts).toEqual({ pages: 6, numbers: 6, skipped: 2, skipped_negative: 1, skipped_zero: 1 });
    expect(summary).toMatchObject({ pages: 6, rows: 6, skipped: 2, last: { n: 6, checkpoint: { page: 6 } } });
  });

  it('does not wait for a page to fill a group: a page still being fetched goes into the next transaction', async () => {
    const run = memoryRun();
    const { stream, written } = numbers([[1], [2], [3]], { groupPages: 8 });
    const pages = stream.pages.bind(stream);
    stream.pages = async function* (resume) {
      for await (const page of pages(resume)) {
        if (page.n === 2) await new Promise((r) => setTimeout(r, 20));
        yield page;
      }
    };
    await runStream(run.ctx, stream);
    expect(written).toEqual([[1], [2], [3]]);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 1 }, { page: 3 }]);
  });

  it('hands back after a group once the worker is stopping; a resume from its checkpoint writes the rest once', async () => {
    const stopping = new AbortController();
    const run = memoryRun(null, stopping.signal);
    const { stream, written } = numbers([[1], [2], [3], [4], [5]], {
      groupPages: 2,
      committed: (page) => {
        if (page.n === 2) stopping.abort();
      },
    });
    await expect(runStream(run.ctx, stream)).rejects.toBeInstanceOf(HandedBackError);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 2 }]);
    const next = memoryRun(run.commits.at(-1)!.checkpoint);
    const rest = numbers([[1], [2], [3], [4], [5]], { groupPages: 2 });
    await runStream(next.ctx, rest.stream);
    expect([...written, ...rest.written]).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('decides page by page for a stream with a short-page guard, even when asked to group', async () => {
    const run = memoryRun();
    const { stream } = numbers([[1], [2], [3]], { groupPages: 8, shortPage: () => undefined });
    await runStream(run.ctx, stream);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
  });
  it('commits a stream that gives statements through commitStatements: each page its statements, checkpoint and counts', async () => {
    const run = memoryRun();
    const { stream } = numbers(
      [
        [1, -2],
        [3, 4],
      ],
      {
        write: undefined,
        statements: (rows) => rows.map((r) => ({ text: 'SELECT $1', values: [r] })),
        report: (page) => ({ added: { numbers: page.items.length }, progress: { page: page.n } }),
      },
    );
    await runStream(run.ctx, stream);
    expect(run.statementCommits.map((ss) => ss.map((s) => s.values[0]))).toEqual([[1], [3, 4]]);
    expect(run.commits.map((c) => c.checkpoint)).toEqual([{ page: 1 }, { page: 2 }]);
    expect(run.counts).toEqual({ pages: 2, numbers: 4, skipped: 1, skipped_negative: 1 });
  });
});
