import { loadConfig } from '@datasync/config';
import { closeOnSignals, createLogger } from '@datasync/logger';
import { startYclientsWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-yclients', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const worker = await startYclientsWorker(config, log);
log.info({ upstream: config.YCLIENTS_BASE_URL, concurrency: config.WORKER_CONCURRENCY }, 'yclients worker consuming');

closeOnSignals(log, () => worker.close());
