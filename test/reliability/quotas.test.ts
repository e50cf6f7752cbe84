import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsQueues } from '@datasync/queues';
import { startYclientsWorker } from '@datasync/worker-yclients';
import { createLogger } from '@datasync/logger';
import { loadConfig } from '@datasync/sources';
import { waitFor } from '../helpers';
import type { GatewayAnswer, OrError, Schedule, Submitted } from '@datasync/testkit';
import { gatewayClient, reliabilitySource, useBench } from './sources';

const yclients = reliabilitySource('yclients');

/**
 * Quotas per source (README "Guarantees": quotas): SCHEDULE_MAX_PER_SOURCE schedules and
 * RUN_MAX_QUEUED_PER_SOURCE runs waiting in the queue. Past either, a 429 naming the setting, and
 * nothing stored or queued; exact even when the requests arrive all at once.
 */

const t = useBench({ sources: [yclients], env: () => ({ SCHEDULE_MAX_PER_SOURCE: '3', RUN_MAX_QUEUED_PER_SOURCE: '5' }) });
let redis: Redis;
let schedulers: Queue;
let yclientsQueue: Queue;
beforeAll(() => {
  redis = new Redis(t.env.REDIS_URL!, { maxRetriesPerRequest: null });
  schedulers = new Queue(opsQueues.schedules, { connection: redis, prefix: t.env.REDIS_PREFIX });
  yclientsQueue = new Queue('yclients', { connection: redis, prefix: t.env.REDIS_PREFIX });
});
afterAll(async () => {
  await schedulers?.close();
  await yclientsQueue?.close();
  redis?.disconnect();
});

const api = () => gatewayClient(t.stack.gateway.url);

describe('quotas', () => {
  it('SCHEDULE_MAX_PER_SOURCE: 10 schedules of one source asked at once store exactly 3; the rest 429 naming the setting; other sources unaffected', async () => {
    // A cron that does not fire during the test (an interval fires at once, and its runs would fill the run quota below).
    const cron = '0 3 1 1 *';
    const asked = Array.from({ length: 10 }, (_, i) => ({ source: 'yclients', params: { companyId: 9000 + i }, cron }));
    const answers = await Promise.all(asked.map((body) => api().call<OrError<Schedule>>('POST', '/api/schedules', body)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(3).fill(201), ...Array(7).fill(429)]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body.error?.code).toBe('quota_exceeded');
      expect(refused.body.error?.message).toContain('SCHEDULE_MAX_PER_SOURCE');
    }
    const created = answers.filter((a) => a.status === 201).map((a) => ({ id: a.body.id, companyId: a.body.params.companyId }));
    const stored = (await t.pool.query(`SELECT id, (params->>'companyId')::int AS "companyId" FROM schedules WHERE source = 'yclients'`))
      .rows;
    expect(new Set(stored.map((r) => JSON.stringify(r)))).toEqual(new Set(created.map((r) => JSON.stringify(r))));
    expect(new Set((await schedulers.getJobSchedulers()).map((s) => s.key))).toEqual(new Set(created.map((c) => c.id)));
    // Another source has its own quota.
    expect((await api().call('POST', '/api/schedules', { source: 'datawiz', cron })).status).toBe(201);
    // Deleting one frees its place.
    expect((await api().call('DELETE', `/api/schedules/${created[0]!.id}`)).status).toBe(200);
    expect((await api().call('POST', '/api/schedules', { source: 'yclients', params: { companyId: 9100 }, cron })).status).toBe(201);
  });

  it('RUN_MAX_QUEUED_PER_SOURCE: of 8 distinct syncs, 5 are queued and 3 refused (429) with no run row and no job; an identical request still answers its run; freed once runs leave the queue', async () => {
    const companies = Array.from({ length: 8 }, (_, i) => 7000 + i);
    const answers: GatewayAnswer<OrError<Submitted>>[] = [];
    for (const companyId of companies) answers.push(await api().call<OrError<Submitted>>('POST', '/api/yclients/sync', { companyId }));
    expect(answers.map((a) => a.status)).toEqual([...Array(5).fill(200), ...Array(3).fill(429)]);
    for (const refused of answers.slice(5)) {
      expect(refused.body.error?.code).toBe('quota_exceeded');
      expect(refused.body.error?.message).toContain('RUN_MAX_QUEUED_PER_SOURCE');
    }
    const accepted = answers.slice(0, 5).map((a, i) => ({ id: a.body.parser_uuid, companyId: companies[i]! }));
    const rows = (
      await t.pool.query(`SELECT id, (params->>'companyId')::int AS "companyId", state FROM sync_runs WHERE source = 'yclients'`)
    ).rows;
    expect(new Set(rows.map((r) => JSON.stringify(r)))).toEqual(new Set(accepted.map((r) => JSON.stringify({ ...r, state: 'queued' }))));
    const jobs = await yclientsQueue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(accepted.map((r) => r.id)));
    // Asking again for a run that is queued answers it: the quota limits new work only.
    const again = await api().call<Submitted>('POST', '/api/yclients/sync', { companyId: accepted[0]!.companyId });
    expect(again.status).toBe(200);
    expect(again.body.parser_uuid).toBe(accepted[0]!.id);
    // Another source has its own quota.
    expect((await api().call('POST', '/api/datawiz/sync', {})).status).toBe(200);
    // The POST /api/runs route is held to the same quota.
    const generic = await api().call('POST', '/api/runs', { source: 'yclients', params: { companyId: 7100 } });
    expect(generic.status).toBe(429);

    // A worker takes the queued runs (these companies do not exist upstream: they end failed); the queue has room again.
    const worker = await startYclientsWorker(loadConfig(t.env), createLogger({ name: 'worker', level: 'silent' }));
    try {
      await waitFor(
        async () =>
          (await t.pool.query(`SELECT count(*)::int AS n FROM sync_runs WHERE source = 'yclients' AND state = 'queued'`)).rows[0].n === 0
            ? true
            : undefined,
        { timeoutMs: 60_000, what: 'the queued runs to be taken' },
      );
    } finally {
      await worker.close();
    }
    const after = await api().call('POST', '/api/yclients/sync', { companyId: 7100 });
    expect(after.status).toBe(200);
  });

  it('RUN_MAX_QUEUED_PER_SOURCE under a burst: 40 distinct syncs at once queue at least 5 and at most 5 + the submissions in flight (DATABASE_POOL_MAX, 10); a schedule tick then is refused', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `${'b'.repeat(24)}${String(i).padStart(8, '0')}`);
    const answers = await Promise.all(users.map((user) => api().call<OrError<Submitted>>('GET', `/api/avito/user?user=${user}`)));
    const accepted = answers.filter((a) => a.status === 200).map((a) => a.body.parser_uuid);
    expect(answers.every((a) => a.status === 200 || (a.status === 429 && a.body.error?.code === 'quota_exceeded'))).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThan(5 + 10);
    const rows = (await t.pool.query(`SELECT id FROM sync_runs WHERE source = 'avito'`)).rows.map((r) => r.id as string);
    expect(new Set(rows)).toEqual(new Set(accepted));

    // A schedule's tick while the queue is full starts nothing and says so (an interval ticks at once).
    const schedule = await api().call<Schedule>('POST', '/api/schedules', {
      source: 'avito',
      job: 'avito.user',
      params: { user: 'c'.repeat(32) },
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
