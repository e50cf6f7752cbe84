import type pg from 'pg';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@datasync/logger';
import { JobCatalog, type QueuedSource } from '@datasync/queues';
import { closeQueues, createQueues, requeueOrphans, type QueueSet } from './submit';
import { RunLifecycle } from './lifecycle';
import { createRunWorker, type AnyHandlers, type RunWorkerOptions } from './worker';

/** The settings every worker app runs its queue with (a part of the config). */
export interface WorkerSettings {
  REDIS_PREFIX: string;
  WORKER_CONCURRENCY: number;
  WORKER_LOCK_MS: number;
  WORKER_STALLED_INTERVAL_MS: number;
  /** Default one minute. */
  WORKER_ORPHAN_SWEEP_MS?: number;
  /** Attempts and first backoff of the jobs this worker enqueues (orphans re-enqueued, runs it submits). */
  JOB_ATTEMPTS: number;
  JOB_BACKOFF_MS: number;
  RUN_LOG_MAX_LINES: number;
  RUN_LOG_TTL_DAYS: number;
}

/** The job options JOB_ATTEMPTS and JOB_BACKOFF_MS give (the gateway's and the workers' queues alike). */
export function jobOptionsOf(config: { JOB_ATTEMPTS: number; JOB_BACKOFF_MS: number }) {
  return { attempts: config.JOB_ATTEMPTS, backoff: { type: 'exponential' as const, delay: config.JOB_BACKOFF_MS } };
}

export interface RunningSourceWorker {
  worker: Worker;
  /** The source's own queue, for sources that also enqueue (a push requested by a poll). */
  queues: QueueSet;
  /** Stops taking jobs (finishing those in hand) and the sweep; the caller closes Redis and Postgres. */
  close(): Promise<void>;
}

/**
 * What every `apps/worker-<source>` runs (through `startSourceWorker`, bootstrap.ts): the source's
 * run worker, plus a sweep that re-enqueues runs whose job vanished (a gateway that died
 * mid-submit, a Redis that lost data), every WORKER_ORPHAN_SWEEP_MS.
 */
export async function startQueueWorker(options: {
  source: QueuedSource;
  handlers: AnyHandlers;
  config: WorkerSettings;
  redis: Redis;
  pool: pg.Pool;
  log: Logger;
  /** Opens each run's connection, records its state (default: the environment connection only). */
  connections?: RunWorkerOptions['connections'];
  markConnection?: RunWorkerOptions['markConnection'];
}): Promise<RunningSourceWorker> {
  const { config, log, pool } = options;
  const lifecycle = new RunLifecycle(options.redis, config.REDIS_PREFIX, {
    maxLines: config.RUN_LOG_MAX_LINES,
    ttlSeconds: config.RUN_LOG_TTL_DAYS * 86_400,
  });
  const worker = createRunWorker({
    lifecycle,
    source: options.source,
    handlers: options.handlers,
    connection: options.redis,
    prefix: config.REDIS_PREFIX,
    pool,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    connections: options.connections,
    markConnection: options.markConnection,
  });
  await worker.waitUntilReady();

  const queues = createQueues(new JobCatalog([options.source]), options.redis, config.REDIS_PREFIX, jobOptionsOf(config), log);
  const sweep = async () => {
    const n = await requeueOrphans({ pool, queues }, options.source.name, config.WORKER_LOCK_MS * 2).catch((err: Error) => {
      log.warn({ err: err.message }, 'orphan sweep failed');
      return 0;
    });
    if (n > 0) log.warn({ requeued: n }, 'requeued runs whose job was missing');
  };
  const timer = setInterval(() => void sweep(), config.WORKER_ORPHAN_SWEEP_MS ?? 60_000);
  timer.unref();
  void sweep();

  return {
    worker,
    queues,
    async close() {
      clearInterval(timer);
      await worker.close();
      await closeQueues(queues);
      await lifecycle.close();
    },
  };
}
