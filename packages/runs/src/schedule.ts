import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import type { SourceName } from '@datasync/queues';
import { submitRun, type QueueSet } from './submit';

/** A run started on a timer: every `everyMs`, or on a cron `pattern` in `tz`. No repeat removes it. */
export interface RunSchedule {
  /** Stable id: the BullMQ job scheduler is upserted under it, so restarts and replicas keep one. */
  id: string;
  repeat?: { everyMs: number } | { pattern: string; tz?: string };
  source: SourceName;
  jobName: string;
  /** The run's parameters, computed when the timer fires (e.g. "yesterday"). */
  params(): unknown;
}

export interface RunningSchedules {
  close(): Promise<void>;
}

/**
 * Timers that start runs: one BullMQ job scheduler per schedule on the `queue` (upsert by a fixed
 * id, so however many worker processes start there is one schedule each), and a worker whose jobs
 * submit the run through `submitRun`, like an API call (a `sync_runs` row, dedup, retries). A
 * schedule without `repeat` is removed, so switching one off by configuration takes effect.
 */
export async function startRunSchedules(options: {
  connection: Redis;
  prefix: string;
  queue: string;
  pool: pg.Pool;
  queues: QueueSet;
  log: Logger;
  schedules: RunSchedule[];
}): Promise<RunningSchedules> {
  const { log } = options;
  const queue = new Queue(options.queue, { connection: options.connection, prefix: options.prefix });
  const byId = new Map(options.schedules.map((s) => [s.id, s]));
  for (const s of options.schedules) {
    if (!s.repeat) {
      await queue.removeJobScheduler(s.id);
      log.info({ schedule: s.id }, 'schedule disabled');
      continue;
    }
    const repeat = 'everyMs' in s.repeat ? { every: s.repeat.everyMs } : { pattern: s.repeat.pattern, tz: s.repeat.tz };
    await queue.upsertJobScheduler(s.id, repeat, { name: s.id, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    log.info({ schedule: s.id, ...repeat }, 'schedule set');
  }
  const worker = new Worker(
    options.queue,
    async (job) => {
      const s = byId.get(job.name);
      if (!s) return { skipped: `unknown schedule ${job.name}` };
      const params = s.params();
      const { runId, deduplicated } = await submitRun({ pool: options.pool, queues: options.queues }, s.source, s.jobName, params);
      log.info({ schedule: s.id, runId, params, deduplicated }, 'scheduled run submitted');
      return { runId };
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => log.error({ err: err.message }, 'schedule worker error'));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
