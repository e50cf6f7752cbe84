import type { Env } from '@datasync/config';
import { httpSettings, UpstreamRateLimiter } from '@datasync/connector-kit';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { createRedis, startSourceWorker } from '@datasync/runs';
import { yclientsHandlers } from './sync';
import { YclientsTransport } from './transport';

export interface RunningYclientsWorker {
  close(): Promise<void>;
}

/** Opens Postgres and Redis and consumes the `yclients` queue until `close()`. */
export async function startYclientsWorker(config: Env, log: Logger): Promise<RunningYclientsWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'datasync-worker-yclients' });
  const redis = createRedis(config.REDIS_URL);
  const transport = new YclientsTransport({
    baseURL: config.YCLIENTS_BASE_URL,
    credentials: {
      partnerToken: config.YCLIENTS_PARTNER_TOKEN,
      userToken: config.YCLIENTS_USER_TOKEN,
      login: config.YCLIENTS_LOGIN,
      password: config.YCLIENTS_PASSWORD,
    },
    pageSize: config.YCLIENTS_PAGE_SIZE,
    ...httpSettings(config),
    // One budget for every worker process: YClients limits per IP (reference §2.6).
    limiter: new UpstreamRateLimiter(
      'yclients',
      [
        { points: config.YCLIENTS_REQUESTS_PER_SECOND, durationSeconds: 1 },
        { points: config.YCLIENTS_REQUESTS_PER_MINUTE, durationSeconds: 60 },
      ],
      { redis, prefix: `${config.REDIS_PREFIX}:yclients` },
    ),
    log,
  });
  const running = await startSourceWorker({ source: 'yclients', handlers: yclientsHandlers(transport), config, redis, pool: db.pool, log });

  return {
    async close() {
      await running.close();
      redis.disconnect();
      await db.close();
    },
  };
}
