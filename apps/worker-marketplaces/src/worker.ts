import type { Env } from '@datasync/config';
import { httpSettings, UpstreamRateLimiter, type RateLimit } from '@datasync/connector-kit';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { MARKETPLACES, type Marketplace } from '@datasync/queues';
import { createRedis, startRunSchedules, startSourceWorker, submitRun, type QueueSet, type RunSchedule } from '@datasync/runs';
import { OzonConnector } from './connectors/ozon';
import type { Connector } from './connectors/types';
import { WbConnector } from './connectors/wb';
import { YmConnector } from './connectors/ym';
import { marketplaceHandlers } from './sync';

export const SCHEDULE_QUEUE = 'marketplaces-schedule';

export interface RunningMarketplacesWorker {
  close(): Promise<void>;
}

/** The three marketplaces' connectors, each with a request budget and a push budget shared through Redis. */
export function createConnectors(config: Env, log: Logger, redis?: ReturnType<typeof createRedis>): Record<Marketplace, Connector> {
  const limiter = (key: string, limits: RateLimit[]) => new UpstreamRateLimiter(key, limits, { redis, prefix: `${config.REDIS_PREFIX}:${key}` });
  const http = httpSettings(config);
  return {
    ozon: new OzonConnector({
      baseURL: config.OZON_BASE_URL,
      clientId: config.OZON_CLIENT_ID,
      apiKey: config.OZON_API_KEY,
      batchSize: config.OZON_STOCK_BATCH,
      limiter: limiter('ozon', [config.OZON_RATE]),
      pushLimiter: limiter('ozon-push', [config.OZON_STOCK_PUSH_RATE, config.OZON_RATE]),
      ...http,
      log,
    }),
    wb: new WbConnector({
      baseURL: config.WB_BASE_URL,
      token: config.WB_TOKEN,
      batchSize: config.WB_STOCK_BATCH,
      limiter: limiter('wb', [config.WB_RATE]),
      pushLimiter: limiter('wb-push', [config.WB_STOCK_PUSH_RATE]),
      ...http,
      log,
    }),
    ym: new YmConnector({
      baseURL: config.YM_BASE_URL,
      apiKey: config.YM_API_KEY,
      batchSize: config.YM_STOCK_BATCH,
      limiter: limiter('ym', [config.YM_RATE]),
      pushLimiter: limiter('ym-push', [config.YM_STOCK_PUSH_RATE]),
      ...http,
      log,
    }),
  };
}

/** The timers: a poll per configured marketplace, a push, a catalogue refresh (each off when its interval is 0). */
export function marketplaceSchedules(config: Env, connectors: Record<Marketplace, Connector>): RunSchedule[] {
  const every = (ms: number) => (ms > 0 ? { everyMs: ms } : undefined);
  const anyConfigured = MARKETPLACES.some((m) => connectors[m].configured);
  return [
    ...MARKETPLACES.map((m) => ({
      id: `marketplaces-poll-${m}`,
      repeat: connectors[m].configured ? every(config.MARKETPLACES_POLL_INTERVAL_MS) : undefined,
      source: 'marketplaces' as const,
      jobName: 'marketplaces.poll',
      params: () => ({ marketplace: m }),
    })),
    {
      id: 'marketplaces-push',
      repeat: anyConfigured ? every(config.MARKETPLACES_PUSH_INTERVAL_MS) : undefined,
      source: 'marketplaces',
      jobName: 'marketplaces.push',
      params: () => ({}),
    },
    {
      id: 'marketplaces-catalog',
      repeat: anyConfigured ? every(config.MARKETPLACES_CATALOG_INTERVAL_MS) : undefined,
      source: 'marketplaces',
      jobName: 'marketplaces.catalog',
      params: () => ({}),
    },
  ];
}

/** Opens Postgres and Redis, consumes the `marketplaces` queue and keeps the poll/push schedules, until `close()`. */
export async function startMarketplacesWorker(config: Env, log: Logger): Promise<RunningMarketplacesWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'datasync-worker-marketplaces' });
  const redis = createRedis(config.REDIS_URL);
  const connectors = createConnectors(config, log, redis);
  for (const m of MARKETPLACES) if (!connectors[m].configured) log.warn({ marketplace: m }, 'credentials are not configured: this marketplace is neither polled nor pushed');
  // The run worker owns the queues; the push request needs them once it is running.
  const late: { queues?: QueueSet } = {};
  const handlers = marketplaceHandlers({
    connectors,
    poll: { overlapMs: config.MARKETPLACES_POLL_OVERLAP_MS, firstPollDays: config.MARKETPLACES_FIRST_POLL_DAYS },
    pushRetryMs: config.MARKETPLACES_PUSH_RETRY_MS,
    requestPush: async () => (await submitRun({ pool: db.pool, queues: late.queues! }, 'marketplaces', 'marketplaces.push', {})).runId,
  });
  const running = await startSourceWorker({ source: 'marketplaces', handlers, config, redis, pool: db.pool, log });
  const queues = running.queues;
  late.queues = queues;
  const schedules = await startRunSchedules({
    connection: redis,
    prefix: config.REDIS_PREFIX,
    queue: SCHEDULE_QUEUE,
    pool: db.pool,
    queues,
    log,
    schedules: marketplaceSchedules(config, connectors),
  });
  return {
    async close() {
      await schedules.close();
      await running.close();
      redis.disconnect();
      await db.close();
    },
  };
}
