import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import { submitRun, type QueueSet } from '@datasync/runs';

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

export interface DailySchedule {
  close(): Promise<void>;
}

/**
 * The daily trigger: a BullMQ job scheduler (upsert by a fixed id, so restarts and several worker
 * processes keep exactly one), whose jobs submit an `itresume.sync` run for yesterday in `timeZone`.
 * The run itself goes through submitRun like an API call (a `sync_runs` row, dedup, retries).
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
  const { log } = options;
  const queue = new Queue(SCHEDULE_QUEUE, { connection: options.connection, prefix: options.prefix });
  if (options.dailyAt) {
    const pattern = cronOf(options.dailyAt);
    await queue.upsertJobScheduler(SCHEDULER_ID, { pattern, tz: options.timeZone }, { name: 'itresume.daily', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    log.info({ pattern, tz: options.timeZone }, 'itresume daily schedule set');
  } else {
    await queue.removeJobScheduler(SCHEDULER_ID);
    log.info('itresume daily schedule disabled (ITRESUME_DAILY_AT empty)');
  }
  const worker = new Worker(
    SCHEDULE_QUEUE,
    async () => {
      const day = yesterdayIn(options.timeZone);
      const { runId, deduplicated } = await submitRun({ pool: options.pool, queues: options.queues }, 'itresume', 'itresume.sync', { start: day, end: day });
      log.info({ runId, day, deduplicated }, 'daily itresume run submitted');
      return { runId };
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
