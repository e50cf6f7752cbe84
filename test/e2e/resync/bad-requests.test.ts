import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createQueues, closeQueues, type QueueSet } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import { sourceWorker, TEST_REDIS_URL } from '../../helpers';
import { reliabilitySource, useBench } from '../../reliability/sources';

/**
 * Resync, backfill and retry requests that cannot be honoured: a clear 4xx naming what was wrong,
 * and nothing queued (no run row, no job, the run retried left as it was). Only the YClients worker
 * runs here, so an IT Resume run stays queued (a run that is not failed).
 */
const yclients = reliabilitySource('yclients');
const itresume = reliabilitySource('itresume');
const t = useBench({ sources: [yclients, itresume], workers: [sourceWorker('yclients')] });

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
let queues: QueueSet | undefined;
afterAll(async () => {
  if (queues) await closeQueues(queues);
  redis.disconnect();
});

type ErrorBody = { error?: { code: string; message: string }; errors?: { field: string; message: string }[] };

/** Every run row and every job of every queue: what "nothing queued" compares. */
async function everything() {
  const runs = await t.pool.query<{ id: string; state: string }>('SELECT id, state FROM sync_runs ORDER BY id');
  queues ??= createQueues(catalog, redis, t.env.REDIS_PREFIX!);
  const jobs = await Promise.all(queues.all().map(async (q) => [q.name, await q.getJobCounts('wait', 'active', 'delayed', 'prioritized')]));
  return { runs: runs.rows, jobs };
}

describe('resync, backfill and retry: bad input', () => {
  it('answers a clear 4xx for each and queues nothing', async () => {
    const done = await t.api.finished(
      await t.api.submit({ method: 'POST', path: '/api/yclients/sync', body: { companyId: 176275 } }),
      90_000,
    );
    expect(done.state).toBe('done');
    // No IT Resume worker: this run stays queued.
    const queued = await t.api.submit({ method: 'POST', path: '/api/itresume/sync', body: { start: '2026-04-01', end: '2026-04-02' } });
    // A running one: YClients pages held back by the sandbox.
    await t.control.addFault({ path: '/yclients/api/v1', kind: 'delay', delayMs: 400 });
    const running = await t.api.submit({ method: 'POST', path: '/api/yclients/sync', body: { companyId: 176275 } });
    await t.api.finished(running, 1).catch(() => undefined);
    await expect.poll(async () => (await t.api.run(running)).state, { timeout: 20_000 }).toBe('running');

    const cases: { what: string; method: string; path: string; body?: unknown; status: number; field?: string; says: RegExp }[] = [
      {
        what: 'unknown stream (generic route)',
        method: 'POST',
        path: '/api/runs',
        body: { source: 'yclients', params: { companyId: 176275 }, resync: ['clients', 'clinets', 'visits'] },
        status: 400,
        field: 'resync',
        says: /streams yclients does not have: clinets, visits \(its streams: clients, records, transactions\)/,
      },
      {
        what: 'unknown stream (source route)',
        method: 'POST',
        path: '/api/yclients/sync',
        body: { companyId: 176275, resync: ['staf'] },
        status: 400,
        field: 'resync',
        says: /a stream yclients does not have: staf \(its streams: clients, records, transactions\)/,
      },
      {
        what: 'resync is not a list',
        method: 'POST',
        path: '/api/yclients/sync',
        body: { companyId: 176275, resync: 'clients' },
        status: 400,
        field: 'resync',
        says: /must be a list of stream names/,
      },
      {
        what: 'resync on a source without streams',
        method: 'POST',
        path: '/api/itresume/sync',
        body: { start: '2026-04-01', end: '2026-04-02', resync: ['attempts'] },
        status: 400,
        field: 'resync',
        says: /cannot be used with itresume: it keeps no stream state between runs/,
      },
      {
        what: 'backfill of a job without a window',
        method: 'POST',
        path: '/api/runs',
        body: { source: 'yclients', params: { companyId: 176275 }, backfill: true },
        status: 400,
        field: 'backfill',
        says: /cannot be used with yclients.sync: it does not load a window of days/,
      },
      {
        what: 'backfill chunks longer than one run may load',
        method: 'POST',
        path: '/api/itresume/sync',
        body: { start: '2026-01-01', end: '2026-07-19', backfill: { chunkDays: 120 } },
        status: 400,
        field: 'backfill.chunkDays',
        says: /must be at most 92/,
      },
      {
        what: 'retry of a done run',
        method: 'POST',
        path: `/api/runs/${done.id}/retry`,
        status: 409,
        says: /is done; only a failed run can be retried/,
      },
      {
        what: 'retry of a queued run',
        method: 'POST',
        path: `/api/runs/${queued}/retry`,
        status: 409,
        says: /is queued; only a failed run/,
      },
      {
        what: 'retry of a running run',
        method: 'POST',
        path: `/api/runs/${running}/retry`,
        status: 409,
        says: /is running; only a failed run/,
      },
      {
        what: 'retry of an unknown run',
        method: 'POST',
        path: '/api/runs/4a0c7a1e-2a59-4d0e-9d0f-5b2f6f0f0c11/retry',
        status: 404,
        says: /no run 4a0c7a1e-2a59-4d0e-9d0f-5b2f6f0f0c11/,
      },
      {
        what: 'retry of a malformed id',
        method: 'POST',
        path: '/api/runs/not-a-run/retry',
        status: 400,
        field: 'id',
        says: /must be a UUID/,
      },
    ];
    const before = await everything();
    for (const c of cases) {
      const res = await t.api.call<ErrorBody>(c.method, c.path, c.body);
      expect({ what: c.what, status: res.status }).toEqual({ what: c.what, status: c.status });
      const said = res.body.errors?.find((e) => !c.field || e.field === c.field)?.message ?? res.body.error?.message ?? '';
      expect(said, `${c.what}: ${res.text}`).toMatch(c.says);
      if (c.field)
        expect(
          res.body.errors?.map((e) => e.field),
          c.what,
        ).toContain(c.field);
    }
    expect(await everything()).toEqual(before);
    await t.control.clearFaults();
    expect((await t.api.finished(running, 90_000)).state).toBe('done');
  }, 150_000);
});
