import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsQueues } from '@datasync/queues';
import { createLogger } from '@datasync/logger';
import { loadConfig } from '@datasync/sources';
import { waitFor } from '../helpers';
import type { GatewayAnswer, OrError, Schedule, Submitted } from '@datasync/testkit';
import { allSources, gatewayClient, runBody, sourceWithDistinctParams, useBench, type ReliabilitySource } from './sources';

/** Sources whose job takes parameters (so their runs and schedules can be told apart): one per quota test; and a third, another source. */
const quota = sourceWithDistinctParams();
const burst = sourceWithDistinctParams(quota);
const other = allSources.find((s) => s !== quota && s !== burst)!;
/** A source's own sync route asked for its n-th params. */
const ownRoute = (source: ReliabilitySource, params: Record<string, unknown>) => {
  const route = source.route(params);
  return api().call<OrError<Submitted>>(route.method, route.path, route.body);
};
const byId = <T extends { id: unknown }>(rows: T[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));

/**
 * Quotas per source (README "Guarantees": quotas): SCHEDULE_MAX_PER_SOURCE schedules and
 * RUN_MAX_QUEUED_PER_SOURCE runs waiting in the queue. Past either, a 429 naming the setting, and
 * nothing stored or queued; exact even when the requests arrive all at once.
 */

const t = useBench({ env: () => ({ SCHEDULE_MAX_PER_SOURCE: '3', RUN_MAX_QUEUED_PER_SOURCE: '5' }) });
let redis: Redis;
let schedulers: Queue;
let quotaQueue: Queue;
beforeAll(() => {
  redis = new Redis(t.env.REDIS_URL!, { maxRetriesPerRequest: null });
  schedulers = new Queue(opsQueues.schedules, { connection: redis, prefix: t.env.REDIS_PREFIX });
  quotaQueue = new Queue(quota.name, { connection: redis, prefix: t.env.REDIS_PREFIX });
});
afterAll(async () => {
  await schedulers?.close();
  await quotaQueue?.close();
  redis?.disconnect();
});

const api = () => gatewayClient(t.stack.gateway.url);

