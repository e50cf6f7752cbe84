import { loadConfig } from '@datasync/config';
import { closeOnSignals, createLogger } from '@datasync/logger';
import { startItResumeWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-itresume', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const worker = await startItResumeWorker(config, log);
log.info({ upstream: config.ITRESUME_BASE_URL, concurrency: config.WORKER_CONCURRENCY }, 'itresume worker consuming');

closeOnSignals(log, () => worker.close());
