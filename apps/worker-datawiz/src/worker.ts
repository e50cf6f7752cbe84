import type { Env } from '@datasync/config';
import { DatawizClient, datawizOptionsFromConfig } from '@datasync/datawiz-client';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { createRedis, startSourceWorker } from '@datasync/runs';
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
  const running = await startSourceWorker({ source: 'datawiz', handlers: datawizHandlers(client), config, redis, pool: db.pool, log });

  return {
    async close() {
      await running.close();
      redis.disconnect();
      await db.close();
    },
  };
}
