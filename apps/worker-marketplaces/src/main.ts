import { loadConfig } from '@datasync/config';
import { closeOnSignals, createLogger } from '@datasync/logger';
import { startMarketplacesWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-marketplaces', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const worker = await startMarketplacesWorker(config, log);
log.info(
  { ozon: config.OZON_BASE_URL, wb: config.WB_MARKETPLACE_BASE_URL, ym: config.YM_BASE_URL, pollEveryMs: config.MARKETPLACES_POLL_INTERVAL_MS, concurrency: config.WORKER_CONCURRENCY },
  'marketplaces worker consuming',
);

closeOnSignals(log, () => worker.close());
