import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsQueues } from '@datasync/queues';
import { startStack, type Stack } from '../helpers';
import type { ErrorAnswer, Schedule } from '@datasync/testkit';
import { allSources, gatewayClient, runBody, useBench } from './sources';

/**
 * SCHEDULE_MIN_INTERVAL_SECONDS holds over a cron expression's whole cycle, not only between its
 * next two times, and only the five standard cron fields are accepted (a seconds field, Quartz's
 * extensions and short forms such as "1" are refused by name). Expected gaps are worked out by hand
 * in the comments, not by the code under test.
 */

const t = useBench();
/** Whose schedules: any source (the interval rule is the same for all). */
const schedule = runBody(allSources[0]!);
/** A second gateway of the same deployment whose minimum interval is two hours. */
let twoHours: Stack;
let redis: Redis;
let schedulers: Queue;
beforeAll(async () => {
  twoHours = await startStack({ ...t.env, SCHEDULE_MIN_INTERVAL_SECONDS: '7200' }, { workers: [] });
  redis = new Redis(t.env.REDIS_URL!, { maxRetriesPerRequest: null });
  schedulers = new Queue(opsQueues.schedules, { connection: redis, prefix: t.env.REDIS_PREFIX });
});
afterAll(async () => {
  await twoHours?.close();
  await schedulers?.close();
  redis?.disconnect();
});

const nothingStored = async () => {
  expect((await t.pool.query('SELECT id, cron FROM schedules')).rows).toEqual([]);
  expect(await schedulers.getJobSchedulers()).toEqual([]);
};

describe('schedule minimum interval', () => {
  it('refuses non-standard cron expressions by name (default minimum, 60 s), storing nothing', async () => {
    const api = gatewayClient(t.stack.gateway.url);
    const refused: [string, RegExp][] = [
      // The case: seconds 0-29 and 59 of every second minute, 30 runs one second apart.
      ['0-29,59 */2 * * * *', /five standard fields.*seconds field/],
      // A seconds field even at a long interval: second 0 of every fifth minute.
      ['0 */5 * * * *', /seconds field/],
      // cron-parser reads "1" as every minute of Mondays.
      ['1', /five standard fields/],
      ['@hourly', /five standard fields/],
      ['0 0 L * *', /day of month field/],
      ['0 0 * * 1#2', /day of week field/],
      ['0 0 31 4,6 *', /never fires/],
    ];
    for (const [cron, message] of refused) {
      const res = await api.call<ErrorAnswer>('POST', '/api/schedules', { ...schedule, cron });
      expect(res.status, cron).toBe(400);
      expect(res.body.errors, cron).toEqual([{ field: 'cron', message: expect.stringMatching(message) }]);
    }
    await nothingStored();
  });

  it('measures the smallest gap over the whole cycle, not the next two times', async () => {
    const api = gatewayClient(twoHours.gateway.url);
    const refused = [
      // Jan 1 00:00 and 23:00, Jan 2 00:00 and 23:00: 23 h, then 1 h (Jan 1 23:00 → Jan 2 00:00). From any day but
      // Jan 1 the next two times are 23 h apart.
      '0 0,23 1,2 1 *',
      // 00:00 and 01:00 of every day: 1 h, then 23 h.
      '0 0,1 * * *',
      // Every minute of one hour a year.
      '* 5 1 1 *',
      // 23:30 and 00:30 on Fridays and Saturdays: 1 h from Friday to Saturday.
      '30 0,23 * * 5,6',
    ];
    for (const cron of refused) {
      const res = await api.call<ErrorAnswer>('POST', '/api/schedules', { ...schedule, cron });
      expect(res.status, cron).toBe(400);
      expect(res.body.errors, cron).toEqual([{ field: 'cron', message: expect.stringContaining('SCHEDULE_MIN_INTERVAL_SECONDS') }]);
    }
    await nothingStored();
    // At the minimum (every 2 h; 23:00 Sunday to 01:00 Monday = 2 h) and above: accepted and realised.
    const accepted = ['0 */2 * * *', '0 1,23 * * *', '30 6 * * 1', '0 0 29 2 *'];
    const ids: string[] = [];
    for (const cron of accepted) {
      const res = await api.call<Schedule>('POST', '/api/schedules', {
        ...schedule,
        cron,
        timezone: 'Europe/Moscow',
      });
      expect(res.status, `${cron}: ${res.text}`).toBe(201);
      expect(Date.parse(res.body.nextRunAt ?? '')).toBeGreaterThan(Date.now() - 1000);
      ids.push(res.body.id);
    }
    expect(new Set((await t.pool.query('SELECT cron FROM schedules')).rows.map((r) => r.cron))).toEqual(new Set(accepted));
    expect(new Set((await schedulers.getJobSchedulers()).map((s) => s.key))).toEqual(new Set(ids));
    for (const id of ids) expect((await api.call('DELETE', `/api/schedules/${id}`)).status).toBe(200);
  });
});
