import { closeOnSignals, createLogger } from '@datasync/logger';
import { loadConfig } from '@datasync/sources';
import { startGateway } from './server';

const config = loadConfig();
const log = createLogger({ name: 'gateway', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const gateway = await startGateway(config, log);
log.info({ url: gateway.url, dashboard: `${gateway.url}/admin/queues`, docs: `${gateway.url}/docs` }, 'gateway listening');

closeOnSignals(log, () => gateway.close(), { graceMs: config.SHUTDOWN_GRACE_MS });
