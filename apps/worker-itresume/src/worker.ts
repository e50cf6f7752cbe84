import type { Env } from '@datasync/config';
import { smtpFromConfig } from '@datasync/notifications';
import { sendReport } from './mail';
import { exportDailyStats } from './sheets';
import type { Reporters } from './sync';

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
