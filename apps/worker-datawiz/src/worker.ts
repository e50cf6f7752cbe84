import type { Env } from '@datasync/config';
import { DatawizClient, datawizOptionsFromConfig } from '@datasync/datawiz-client';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { closeQueues, createQueues, createRedis, createRunWorker, requeueOrphans } from '@datasync/runs';
import { datawizHandlers } from './sync';

export interface RunningDatawizWorker {
  close(): Promise<void>;
}

/** Opens Postgres and Redis and consumes the `datawiz` queue until `close()`. */
export async function startDatawizWorker(config: Env, log: Logger): Promise<RunningDatawizWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'datasync-worker-datawiz' });
  const redis = createRedis(config.REDIS_URL);
  const client = new DatawizClient(datawizOptionsFromConfig(config, log));
  if (!config.DATAWIZ_USERNAME || !config.DATAWIZ_PASSWORD || !config.DATAWIZ_CLIENT_ID || !config.DATAWIZ_CLIENT_SECRET) {
    log.warn('Datawiz credentials are not configured: sync runs will fail until DATAWIZ_CLIENT_ID/SECRET and DATAWIZ_USERNAME/PASSWORD are set');
  }
  const worker = createRunWorker({
    source: 'datawiz',
    handlers: datawizHandlers(client),
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
    const n = await requeueOrphans({ pool: db.pool, queues }, 'datawiz', config.WORKER_LOCK_MS * 2).catch((err: Error) => {
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
