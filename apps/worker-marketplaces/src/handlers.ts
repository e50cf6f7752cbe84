import { MARKETPLACES } from '@datasync/queues';
import { ConnectionClients, envConnection, MetricsRecorder, type QueueSet, type SourceWorkerContext } from '@datasync/runs';
import { requestPushEverywhere } from './push-everywhere';
import type { MarketplacesConfig, MarketplacesRuntime } from './source';
import { marketplaceHandlers } from './sync';
import { createConnectors, ensureMarketplaceSchedules, marketplaceSchedules } from './worker';

/** Loaded by the worker only: the connectors and handlers; once consuming, the poll/push/catalogue schedules. */
export default async function createMarketplacesRuntime({
  config,
  log,
  redis,
  pool,
}: SourceWorkerContext<MarketplacesConfig>): Promise<MarketplacesRuntime> {
  const clients = new ConnectionClients((connection) => createConnectors(config, log, redis, connection));
  const connectors = clients.for(envConnection);
  for (const m of MARKETPLACES)
    if (!connectors[m].configured)
      log.warn({ marketplace: m }, 'credentials are not configured: this marketplace is neither polled nor pushed');
  // The run worker owns the queue; the push request needs it once it is running.
  const late: { queues?: QueueSet } = {};
  const handlers = marketplaceHandlers({
    connectors: (connection) => clients.for(connection),
    poll: { overlapMs: config.MARKETPLACES_POLL_OVERLAP_MS, firstPollDays: config.MARKETPLACES_FIRST_POLL_DAYS },
    fboEveryMs: config.MARKETPLACES_FBO_INTERVAL_MS,
    pushRetryMs: config.MARKETPLACES_PUSH_RETRY_MS,
    requestPush: () => requestPushEverywhere({ pool, queues: late.queues! }),
    reconcileMs: config.MARKETPLACES_RECONCILE_INTERVAL_MS,
    metrics: new MetricsRecorder(redis, config.REDIS_PREFIX),
  });
  return {
    handlers,
    describe: {
      ozon: config.OZON_BASE_URL,
      wb: config.WB_MARKETPLACE_BASE_URL,
      ym: config.YM_BASE_URL,
      pollEveryMs: config.MARKETPLACES_POLL_INTERVAL_MS,
      reconcileEveryMs: config.MARKETPLACES_RECONCILE_INTERVAL_MS,
    },
    async started({ queues }) {
      late.queues = queues;
      await ensureMarketplaceSchedules({
        redis,
        prefix: config.REDIS_PREFIX,
        pool,
        log,
        schedules: marketplaceSchedules(config, connectors),
      });
    },
  };
}
