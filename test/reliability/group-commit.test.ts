import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  closeQueues,
  createQueues,
  RunGroupCommit,
  QuotaExceededError,
  storeBatch,
  STORE_BATCH_NAME,
  RunStoreUnavailableError,
  submitRun,
  UnknownConnectionError,
  type QueueSet,
  type SubmitResult,
} from '@datasync/runs';
import { catalog } from '@datasync/sources';
import { createTestDatabase, testPrefix, TEST_REDIS_URL, type TestDatabase } from '../helpers';

/**
 * Group commit of run submissions (packages/runs/src/group-commit.ts), against a real Postgres
 * and Redis: every submission of a batch gets its own durable run row and job (compared as sets:
 * answers ↔ rows ↔ job ids), dedupe holds inside a batch, across batches and across two gateways,
 * and a failed batch leaves neither a row without a job nor a job without a row.
 */
const SOURCE = 'yclients';
const JOB = 'yclients.sync';
const params = (companyId: number) => ({ companyId });

let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
let queues: QueueSet;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queues = createQueues(catalog, redis, testPrefix());
});
afterAll(async () => {
  await closeQueues(queues);
  redis?.disconnect();
  await pool?.end();
  await db?.drop();
});
beforeEach(async () => {
  await pool.query('TRUNCATE sync_runs CASCADE');
  await queues.get(SOURCE).obliterate({ force: true });
});

const submit = (groupCommit: RunGroupCommit | undefined, companyId: number) =>
  submitRun({ pool, queues, groupCommit }, SOURCE, JOB, params(companyId));

/** Run rows, lock rows and job ids now, for set comparisons. */
async function stored() {
  const runs = (await pool.query<{ id: string; params: unknown }>('SELECT id::text AS id, params FROM sync_runs')).rows;
  const locks = (await pool.query<{ run_id: string }>('SELECT run_id::text AS run_id FROM run_locks')).rows;
  const jobs = await queues.get(SOURCE).getJobs(['waiting', 'active', 'delayed', 'prioritized', 'paused']);
  return {
    runs: new Map(runs.map((r) => [r.id, r.params])),
    lockedRuns: new Set(locks.map((l) => l.run_id)),
    jobs: new Map(jobs.map((j) => [j.id!, j.data as { runId: string; params: unknown }])),
  };
}

