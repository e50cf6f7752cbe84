import { loadConfig } from '@datasync/config';
import { closeOnSignals, createLogger } from '@datasync/logger';
import { startSandbox } from './server';

const config = loadConfig();
const log = createLogger({ name: 'sandbox', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
const faults = config.SANDBOX_FAULTS ? (JSON.parse(config.SANDBOX_FAULTS) as unknown[]) : [];
const sandbox = await startSandbox({
  port: config.SANDBOX_PORT,
  host: config.SANDBOX_HOST,
  seed: config.SANDBOX_SEED,
  log,
  faults,
  smtpPort: config.SANDBOX_SMTP_PORT,
  webhookSecret: config.WEBHOOK_SECRET,
});
log.info({ url: sandbox.url, smtpPort: sandbox.smtpPort, fakes: sandbox.fakes.map((f) => f.prefix) }, 'sandbox listening');

closeOnSignals(log, () => sandbox.close());
