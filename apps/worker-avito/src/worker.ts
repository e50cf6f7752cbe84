import type { Env } from '@datasync/config';
import { httpSettings, UpstreamRateLimiter } from '@datasync/connector-kit';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { createRedis, startSourceWorker } from '@datasync/runs';
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
    ...httpSettings(config),
    // One budget for every worker process: Avito bans by IP, not by process.
    limiter: new UpstreamRateLimiter('avito', [{ points: config.AVITO_REQUESTS_PER_MINUTE, durationSeconds: 60 }], {
      redis,
      prefix: config.REDIS_PREFIX,
    }),
    log,
  });
  const running = await startSourceWorker({ source: 'avito', handlers: avitoHandlers(transport, config.AVITO_MAX_PAGES), config, redis, pool: db.pool, log });

  return {
    async close() {
      await running.close();
      redis.disconnect();
      await db.close();
    },
  };
}