describe('group commit of run submissions', () => {
  it('50 distinct submissions in one window: one batch, each its own run row, lock and job (answers = rows = jobs)', async () => {
    const groupCommit = new RunGroupCommit({ pool, queues }, { windowMs: 5 });
    const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const answers = await Promise.all(ids.map((id) => submit(groupCommit, id)));
    expect(groupCommit.stats).toEqual({ batches: 1, submissions: 50 });
    expect(answers.every((a) => !a.deduplicated)).toBe(true);
    const answered = new Map(answers.map((a, i) => [a.runId, params(ids[i]!)]));
    expect(answered.size).toBe(50);
    const now = await stored();
    expect(now.runs).toEqual(answered);
    expect(now.lockedRuns).toEqual(new Set(answered.keys()));
    expect(new Map([...now.jobs].map(([id, data]) => [id, data.params]))).toEqual(answered);
    for (const [id, data] of now.jobs) expect(data.runId).toBe(id);
  });

  it('a batch holds at most RUN_GROUP_COMMIT_MAX_BATCH submissions: 50 at once with a bound of 20 are three batches, all stored', async () => {
    const groupCommit = new RunGroupCommit({ pool, queues }, { windowMs: 5, maxBatch: 20, maxInFlight: 2 });
    const ids = Array.from({ length: 50 }, (_, i) => 6000 + i);
    const answers = await Promise.all(ids.map((id) => submit(groupCommit, id)));
    expect(groupCommit.stats).toEqual({ batches: 3, submissions: 50 });
    const answered = new Map(answers.map((a, i) => [a.runId, params(ids[i]!)]));
    const now = await stored();
    expect(now.runs).toEqual(answered);
    expect(new Map([...now.jobs].map(([id, data]) => [id, data.params]))).toEqual(answered);
  });

  it('a duplicate inside one batch is deduplicated onto the first; across batches and the old path it answers the same run', async () => {
    const groupCommit = new RunGroupCommit({ pool, queues }, { windowMs: 5 });
    const asked = [7, 8, 7, 9, 7];
    const answers = await Promise.all(asked.map((id) => submit(groupCommit, id)));
    expect(groupCommit.stats).toEqual({ batches: 1, submissions: 5 });
    const sevens = answers.filter((_, i) => asked[i] === 7);
    expect(new Set(sevens.map((a) => a.runId)).size).toBe(1);
    expect(sevens.map((a) => a.deduplicated)).toEqual([false, true, true]);
    const firstBatch = new Map(answers.map((a, i) => [a.runId, params(asked[i]!)]));
    expect(firstBatch.size).toBe(3);

    // A later batch, and a submission without group commit, answer the run that holds the lock.
    const again = await Promise.all([submit(groupCommit, 7), submit(groupCommit, 8), submit(groupCommit, 10)]);
    expect(groupCommit.stats.batches).toBe(2);
    expect(again.slice(0, 2)).toEqual<SubmitResult[]>([
      { runId: sevens[0]!.runId, deduplicated: true },
      { runId: answers[1]!.runId, deduplicated: true },
    ]);
    expect(again[2]!.deduplicated).toBe(false);
    expect(await submit(undefined, 9)).toEqual({ runId: answers[3]!.runId, deduplicated: true });
    const alone = await submit(undefined, 11);
    expect(await submit(groupCommit, 11)).toEqual({ runId: alone.runId, deduplicated: true });

    const expected = new Map([...firstBatch, [again[2]!.runId, params(10)], [alone.runId, params(11)]]);
    const now = await stored();
    expect(now.runs).toEqual(expected);
    expect(now.lockedRuns).toEqual(new Set(expected.keys()));
    expect(new Map([...now.jobs].map(([id, data]) => [id, data.params]))).toEqual(expected);
  });

  it('two gateways batching the same syncs at the same moment start each of them once', async () => {
    const a = new RunGroupCommit({ pool, queues }, { windowMs: 2 });
    const b = new RunGroupCommit({ pool, queues }, { windowMs: 2 });
    const ids = Array.from({ length: 20 }, (_, i) => 2000 + i);
    // Opposite orders: the locks are taken in dedup-key order, so neither batch deadlocks the other.
    const [fromA, fromB] = await Promise.all([
      Promise.all(ids.map((id) => submit(a, id))),
      Promise.all([...ids].reverse().map((id) => submit(b, id))),
    ]);
    fromB.reverse();
    for (let i = 0; i < ids.length; i++) {
      expect(fromA[i]!.runId).toBe(fromB[i]!.runId);
      expect([fromA[i]!.deduplicated, fromB[i]!.deduplicated].sort()).toEqual([false, true]);
    }
    const expected = new Map(fromA.map((r, i) => [r.runId, params(ids[i]!)]));
    const now = await stored();
    expect(now.runs).toEqual(expected);
    expect(new Map([...now.jobs].map(([id, data]) => [id, data.params]))).toEqual(expected);
  });

  it('each request of a batch gets its own outcome: an unknown connection and the quota refuse only their own requests', async () => {
    const quotas = { maxQueuedRunsPerSource: 5 };
    const existing = await Promise.all([5001, 5002, 5003].map((id) => submitRun({ pool, queues, quotas }, SOURCE, JOB, params(id))));
    const groupCommit = new RunGroupCommit({ pool, queues, quotas }, { windowMs: 5 });
    const deps = { pool, queues, quotas, groupCommit };
    const unknown = '3f1e0c56-5d2b-4c1a-9a57-2b0f8a1f7c11';
    const outcomes = await Promise.allSettled([
      submitRun(deps, SOURCE, JOB, params(5010), { connectionId: unknown }),
      ...[5011, 5012, 5013, 5014].map((id) => submitRun(deps, SOURCE, JOB, params(id))),
      submitRun(deps, SOURCE, JOB, params(5001)), // identical to a queued run: answered even with the quota full
    ]);
    expect(groupCommit.stats).toEqual({ batches: 1, submissions: 6 });
    const [named, ...rest] = outcomes;
    expect((named as PromiseRejectedResult).reason).toBeInstanceOf(UnknownConnectionError);
    // Room for two more new runs, given in arrival order; the others refused naming the setting.
    const fresh = rest.slice(0, 4);
    expect(fresh.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    for (const refused of fresh.slice(2)) {
      const reason = (refused as PromiseRejectedResult).reason as QuotaExceededError;
      expect(reason).toBeInstanceOf(QuotaExceededError);
      expect(reason.message).toContain('RUN_MAX_QUEUED_PER_SOURCE');
    }
    expect((rest[4] as PromiseFulfilledResult<SubmitResult>).value).toEqual({ runId: existing[0]!.runId, deduplicated: true });
    const accepted = fresh.slice(0, 2).map((o) => (o as PromiseFulfilledResult<SubmitResult>).value.runId);
    const expected = new Map([
      ...existing.map((r, i): [string, unknown] => [r.runId, params(5001 + i)]),
      [accepted[0]!, params(5011)],
      [accepted[1]!, params(5012)],
    ]);
    const now = await stored();
    expect(now.runs).toEqual(expected);
    expect(now.lockedRuns).toEqual(new Set(expected.keys()));
    expect(new Map([...now.jobs].map(([id, data]) => [id, data.params]))).toEqual(expected);
  });

  it('a Postgres failure in a batch answers every submission of it with RunStoreUnavailableError, storing and queueing none of them', async () => {
    await submit(undefined, 3000); // a run that exists before, untouched by the failed batch
    const before = await stored();
    // The fault: the batch's statement fails when it reaches one poisoned row (company 3013).
    await pool.query(`CREATE FUNCTION poison_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.params->>'companyId' = '3013' THEN RAISE EXCEPTION 'injected fault: run of company 3013 refused'; END IF; RETURN NEW; END $$`);
    await pool.query('CREATE TRIGGER poison_run BEFORE INSERT ON sync_runs FOR EACH ROW EXECUTE FUNCTION poison_run()');
    try {
      const groupCommit = new RunGroupCommit({ pool, queues }, { windowMs: 5 });
      const ids = Array.from({ length: 20 }, (_, i) => 3001 + i);
      const outcomes = await Promise.allSettled([...ids.map((id) => submit(groupCommit, id)), submit(groupCommit, 3000)]);
      expect(groupCommit.stats).toEqual({ batches: 1, submissions: 21 });
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const err = (outcome as PromiseRejectedResult).reason as Error;
        expect(err).toBeInstanceOf(RunStoreUnavailableError);
        // The fault was injected: the trigger's own words are the cause.
        expect(err.message).toContain('injected fault: run of company 3013 refused');
      }
      // Nothing of the batch is stored or queued: the rows, locks and jobs are exactly those of before.
      const after = await stored();
      expect(after.runs).toEqual(before.runs);
      expect(after.lockedRuns).toEqual(before.lockedRuns);
      expect(after.jobs).toEqual(before.jobs);
    } finally {
      await pool.query('DROP TRIGGER poison_run ON sync_runs');
      await pool.query('DROP FUNCTION poison_run()');
    }
    // Without the fault the same submissions are started (no lock was left behind).
    const groupCommit = new RunGroupCommit({ pool, queues }, { windowMs: 5 });
    const retried = await Promise.all([3001, 3013].map((id) => submit(groupCommit, id)));
    expect(retried.map((r) => r.deduplicated)).toEqual([false, false]);
    expect((await stored()).runs.size).toBe(3);
  });

  it('when the jobs cannot be added the batch rows are removed again: no row without a job', async () => {
    const brokenRedis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
    const brokenQueues = createQueues(catalog, brokenRedis, testPrefix());
    // The fault: the queue's connection is closed before the batch adds its jobs.
    await brokenQueues.get(SOURCE).close();
    brokenRedis.disconnect();
    const groupCommit = new RunGroupCommit({ pool, queues: brokenQueues }, { windowMs: 5 });
    const outcomes = await Promise.allSettled(
      [4001, 4002, 4003].map((id) => submitRun({ pool, queues: brokenQueues, groupCommit }, SOURCE, JOB, params(id))),
    );
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(((outcome as PromiseRejectedResult).reason as { code?: string }).code).toBe('queue_unavailable');
    }
    const now = await stored();
    expect(now.runs.size).toBe(0);
    expect(now.lockedRuns.size).toBe(0);
  });

  it('the batch statement is a prepared statement on its connection only when asked (PgBouncer < 1.21 needs it unnamed)', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const row = (runId: string, companyId: number) => ({
        runId,
        source: SOURCE,
        jobName: JOB,
        params: params(companyId),
        resync: [],
        connectionId: '00000000-0000-0000-0000-000000000000',
        dedupKey: `prepared-test-${companyId}`,
      });
      const prepared = async () =>
        (await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements')).rows.map((r) => r.name);
      const unnamed = await storeBatch(client, [row('6a1b1ef4-1a3f-4f0e-9c61-000000000001', 5001)], { prepared: false });
      expect([...unnamed.values()]).toEqual(['created']);
      expect(await prepared()).toEqual([]);
      const named = await storeBatch(client, [row('6a1b1ef4-1a3f-4f0e-9c61-000000000002', 5002)], {
        maxQueuedPerSource: 1000,
        prepared: true,
      });
      expect([...named.values()]).toEqual(['created']);
      expect(await prepared()).toEqual([STORE_BATCH_NAME]);
      // The prepared statement is used again, with another batch size and quota: the same outcomes as unnamed.
      const again = await storeBatch(
        client,
        [row('6a1b1ef4-1a3f-4f0e-9c61-000000000003', 5003), row('6a1b1ef4-1a3f-4f0e-9c61-000000000004', 5002)],
        { prepared: true },
      );
      expect(Object.fromEntries(again)).toEqual({
        '6a1b1ef4-1a3f-4f0e-9c61-000000000003': 'created',
        '6a1b1ef4-1a3f-4f0e-9c61-000000000004': 'lost',
      });
      const runs = (await pool.query<{ id: string }>('SELECT id::text AS id FROM sync_runs ORDER BY id')).rows.map((r) => r.id);
      expect(runs).toEqual([
        '6a1b1ef4-1a3f-4f0e-9c61-000000000001',
        '6a1b1ef4-1a3f-4f0e-9c61-000000000002',
        '6a1b1ef4-1a3f-4f0e-9c61-000000000003',
      ]);
    } finally {
      await client.end();
    }
  });
});
