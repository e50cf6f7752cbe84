import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import { dateIn, deleteSchedule, ensureSchedule, schedulesQueue } from '@datasync/runs';

/** The daily load is an ordinary schedule (GET /api/schedules) under this fixed id. */
export const DAILY_SCHEDULE_ID = 'c0ffee00-1d0e-4d1e-8a11-17e5a3e0da11';

/** The calendar date before `now` in `timeZone` (YYYY-MM-DD). */
export function yesterdayIn(timeZone: string, now = new Date()): string {
  return dateIn(timeZone, 1, now);
}

/** `HH:MM` → a 5-field cron pattern. */
export function cronOf(dailyAt: string): string {
  const [h, m] = dailyAt.split(':').map(Number);
  return `${m} ${h} * * *`;
}

/**
 * The daily trigger: the schedule `DAILY_SCHEDULE_ID` (cron from ITRESUME_DAILY_AT in
 * ITRESUME_TIMEZONE) loading `{start, end}` = `{{yesterday}}` in that zone, kept in line with the
 * configuration at every start (several workers keep exactly one). Its ticks are consumed like
 * every schedule's, by the gateways; an empty ITRESUME_DAILY_AT removes it.
 */
export async function ensureDailySchedule(options: {
  connection: Redis | Cluster;
  prefix: string;
  dailyAt: string;
  timeZone: string;
  pool: pg.Pool;
  log: Logger;
}): Promise<void> {
  const { log } = options;
  const queue = schedulesQueue(options.connection, options.prefix);
  // Before schedules existed, the daily run had a scheduler of its own: gone, so it fires once.
  const legacy = new Queue('itresume-schedule', { connection: options.connection, prefix: options.prefix });
  await legacy.removeJobScheduler('itresume-daily').finally(() => legacy.close());
  try {
    if (options.dailyAt) {
      const pattern = cronOf(options.dailyAt);
      await ensureSchedule(
        { pool: options.pool, queue },
        {
          id: DAILY_SCHEDULE_ID,
          name: 'IT Resume daily load',
          source: 'itresume',
          jobName: 'itresume.sync',
          params: { start: '{{yesterday}}', end: '{{yesterday}}' },
          cron: pattern,
          timezone: options.timeZone,
        },
      );
      log.info({ pattern, tz: options.timeZone, scheduleId: DAILY_SCHEDULE_ID }, 'itresume daily schedule set');
    } else {
      await deleteSchedule({ pool: options.pool, queue }, DAILY_SCHEDULE_ID);
      log.info('itresume daily schedule disabled (ITRESUME_DAILY_AT empty)');
    }
  } finally {
    await queue.close();
  }
}
