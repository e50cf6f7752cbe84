import { loadConfig } from '@datasync/config';
import { createLogger } from '@datasync/logger';
import { startDatawizWorker } from './worker';

const config = loadConfig();
const log = createLogger({ name: 'worker-datawiz', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
const worker = await startDatawizWorker(config, log);
log.info({ upstream: config.DATAWIZ_BASE_URL, concurrency: config.WORKER_CONCURRENCY }, 'datawiz worker consuming');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'datawiz worker stopping: finishing the jobs in hand');
  await worker.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
