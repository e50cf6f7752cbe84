import { loadConfig } from '@datasync/config';
import { createLogger } from '@datasync/logger';
import { startGateway } from './server';

const config = loadConfig();
const log = createLogger({ name: 'gateway', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const gateway = await startGateway(config, log);
log.info({ url: gateway.url, dashboard: `${gateway.url}/admin/queues`, docs: `${gateway.url}/docs` }, 'gateway listening');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'gateway stopping');
  await gateway.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
