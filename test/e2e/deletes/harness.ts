import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRuleInput, LoggedRequest } from '@datasync/sandbox';
import { spawnWorker, waitFor, type Run, type WorkerProcess } from '../../helpers';
import { reliabilitySource, useBench, type Bench, type Submit } from '../../reliability/sources';

/**
 * Soft deletes, the same story for every source (README "Deletes"): the sandbox removes items
 * between runs; after the next complete pass exactly those rows have `deleted_at` (the set read
 * from the sandbox's own control state, never from our code), an item that comes back is live
 * again, a pass whose last page fails deletes nothing, and a pass whose worker is SIGKILLed mid-way
 * resumes with its generation and deletes exactly the removed rows. Runs go through the gateway to
 * two real worker processes of the source.
 */

/** Keys per stream, sorted. */
export type Keys = Record<string, string[]>;

export interface DeletesScope {
  submit: Submit;
  /** The streams that get soft deletes, as `counts.deleted_<stream>` names them. */
  streams: string[];
  /** Removes a few more items upstream in each of `streams` (default all), spread over the pages. */
  remove(streams?: string[]): Promise<void>;
  /** Puts back one removed item of each stream; answers the keys put back. */
  restoreOne(): Promise<Keys>;
  /** What the sandbox holds as removed now, per stream (its control state). */
  removedUpstream(): Promise<Keys>;
  /** Our rows of the scope with `deleted_at` set, per stream. */
  deletedHere(pool: pg.Pool): Promise<Keys>;
  /** Our live rows of the scope, per stream. */
  liveHere(pool: pg.Pool): Promise<Keys>;
  /** The streams whose passes `lastPageFault` keeps from completing (items are removed from these). */
  lastPageStreams: string[];
  /** A rule failing the last page of those passes, every try, aimed at the upstream as it is. */
  lastPageFault(): Promise<FaultRuleInput>;
  kill: {
    /** Latency on every data page, so the run lasts long enough to be killed mid-pass. */
    delay: FaultRuleInput;
    /** Kill once the running run shows this (some pages of a soft-deleting pass committed). */
    ready(run: Run): boolean;
    /** Checked right after the kill, before another process takes the run over (e.g. nothing deleted by the unfinished pass). */
    killed?(pool: pg.Pool): Promise<void>;
    /** The first page of the pass being killed: asked once (the resumed attempt went on from the checkpoint). */
    firstPage?: { prefix: string; is(r: LoggedRequest): boolean };
  };
}

export interface DeletesCase {
  source: string;
  env?: Record<string, string>;
  /** For a source without a reliability descriptor (test/e2e/<source>/reliability.ts): its worker app and settings. */
  setup?: { app: `worker-${string}`; env(sandboxUrl: string): Promise<Record<string, string>> };
  prepare(t: Bench): Promise<DeletesScope>;
  /** The source's read routes, checked once the story above left deleted rows (registers its own tests). */
  reads?(t: Bench, scope: () => DeletesScope): void;
}

/** `n` keys spread over `keys` (sorted), none of `taken`. */
export function spread(keys: readonly string[], taken: Iterable<string>, n = 3): string[] {
  const skip = new Set(taken);
  const free = keys.filter((k) => !skip.has(k));
  const step = Math.max(1, Math.floor(free.length / n));
  return Array.from({ length: Math.min(n, free.length) }, (_, i) => free[Math.min(free.length - 1, 1 + i * step)]!);
}

/** Sorted copies, for comparing sets of keys per stream. */
export const sortedKeys = (keys: Keys): Keys => Object.fromEntries(Object.entries(keys).map(([s, k]) => [s, [...k].sort()]));

const holderOf = (run: Run) =>
  Number(
    String(run.worker ?? '')
      .split(':')
      .pop(),
  );

