import type { Env } from '@datasync/config';
import { UpstreamRateLimiter } from '@datasync/connector-kit';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { closeQueues, createQueues, createRedis, createRunWorker, requeueOrphans } from '@datasync/runs';
import { avitoHandlers } from './sync';
import { AvitoTransport } from './transport';

export interface RunningAvitoWorker {
  close(): Promise<void>;
}

/** Opens Postgres and Redis and consumes the `avito` queue until `close()`. */
export async function startAvitoWorker(config: Env, log: Logger): Promise<RunningAvitoWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'datasync-worker-avito' });
  const redis = createRedis(config.REDIS_URL);
  const transport = new AvitoTransport({
    baseURL: config.AVITO_BASE_URL,
    mobileKey: config.AVITO_MOBILE_KEY,
    pageSize: config.AVITO_PAGE_SIZE,
    timeoutMs: config.HTTP_TIMEOUT_MS,
    retry: { retries: config.HTTP_RETRIES, baseMs: config.HTTP_RETRY_BASE_MS, maxMs: config.HTTP_RETRY_MAX_MS },
    // One budget for every worker process: Avito bans by IP, not by process.
    limiter: new UpstreamRateLimiter('avito', [{ points: config.AVITO_REQUESTS_PER_MINUTE, durationSeconds: 60 }], {
      redis,
      prefix: config.REDIS_PREFIX,
    }),
    log,
  });
  const worker = createRunWorker({
    source: 'avito',
    handlers: avitoHandlers(transport, config.AVITO_MAX_PAGES),
    connection: redis,
    prefix: config.REDIS_PREFIX,
    pool: db.pool,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
  });
  await worker.waitUntilReady();

  // Runs whose job vanished (a gateway that died mid-submit, a Redis that lost data) are enqueued again.
  const queues = createQueues(redis, config.REDIS_PREFIX);
  const sweep = async () => {
    const n = await requeueOrphans({ pool: db.pool, queues }, 'avito', config.WORKER_LOCK_MS * 2).catch((err: Error) => {
      log.warn({ err: err.message }, 'orphan sweep failed');
      return 0;
    });
    if (n > 0) log.warn({ requeued: n }, 'requeued runs whose job was missing');
  };
  const timer = setInterval(() => void sweep(), 60_000);
  timer.unref();
  void sweep();

  return {
    async close() {
      clearInterval(timer);
      await worker.close();
      await closeQueues(queues);
      redis.disconnect();
      await db.close();
    },
  };
}
