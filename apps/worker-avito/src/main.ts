import { loadConfig } from '@datasync/config';
import { closeOnSignals, createLogger } from '@datasync/logger';
import { startAvitoWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-avito', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const worker = await startAvitoWorker(config, log);
log.info({ upstream: config.AVITO_BASE_URL, concurrency: config.WORKER_CONCURRENCY }, 'avito worker consuming');

closeOnSignals(log, () => worker.close());
