import type pg from 'pg';
import type { Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@datasync/logger';
import { JobCatalog, type QueuedSource } from '@datasync/queues';
import { closeQueues, createQueues, requeueOrphans, type QueueSet } from './submit';
import { handBackAfterMs, JobsInHand } from './drain';
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
  /**
   * SIGTERM: stops taking jobs at once; the jobs in hand commit their current page and go back to
   * the queue (or finish), those still working near `graceMs` are handed back; then as `close()`.
   */
  drain(graceMs: number): Promise<void>;
  /** True from the moment `drain` was called (`/ready` answers 503). */
  readonly draining: boolean;
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
  redis: Redis | Cluster;
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
  const jobsInHand = new JobsInHand();
  const queues = createQueues(new JobCatalog([options.source]), options.redis, config.REDIS_PREFIX, jobOptionsOf(config), log);
  const worker = createRunWorker({
    lifecycle,
    jobsInHand,
    queues,
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

  const close = async () => {
    clearInterval(timer);
    await worker.close();
    await closeQueues(queues);
    await lifecycle.close();
  };
  return {
    worker,
    queues,
    close,
    get draining() {
      return jobsInHand.signal.aborted;
    },
    async drain(graceMs) {
      jobsInHand.stop();
      // Taking no new job starts now (close() stops the fetch loop before it waits for the jobs in hand).
      const closing = close();
      const deadline = setTimeout(() => {
        void jobsInHand.handBackAll().then((n) => {
          if (n > 0) log.warn({ handedBack: n, graceMs }, 'jobs still working at the shutdown deadline were handed back');
        });
      }, handBackAfterMs(graceMs));
      try {
        await closing;
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}
