import { loadConfig } from '@datasync/config';
import { createLogger } from '@datasync/logger';
import { startAvitoWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-avito', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const worker = await startAvitoWorker(config, log);
log.info({ upstream: config.AVITO_BASE_URL, concurrency: config.WORKER_CONCURRENCY }, 'avito worker consuming');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'avito worker stopping: finishing the jobs in hand');
  await worker.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