describe('quotas', () => {
  it('SCHEDULE_MAX_PER_SOURCE: 10 schedules of one source asked at once store exactly 3; the rest 429 naming the setting; other sources unaffected', async () => {
    // A cron that does not fire during the test (an interval fires at once, and its runs would fill the run quota below).
    const cron = '0 3 1 1 *';
    const asked = Array.from({ length: 10 }, (_, i) => ({ ...runBody(quota, 9000 + i), cron }));
    const answers = await Promise.all(asked.map((body) => api().call<OrError<Schedule>>('POST', '/api/schedules', body)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(3).fill(201), ...Array(7).fill(429)]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body.error?.code).toBe('quota_exceeded');
      expect(refused.body.error?.message).toContain('SCHEDULE_MAX_PER_SOURCE');
    }
    const created = answers.filter((a) => a.status === 201).map((a) => ({ id: a.body.id, params: a.body.params }));
    const stored = (await t.pool.query(`SELECT id, params FROM schedules WHERE source = $1`, [quota.name])).rows;
    expect(byId(stored)).toEqual(byId(created));
    expect(new Set((await schedulers.getJobSchedulers()).map((s) => s.key))).toEqual(new Set(created.map((c) => c.id)));
    // Another source has its own quota.
    expect((await api().call('POST', '/api/schedules', { ...runBody(other), cron })).status).toBe(201);
    // Deleting one frees its place.
    expect((await api().call('DELETE', `/api/schedules/${created[0]!.id}`)).status).toBe(200);
    expect((await api().call('POST', '/api/schedules', { ...runBody(quota, 9100), cron })).status).toBe(201);
  });

  it('RUN_MAX_QUEUED_PER_SOURCE: of 8 distinct syncs, 5 are queued and 3 refused (429) with no run row and no job; an identical request still answers its run; freed once runs leave the queue', async () => {
    const asked = Array.from({ length: 8 }, (_, i) => quota.params(7000 + i));
    const answers: GatewayAnswer<OrError<Submitted>>[] = [];
    for (const params of asked) answers.push(await ownRoute(quota, params));
    expect(answers.map((a) => a.status)).toEqual([...Array(5).fill(200), ...Array(3).fill(429)]);
    for (const refused of answers.slice(5)) {
      expect(refused.body.error?.code).toBe('quota_exceeded');
      expect(refused.body.error?.message).toContain('RUN_MAX_QUEUED_PER_SOURCE');
    }
    const accepted = answers.slice(0, 5).map((a, i) => ({ id: a.body.parser_uuid, params: asked[i]! }));
    const rows = (await t.pool.query(`SELECT id, params, state FROM sync_runs WHERE source = $1`, [quota.name])).rows;
    expect(byId(rows)).toEqual(byId(accepted.map((r) => ({ ...r, state: 'queued' }))));
    const jobs = await quotaQueue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(accepted.map((r) => r.id)));
    // Asking again for a run that is queued answers it: the quota limits new work only.
    const again = await ownRoute(quota, accepted[0]!.params);
    expect(again.status).toBe(200);
    expect(again.body.parser_uuid).toBe(accepted[0]!.id);
    // Another source has its own quota.
    expect((await ownRoute(other, other.params(0))).status).toBe(200);
    // The POST /api/runs route is held to the same quota.
    const generic = await api().call('POST', '/api/runs', runBody(quota, 7100));
    expect(generic.status).toBe(429);

    // A worker takes the queued runs (whatever the upstream answers them, they end); the queue has room again.
    const worker = await quota.start(loadConfig(t.env), createLogger({ name: 'worker', level: 'silent' }));
    try {
      await waitFor(
        async () =>
          (await t.pool.query(`SELECT count(*)::int AS n FROM sync_runs WHERE source = $1 AND state = 'queued'`, [quota.name])).rows[0]
            .n === 0
            ? true
            : undefined,
        { timeoutMs: 60_000, what: 'the queued runs to be taken' },
      );
    } finally {
      await worker.close();
    }
    const after = await ownRoute(quota, quota.params(7100));
    expect(after.status).toBe(200);
  });

  it('RUN_MAX_QUEUED_PER_SOURCE under a burst: 40 distinct syncs at once queue exactly 5 (the concurrent group-commit batches of one gateway reserve their runs against the room); a schedule tick then is refused', async () => {
    const asked = Array.from({ length: 40 }, (_, i) => burst.params(20_000 + i));
    const answers = await Promise.all(asked.map((params) => ownRoute(burst, params)));
    const accepted = answers.filter((a) => a.status === 200).map((a) => a.body.parser_uuid);
    expect(answers.every((a) => a.status === 200 || (a.status === 429 && a.body.error?.code === 'quota_exceeded'))).toBe(true);
    expect(accepted.length).toBe(5);
    const rows = (await t.pool.query(`SELECT id FROM sync_runs WHERE source = $1`, [burst.name])).rows.map((r) => r.id as string);
    expect(new Set(rows)).toEqual(new Set(accepted));

    // A schedule's tick while the queue is full starts nothing and says so (an interval ticks at once).
    const schedule = await api().call<Schedule>('POST', '/api/schedules', {
      ...runBody(burst, 30_000),
      everyMinutes: 1,
    });
    expect(schedule.status).toBe(201);
    const shown = await waitFor(
      async () => {
        const s = (await api().call<Schedule>('GET', `/api/schedules/${schedule.body.id}`)).body;
        return s.lastTickOutcome ? s : undefined;
      },
      { what: 'the first tick' },
    );
    expect(shown.lastTickOutcome).toBe('refused');
    expect(shown.lastRunId).toBeNull();
    expect((await t.pool.query('SELECT id FROM sync_runs WHERE schedule_id = $1', [schedule.body.id])).rows).toEqual([]);
    expect((await api().call('DELETE', `/api/schedules/${schedule.body.id}`)).status).toBe(200);
  });
});
