import { readFile } from 'node:fs/promises';
import { sheets as sheetsApi, type sheets_v4 } from '@googleapis/sheets';
import { JWT } from 'google-auth-library';
import type { Logger } from '@datasync/logger';
import type { DailyStats } from './aggregates';

const SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const GOOGLE_SHEETS_ROOT = 'https://sheets.googleapis.com/';

export const SHEET_HEADER = [
  'date',
  'total_attempts',
  'successful_attempts',
  'unique_users',
  'run_attempts',
  'submit_attempts',
  'success_rate',
];

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

export interface SheetsOptions {
  keyFile: string;
  spreadsheetId: string;
  sheetName: string;
  /** Overrides https://sheets.googleapis.com/ (the sandbox's `/sheets`). */
  baseUrl?: string;
}

/**
 * A Sheets client from a service-account key file. google-auth-library always posts its grant to
 * Google's token URL (it ignores the key's `token_uri`) and a client-wide rootUrl loses its path, so
 * both are redirected on the auth client's transporter; with Google's own URLs nothing changes.
 */
async function sheetsClient(options: SheetsOptions): Promise<sheets_v4.Sheets> {
  const key = JSON.parse(await readFile(options.keyFile, 'utf8')) as ServiceAccountKey;
  const jwt = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: [SCOPE] });
  const tokenUri = key.token_uri ?? GOOGLE_TOKEN_URL;
  const root = options.baseUrl ? (options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`) : GOOGLE_SHEETS_ROOT;
  jwt.transporter.interceptors.request.add({
    resolved: (req) => {
      const href = req.url.toString();
      if (href === GOOGLE_TOKEN_URL && tokenUri !== GOOGLE_TOKEN_URL) req.url = new URL(tokenUri);
      else if (href.startsWith(GOOGLE_SHEETS_ROOT) && root !== GOOGLE_SHEETS_ROOT)
        req.url = new URL(root + href.slice(GOOGLE_SHEETS_ROOT.length));
      return Promise.resolve(req);
    },
  });
  return sheetsApi({ version: 'v4', auth: jwt });
}

const quote = (sheet: string) => `'${sheet.replaceAll("'", "''")}'`;

function rowOf(d: DailyStats): (string | number)[] {
  return [
    d.date,
    d.attempts,
    d.successful,
    d.uniqueUsers,
    d.runAttempts,
    d.submitAttempts,
    d.successRate === null ? '' : Math.round(d.successRate * 10000) / 10000,
  ];
}

/**
 * Writes one row per date: a date already in column A has its row overwritten, a new date goes
 * below the last row. The header is written when row 1 is empty; the sheet is added if missing.
 */
export async function exportDailyStats(
  options: SheetsOptions,
  days: DailyStats[],
  log: Logger,
): Promise<{ updated: number; appended: number }> {
  const api = await sheetsClient(options);
  const spreadsheetId = options.spreadsheetId;
  const meta = await api.spreadsheets.get({ spreadsheetId });
  if (!meta.data.sheets?.some((s) => s.properties?.title === options.sheetName)) {
    await api.spreadsheets.batchUpdate({
      spreadsheetId,
      requestBody: { requests: [{ addSheet: { properties: { title: options.sheetName } } }] },
    });
    log.info({ sheet: options.sheetName }, 'sheet added');
  }
  const sheet = quote(options.sheetName);
  const col = await api.spreadsheets.values.get({ spreadsheetId, range: `${sheet}!A:A`, majorDimension: 'COLUMNS' });
  const columnA = (col.data.values?.[0] ?? []).map((v) => String(v));
  const rowOfDate = new Map<string, number>();
  columnA.forEach((v, i) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) rowOfDate.set(v, i + 1);
  });
  const data: sheets_v4.Schema$ValueRange[] = [];
  if (!columnA[0]) data.push({ range: `${sheet}!A1:G1`, values: [SHEET_HEADER] });
  let next = Math.max(columnA.length, 1) + 1;
  let updated = 0;
  let appended = 0;
  for (const d of days) {
    let row = rowOfDate.get(d.date);
    if (row) updated++;
    else {
      row = next++;
      rowOfDate.set(d.date, row);
      appended++;
    }
    data.push({ range: `${sheet}!A${row}:G${row}`, values: [rowOf(d)] });
  }
  // RAW keeps the date a string (USER_ENTERED would turn it into a locale-formatted date serial).
  await api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: 'RAW', data } });
  log.info({ spreadsheetId, updated, appended }, 'sheet rows written');
  return { updated, appended };
}
