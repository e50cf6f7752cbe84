import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import { startRunSchedules, type QueueSet, type RunningSchedules } from '@datasync/runs';

export const SCHEDULE_QUEUE = 'itresume-schedule';
export const SCHEDULER_ID = 'itresume-daily';

/** The calendar date before `now` in `timeZone` (YYYY-MM-DD). */
export function yesterdayIn(timeZone: string, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** `HH:MM` → a 5-field cron pattern. */
export function cronOf(dailyAt: string): string {
  const [h, m] = dailyAt.split(':').map(Number);
  return `${m} ${h} * * *`;
}

export type DailySchedule = RunningSchedules;

/**
 * The daily trigger (a run schedule of packages/runs): at `dailyAt` in `timeZone` it submits an
 * `itresume.sync` run for yesterday in that zone. An empty `dailyAt` removes the schedule.
 */
export async function startDailySchedule(options: {
  connection: Redis;
  prefix: string;
  dailyAt: string;
  timeZone: string;
  pool: pg.Pool;
  queues: QueueSet;
  log: Logger;
}): Promise<DailySchedule> {
  return startRunSchedules({
    ...options,
    queue: SCHEDULE_QUEUE,
    schedules: [
      {
        id: SCHEDULER_ID,
        repeat: options.dailyAt ? { pattern: cronOf(options.dailyAt), tz: options.timeZone } : undefined,
        source: 'itresume',
        jobName: 'itresume.sync',
        params: () => {
          const day = yesterdayIn(options.timeZone);
          return { start: day, end: day };
        },
      },
    ],
  });
}
