import { afterAll, describe, expect, it } from 'vitest';
import { spawnWorker, waitFor, type Run, type WorkerProcess } from '../../helpers';
import { reliabilitySource, useBench } from '../../reliability/sources';
import { expectItResumeEqualToSource } from '../itresume/equal-to-source';

/**
 * Chunked backfill and replay (issue #21): a 200-day IT Resume window runs as 3 child runs of at most
 * 92 days, one after another, under one parent. A worker process is SIGKILLed mid-way through the
 * first chunk, the second chunk is failed by an upstream fault rule through all its attempts, and
 * retried alone; the parent then ends done and every attempt of the window is stored exactly once.
 */
const itresume = reliabilitySource('itresume');
const t = useBench({ sources: [itresume], env: () => ({ WORKER_CONCURRENCY: '1' }) });
const spawned: WorkerProcess[] = [];
afterAll(async () => {
  await Promise.all(spawned.map((w) => w.stop('SIGKILL')));
});

const START = '2026-01-01';
const END = '2026-07-19'; // 200 days
const holderOf = (run: { worker?: unknown }) =>
  Number(
    String(run.worker ?? '')
      .split(':')
      .pop(),
  );

describe('a 200-day IT Resume backfill', () => {
  it('runs as 3 children in order; a killed worker and a failed chunk retried alone still store every attempt once', async () => {
    await t.pool.query('TRUNCATE itresume_attempts');
    // Attempts in the second and third chunks too (the seeded ones are 2026-04-01..10, in chunks 1 and 2).
    await t.control.post('/itresume/_control/attempts', { date: '2026-05-20', count: 25 });
    await t.control.post('/itresume/_control/attempts', { date: '2026-07-10', count: 15 });
    await t.control.clearFaults();
    // Chunk 2 fails for good: past the first chunk's 92 days (and any day a kill makes the worker ask
    // again), every request answers 503 until the job's 3 attempts of 5 requests each are spent.
    const rule = (await t.control.addFault({ path: '/itresume/api/statistics', kind: 'status', status: 503, skip: 110, times: 15 })) as {
      ids: string[];
    };
    // Each day a little slow, so the kill lands inside the first chunk.
    await t.control.addFault({ path: '/itresume/api/statistics', kind: 'delay', delayMs: 40 });

    const workers = new Map<number, WorkerProcess>();
    const startOne = () => {
      const w = spawnWorker('worker-itresume', t.env);
      spawned.push(w);
      workers.set(w.child.pid!, w);
      return w;
    };
    const ready = (w: WorkerProcess) =>
      waitFor(() => (w.lines.some((l) => String(l.msg).endsWith('worker consuming')) ? true : undefined), { what: 'a worker to start' });
    await Promise.all([ready(startOne()), ready(startOne())]);

    const submitted = await t.api.call<{ parser_uuid: string }>('POST', '/api/itresume/sync', { start: START, end: END });
    expect(submitted.status, submitted.text).toBe(200);
    const parentId = submitted.body.parser_uuid;
    const parent = async () => (await t.api.call<Run>('GET', `/api/runs/${parentId}`)).body;
    expect(await parent()).toMatchObject({ state: 'running', childrenTotal: 3, progress: { total: 3, done: 0 } });

    // SIGKILL the process working the first chunk, mid-chunk.
    const first = await waitFor(
      async () => {
        const c = (await parent()).children?.[0];
        return c && c.state === 'running' && workers.has(holderOf(c)) && Number(c.counts.days ?? 0) >= 5 ? c : undefined;
      },
      { what: 'the first chunk to be under way', timeoutMs: 30_000, intervalMs: 25 },
    );
    const killed = holderOf(first);
    await workers.get(killed)!.stop('SIGKILL');
    workers.delete(killed);
    const afterKill = await t.api.run(first.id);
    expect({ state: afterKill.state, holder: holderOf(afterKill) }, 'the kill hit the running chunk').toEqual({
      state: 'running',
      holder: killed,
    });
    await ready(startOne());

    const failed = await t.api.finished(parentId, 120_000);
    expect(failed.state).toBe('failed');
    const injected = await t.control.injected();
    expect(injected[rule.ids[0]!], 'the fault rule answered 503 fifteen times').toBe(15);
    const afterFail = await parent();
    // In order: the third chunk does not exist while the second has not succeeded.
    expect(afterFail.children?.map((c) => [c.state, c.params])).toEqual([
      ['done', { start: '2026-01-01', end: '2026-04-02' }],
      ['failed', { start: '2026-04-03', end: '2026-07-03' }],
    ]);
    const second = afterFail.children![1]!;
    expect(second.attempts).toBe(3);
    expect(second.error).toMatch(/503/);
    expect(afterFail.error).toContain(`chunk 2 of 3 (2026-04-03..2026-07-03, run ${second.id}) failed`);
    expect(afterFail.error).toContain(`POST /api/runs/${second.id}/retry`);
    expect(holderOf(afterFail.children![0]!)).not.toBe(killed);

    // Retry the failed chunk alone: same run id, the parent waits again and ends done.
    const retried = await t.api.call<{ requeued: string[] }>('POST', `/api/runs/${second.id}/retry`);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body.requeued).toEqual([second.id]);
    expect((await parent()).state).toBe('running');
    const done = await t.api.finished(parentId, 120_000);
    expect(done.state, done.error ?? '').toBe('done');

    const children = (await parent()).children!;
    expect(children.map((c) => [c.id === second.id, c.state, c.params])).toEqual([
      [false, 'done', { start: '2026-01-01', end: '2026-04-02' }],
      [true, 'done', { start: '2026-04-03', end: '2026-07-03' }],
      [false, 'done', { start: '2026-07-04', end: '2026-07-19' }],
    ]);
    // One after another: each chunk started after the one before it ended.
    for (let i = 1; i < children.length; i++) {
      expect(Date.parse(children[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(children[i - 1]!.finishedAt!));
    }
    // Every attempt of the window exactly once (the sandbox's own attempts, whole table as a set).
    await expectItResumeEqualToSource(t.pool, t.control, START, END);
    const stored = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM itresume_attempts');
    const { total } = await t.control.get<{ total: number; malformed: unknown[] }>(
      `/itresume/_control/attempts?start=${encodeURIComponent(`${START} 00:00:00`)}&end=${encodeURIComponent(`${END} 23:59:59.999999`)}`,
    );
    expect(stored.rows[0]!.n).toBeGreaterThan(0);
    expect(stored.rows[0]!.n).toBeLessThan(total);
    // The parent's counts are its children's: every day of the window once, every stored row once.
    expect(done.counts).toMatchObject({ days: 200, inserted: stored.rows[0]!.n });
    expect(done.progress).toMatchObject({ total: 3, done: 3, failed: 0 });
    await t.control.clearFaults();
  }, 240_000);
});
