import type { Env } from '@datasync/config';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { createRedis, startSourceWorker } from '@datasync/runs';
import { smtpFromConfig } from '@datasync/notifications';
import { sendReport } from './mail';
import { ensureDailySchedule } from './schedule';
import { exportDailyStats } from './sheets';
import { itresumeHandlers, type Reporters } from './sync';
import { ItResumeTransport } from './transport';
import { httpSettings } from '@datasync/connector-kit';

export interface RunningItResumeWorker {
  close(): Promise<void>;
}

/** The optional steps: each is left out (and the run notes "skipped") when not configured. */
export function reportersOf(config: Env): Reporters {
  const reporters: Reporters = {};
  if (config.GOOGLE_SERVICE_ACCOUNT_FILE && config.GOOGLE_SHEETS_SPREADSHEET_ID) {
    const options = {
      keyFile: config.GOOGLE_SERVICE_ACCOUNT_FILE,
      spreadsheetId: config.GOOGLE_SHEETS_SPREADSHEET_ID,
      sheetName: config.GOOGLE_SHEETS_SHEET_NAME,
      baseUrl: config.GOOGLE_SHEETS_BASE_URL,
    };
    reporters.exportSheet = async (days, log) => {
      await exportDailyStats(options, days, log);
    };
  }
  const recipients = (config.REPORT_RECIPIENTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const smtp = smtpFromConfig(config);
  if (smtp && recipients.length > 0) {
    const options = { ...smtp, recipients };
    reporters.sendReport = (report, log) => sendReport(options, report, log);
  }
  return reporters;
}

/** Opens Postgres and Redis, consumes the `itresume` queue and keeps the daily schedule, until `close()`. */
export async function startItResumeWorker(config: Env, log: Logger): Promise<RunningItResumeWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'datasync-worker-itresume' });
  const redis = createRedis(config.REDIS_URL);
  const transport = new ItResumeTransport({
    baseURL: config.ITRESUME_BASE_URL,
    client: config.ITRESUME_CLIENT,
    clientKey: config.ITRESUME_CLIENT_KEY ?? '',
    ...httpSettings(config),
    log,
  });
  if (!config.ITRESUME_CLIENT_KEY) log.warn('ITRESUME_CLIENT_KEY is not set: IT Resume will refuse the requests');
  const running = await startSourceWorker({ source: 'itresume', handlers: itresumeHandlers(transport, reportersOf(config)), config, redis, pool: db.pool, log });
  await ensureDailySchedule({
    connection: redis,
    prefix: config.REDIS_PREFIX,
    dailyAt: config.ITRESUME_DAILY_AT,
    timeZone: config.ITRESUME_TIMEZONE,
    pool: db.pool,
    log,
  });
  return {
    async close() {
      await running.close();
      redis.disconnect();
      await db.close();
    },
  };
}