export function describeDeletes(c: DeletesCase): void {
  const source = c.setup ? undefined : reliabilitySource(c.source);
  const app = c.setup?.app ?? source!.app;
  const t = useBench({
    sources: source ? [source] : [],
    env: async ({ sandboxUrl }) => ({ ...(await c.setup?.env(sandboxUrl)), WORKER_CONCURRENCY: '1', ...c.env }),
  });
  const workers = new Map<number, WorkerProcess>();
  const startWorker = async () => {
    const w = spawnWorker(app, t.env);
    workers.set(w.child.pid!, w);
    await waitFor(() => (w.lines.some((l) => String(l.msg).endsWith('worker consuming')) ? true : undefined), {
      what: `a ${app} process to start`,
      timeoutMs: 30_000,
    });
  };
  let scope: DeletesScope;
  beforeAll(async () => {
    await Promise.all([startWorker(), startWorker()]);
    scope = await c.prepare(t);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([...workers.values()].map((w) => w.stop('SIGKILL')));
  });

  const run = async () => t.api.finished(await t.api.submit(scope.submit), 90_000);
  const expectDeletedAsRemoved = async (what: string) => {
    const removed = sortedKeys(await scope.removedUpstream());
    expect(sortedKeys(await scope.deletedHere(t.pool)), what).toEqual(removed);
    // A deleted row is not live, and every removed key was stored before (it is deleted, not absent).
    const live = await scope.liveHere(t.pool);
    for (const s of scope.streams)
      expect(
        live[s]!.filter((k) => removed[s]!.includes(k)),
        `${s}: live and removed`,
      ).toEqual([]);
  };

  describe(`${c.source}: soft deletes from complete passes`, () => {
    it('a complete pass marks exactly the rows the upstream removed, and counts them per stream', async () => {
      const first = await run();
      expect(first.state, first.error ?? '').toBe('done');
      expect(Object.values(await scope.deletedHere(t.pool)).flat()).toEqual([]);

      await scope.remove();
      const removed = await scope.removedUpstream();
      for (const s of scope.streams) expect(removed[s]!.length, `items removed upstream from ${s}`).toBeGreaterThan(0);
      const second = await run();
      expect(second.state, second.error ?? '').toBe('done');
      await expectDeletedAsRemoved('deleted rows = items the sandbox removed');
      for (const s of scope.streams) expect(second.counts[`deleted_${s}`], `counts.deleted_${s}`).toBe(removed[s]!.length);
      expect(second.counts.deleted).toBe(Object.values(removed).flat().length);
    }, 120_000);

    it('an item that comes back is live again after the next complete pass', async () => {
      const back = await scope.restoreOne();
      const again = await run();
      expect(again.state, again.error ?? '').toBe('done');
      await expectDeletedAsRemoved('deleted rows = items still removed');
      const live = await scope.liveHere(t.pool);
      for (const [s, keys] of Object.entries(back)) {
        expect(live[s], `${s}: restored items are live`).toEqual(expect.arrayContaining(keys));
        expect(again.counts[`restored_${s}`], `counts.restored_${s}`).toBe(keys.length);
      }
    }, 120_000);

    it('a pass whose last page fails deletes nothing; the next complete pass deletes exactly the removed rows', async () => {
      const before = sortedKeys(await scope.deletedHere(t.pool));
      const streams = scope.lastPageStreams;
      await scope.remove(streams);
      // Aimed at the upstream as it is now (the pages its listings fill once the items are removed).
      const rule = await scope.lastPageFault();
      const { ids } = await t.control.addFault(rule).then((r) => r as { ids: number[] });
      const failed = await run();
      const injected = await t.control.injected();
      await t.control.clearFaults();
      expect(injected[ids[0]!], 'the last page was failed').toBeGreaterThan(0);
      expect(failed.state).toBe('failed');
      expect(sortedKeys(await scope.deletedHere(t.pool)), 'nothing more deleted by the failed pass').toEqual(before);

      const next = await run();
      expect(next.state, next.error ?? '').toBe('done');
      await expectDeletedAsRemoved('deleted rows = items the sandbox removed');
      for (const s of streams) expect(next.counts[`deleted_${s}`] ?? 0, `counts.deleted_${s}`).toBeGreaterThan(0);
    }, 150_000);

    it('a worker SIGKILLed mid-pass: no false deletes, and the pass that ends the run deletes exactly the removed rows', async () => {
      await scope.remove();
      await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });
      await t.control.addFault(scope.kill.delay);
      const id = await t.api.submit(scope.submit);
      const holder = await waitFor(
        async () => {
          const r = await t.api.run(id);
          expect(r.state, 'the run ended before the kill').not.toMatch(/^(done|failed)$/);
          return r.state === 'running' && workers.has(holderOf(r)) && scope.kill.ready(r) ? holderOf(r) : undefined;
        },
        { what: 'the run to be mid-pass in a worker process', timeoutMs: 60_000, intervalMs: 20 },
      );
      await workers.get(holder)!.stop('SIGKILL');
      workers.delete(holder);
      const killed = await t.api.run(id);
      expect({ state: killed.state, holder: holderOf(killed) }, 'the killed process held the running run').toEqual({
        state: 'running',
        holder,
      });
      await scope.kill.killed?.(t.pool);
      await startWorker();
      const done = await t.api.finished(id, 120_000);
      await t.control.clearFaults();
      expect(done.state, done.error ?? '').toBe('done');
      expect(holderOf(done), 'another process finished the run').not.toBe(holder);
      await expectDeletedAsRemoved('deleted rows = items the sandbox removed, none of the pages read before the kill');
      if (scope.kill.firstPage) {
        const { prefix, is } = scope.kill.firstPage;
        const firsts = (await t.control.requests(prefix)).requests.filter((r) => r.status === 200 && is(r));
        expect(firsts.length, 'the pass was resumed, not read again from its first page').toBe(1);
      }
    }, 180_000);

    c.reads?.(t, () => scope);
  });
}
