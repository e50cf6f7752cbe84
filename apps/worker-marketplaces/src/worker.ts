import { httpSettings, KeyedCooldown, MethodLimiter, type MethodGroup } from '@datasync/connector-kit';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import { MARKETPLACES, type Marketplace } from '@datasync/queues';
import { deleteSchedule, ensureSchedule, ENV_CONNECTION_ID, envConnection, schedulesQueue, type RunConnection } from '@datasync/runs';
import { idsSetting, limitWarehouses } from './cabinet-scope';
import { accountKey } from './connectors/http';
import { OZON_GROUPS, WB_GROUPS, YM_GROUPS } from './connectors/limits';
import { OzonConnector } from './connectors/ozon';
import type { Connector } from './connectors/types';
import { WbConnector } from './connectors/wb';
import { YmConnector } from './connectors/ym';
import type { MarketplacesConfig } from './source';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The three marketplaces' connectors of one connection. The environment connection has all three,
 * from the config; a stored connection is one seller cabinet of one marketplace
 * (`settings.marketplace`), the other two are left unconfigured. Each keeps its marketplace's
 * documented per-method limits (connectors/limits.ts) per cabinet, shared by every worker process
 * through Redis (keys name the stored connection's id, or a hash of the environment's credentials),
 * so one cabinet's 429s never slow another's; Ozon also its one update per (product, warehouse) every 30 s.
 */
export function createConnectors(
  config: MarketplacesConfig,
  log: Logger,
  redis: Redis | Cluster,
  connection: RunConnection = envConnection,
): Record<Marketplace, Connector> {
  const prefix = `${config.REDIS_PREFIX}:mp`;
  const limiter = (scope: string, groups: MethodGroup[]) => new MethodLimiter(scope, groups, { redis, prefix });
  const http = httpSettings(config);
  const stored = connection.id === ENV_CONNECTION_ID ? undefined : connection;
  const c = stored?.credentials ?? {};
  const s = stored?.settings ?? {};
  // A stored cabinet only fills the marketplace it is for; the others get no credentials (unconfigured).
  const mine = (m: Marketplace) => !stored || s.marketplace === m;
  const account = (m: Marketplace, ...credentials: (string | undefined)[]) =>
    stored ? `${m}:${stored.id}` : `${m}:${accountKey(...credentials)}`;
  const ozon = mine('ozon')
    ? { clientId: stored ? text(c.clientId) : config.OZON_CLIENT_ID, apiKey: stored ? text(c.apiKey) : config.OZON_API_KEY }
    : {};
  const wbToken = mine('wb') ? (stored ? text(c.token) : config.WB_TOKEN) : undefined;
  const ymKey = mine('ym') ? (stored ? text(c.apiKey) : config.YM_API_KEY) : undefined;
  // The stored cabinet's settings.warehouseIds / campaignIds narrow what is read and pushed (cabinet-scope.ts).
  const name = stored?.name ?? 'env';
  const only = (m: Marketplace) => (stored && mine(m) ? idsSetting(s, 'warehouseIds') : undefined);
  const connectors = {
    ozon: new OzonConnector({
      baseURL: text(s.baseUrl) && mine('ozon') ? text(s.baseUrl)! : config.OZON_BASE_URL,
      ...ozon,
      batchSize: config.OZON_STOCK_BATCH,
      limiter: limiter(account('ozon', ozon.clientId), OZON_GROUPS),
      // Ozon: one update per (product, warehouse) every 30 s (reference §2.5), counted at Ozon: 1 s of margin by default.
      pairCooldown: new KeyedCooldown(
        redis,
        stored ? `${prefix}:ozon-pair:${stored.id}` : `${prefix}:ozon-pair`,
        config.OZON_STOCK_PAIR_INTERVAL_MS,
      ),
      ...http,
      log,
    }),
    wb: new WbConnector({
      hosts: {
        marketplace: (mine('wb') && text(s.marketplaceBaseUrl)) || config.WB_MARKETPLACE_BASE_URL,
        content: (mine('wb') && text(s.contentBaseUrl)) || config.WB_CONTENT_BASE_URL,
        analytics: (mine('wb') && text(s.analyticsBaseUrl)) || config.WB_ANALYTICS_BASE_URL,
      },
      token: wbToken,
      batchSize: config.WB_STOCK_BATCH,
      limiter: limiter(account('wb', wbToken), WB_GROUPS),
      ...http,
      log,
    }),
    ym: new YmConnector({
      baseURL: (mine('ym') && text(s.baseUrl)) || config.YM_BASE_URL,
      apiKey: ymKey,
      batchSize: config.YM_STOCK_BATCH,
      campaignIds: stored && mine('ym') ? idsSetting(s, 'campaignIds') : undefined,
      connectionName: name,
      limiter: limiter(account('ym', ymKey), YM_GROUPS),
      ...http,
      log,
    }),
  };
  return {
    ozon: limitWarehouses(connectors.ozon, only('ozon'), name),
    wb: limitWarehouses(connectors.wb, only('wb'), name),
    ym: limitWarehouses(connectors.ym, only('ym'), name),
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
