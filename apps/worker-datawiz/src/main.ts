import { loadConfig } from '@datasync/config';
import { closeOnSignals, createLogger } from '@datasync/logger';
import { startDatawizWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-datawiz', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const worker = await startDatawizWorker(config, log);
log.info({ upstream: config.DATAWIZ_BASE_URL, concurrency: config.WORKER_CONCURRENCY }, 'datawiz worker consuming');

closeOnSignals(log, () => worker.close());
