import { httpSettings, KeyedCooldown, MethodLimiter, type MethodGroup } from '@datasync/connector-kit';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import { MARKETPLACES, type Marketplace } from '@datasync/queues';
import { deleteSchedule, ensureSchedule, schedulesQueue } from '@datasync/runs';
import { accountKey } from './connectors/http';
import { OZON_GROUPS, WB_GROUPS, YM_GROUPS } from './connectors/limits';
import { OzonConnector } from './connectors/ozon';
import type { Connector } from './connectors/types';
import { WbConnector } from './connectors/wb';
import { YmConnector } from './connectors/ym';
import type { MarketplacesConfig } from './source';

/**
 * The three marketplaces' connectors. Each keeps its marketplace's documented per-method limits
 * (connectors/limits.ts) per seller account, shared by every worker process through Redis; Ozon also
 * its one update per (product, warehouse) every 30 s.
 */
export function createConnectors(config: MarketplacesConfig, log: Logger, redis: Redis | Cluster): Record<Marketplace, Connector> {
  const prefix = `${config.REDIS_PREFIX}:mp`;
  const limiter = (scope: string, groups: MethodGroup[]) => new MethodLimiter(scope, groups, { redis, prefix });
  const http = httpSettings(config);
  return {
    ozon: new OzonConnector({
      baseURL: config.OZON_BASE_URL,
      clientId: config.OZON_CLIENT_ID,
      apiKey: config.OZON_API_KEY,
      batchSize: config.OZON_STOCK_BATCH,
      limiter: limiter(`ozon:${accountKey(config.OZON_CLIENT_ID)}`, OZON_GROUPS),
      // Ozon: one update per (product, warehouse) every 30 s (reference §2.5), counted at Ozon: 1 s of margin by default.
      pairCooldown: new KeyedCooldown(redis, `${prefix}:ozon-pair`, config.OZON_STOCK_PAIR_INTERVAL_MS),
      ...http,
      log,
    }),
    wb: new WbConnector({
      hosts: { marketplace: config.WB_MARKETPLACE_BASE_URL, content: config.WB_CONTENT_BASE_URL, analytics: config.WB_ANALYTICS_BASE_URL },
      token: config.WB_TOKEN,
      batchSize: config.WB_STOCK_BATCH,
      limiter: limiter(`wb:${accountKey(config.WB_TOKEN)}`, WB_GROUPS),
      ...http,
      log,
    }),
    ym: new YmConnector({
      baseURL: config.YM_BASE_URL,
      apiKey: config.YM_API_KEY,
      batchSize: config.YM_STOCK_BATCH,
      limiter: limiter(`ym:${accountKey(config.YM_API_KEY)}`, YM_GROUPS),
      ...http,
      log,
    }),
  };
}

/** The fixed ids of the schedules the worker keeps (visible and pausable at /api/schedules). */
export const MARKETPLACE_SCHEDULE_IDS = {
  'poll-ozon': 'c0ffee04-0000-4000-8000-000000000001',
  'poll-wb': 'c0ffee04-0000-4000-8000-000000000002',
  'poll-ym': 'c0ffee04-0000-4000-8000-000000000003',
  push: 'c0ffee04-0000-4000-8000-000000000004',
  catalog: 'c0ffee04-0000-4000-8000-000000000005',
} as const;

interface MarketplaceSchedule {
  id: string;
  name: string;
  jobName: string;
  params: Record<string, unknown>;
  /** Undefined: the schedule is removed (interval 0, or no marketplace configured). */
  everyMs?: number;
}

/** The timers: a poll per configured marketplace, a push, a catalogue refresh (each off when its interval is 0). */
export function marketplaceSchedules(config: MarketplacesConfig, connectors: Record<Marketplace, Connector>): MarketplaceSchedule[] {
  const every = (ms: number) => (ms > 0 ? ms : undefined);
  const anyConfigured = MARKETPLACES.some((m) => connectors[m].configured);
  return [
    ...MARKETPLACES.map((m) => ({
      id: MARKETPLACE_SCHEDULE_IDS[`poll-${m}`],
      name: `Marketplaces: poll ${m}`,
      jobName: 'marketplaces.poll',
      params: { marketplace: m },
      everyMs: connectors[m].configured ? every(config.MARKETPLACES_POLL_INTERVAL_MS) : undefined,
    })),
    {
      id: MARKETPLACE_SCHEDULE_IDS.push,
      name: 'Marketplaces: push stock',
      jobName: 'marketplaces.push',
      params: {},
      everyMs: anyConfigured ? every(config.MARKETPLACES_PUSH_INTERVAL_MS) : undefined,
    },
    {
      id: MARKETPLACE_SCHEDULE_IDS.catalog,
      name: 'Marketplaces: read catalogues',
      jobName: 'marketplaces.catalog',
      params: {},
      everyMs: anyConfigured ? every(config.MARKETPLACES_CATALOG_INTERVAL_MS) : undefined,
    },
  ];
}

/**
 * Brings the marketplaces' schedules in line with the configuration (ordinary schedules under fixed
 * ids, whose ticks the gateways turn into runs; several workers starting keep one of each).
 */
export async function ensureMarketplaceSchedules(options: {
  redis: Redis | Cluster;
  prefix: string;
  pool: pg.Pool;
  log: Logger;
  schedules: MarketplaceSchedule[];
}): Promise<void> {
  const queue = schedulesQueue(options.redis, options.prefix);
  try {
    for (const s of options.schedules) {
      if (s.everyMs === undefined) {
        await deleteSchedule({ pool: options.pool, queue }, s.id);
        continue;
      }
      await ensureSchedule(
        { pool: options.pool, queue },
        { id: s.id, name: s.name, source: 'marketplaces', jobName: s.jobName, params: s.params, everyMs: s.everyMs },
      );
      options.log.debug({ scheduleId: s.id, job: s.jobName, params: s.params, everyMs: s.everyMs }, 'marketplaces schedule set');
    }
  } finally {
    await queue.close();
  }
}
