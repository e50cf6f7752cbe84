import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT } from 'google-auth-library';
import { sheets as sheetsApi, type sheets_v4 } from '@googleapis/sheets';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

const SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const GOOGLE_SHEETS_ROOT = 'https://sheets.googleapis.com/';

interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  universe_domain: string;
}

/**
 * A throwaway service-account key file, shaped like the JSON Google Cloud hands out, with a fresh
 * RSA key and `token_uri` pointing at the sandbox. Written to a temp dir, never committed.
 */
function writeServiceAccountKey(dir: string, tokenUri: string): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key: ServiceAccountKey = {
    type: 'service_account',
    project_id: 'datasync-sandbox',
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey,
    client_email: 'datasync-sync@datasync-sandbox.iam.gserviceaccount.com',
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    universe_domain: 'googleapis.com',
  };
  const file = path.join(dir, 'service-account.json');
  writeFileSync(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return file;
}

/**
 * How a consumer builds its client from a key file and a Sheets root URL. google-auth-library's JWT
 * client always posts its grant to Google's token URL (it ignores the key file's `token_uri`), and
 * googleapis-common keeps only the origin of a client-wide `rootUrl` (a path such as `/sheets/` is
 * dropped). So both are redirected in one place, the auth client's transporter, which carries the
 * token grant and every API call. With Google's own URLs (production) nothing is rewritten.
 */
function sheetsClient(keyFile: string, rootUrl: string): { jwt: JWT; sheets: sheets_v4.Sheets } {
  const key = JSON.parse(readFileSync(keyFile, 'utf8')) as ServiceAccountKey;
  const jwt = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: [SCOPE] });
  const root = rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`;
  jwt.transporter.interceptors.request.add({
    resolved: async (options) => {
      const href = options.url.toString();
      if (href === GOOGLE_TOKEN_URL && key.token_uri !== GOOGLE_TOKEN_URL) options.url = new URL(key.token_uri);
      else if (href.startsWith(GOOGLE_SHEETS_ROOT) && root !== GOOGLE_SHEETS_ROOT)
        options.url = new URL(root + href.slice(GOOGLE_SHEETS_ROOT.length));
      return options;
    },
  });
  return { jwt, sheets: sheetsApi({ version: 'v4', auth: jwt }) };
}

let sandbox: RunningSandbox;
let dir: string;
let keyFile: string;

const control = async <T>(p: string, init?: RequestInit): Promise<T> =>
  (await (await fetch(`${sandbox.url}/sheets/_control${p}`, init)).json()) as T;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 3, log: createLogger({ name: 't', level: 'silent' }) });
  dir = mkdtempSync(path.join(tmpdir(), 'sheets-key-'));
  keyFile = writeServiceAccountKey(dir, `${sandbox.url}/sheets/token`);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sandbox.close();
});

describe('google sheets fake', () => {
  it('grants a token for a real JWT assertion and requires it on the values API', async () => {
    const { jwt } = sheetsClient(keyFile, `${sandbox.url}/sheets/`);
    const { token } = await jwt.getAccessToken();
    expect(token).toMatch(/^ya29\.sandbox-/);
    const { tokens } = await control<{ tokens: { accessToken: string; iss: string; scopes: string[] }[] }>('/tokens');
    expect(tokens.find((t) => t.accessToken === token)).toMatchObject({
      iss: 'datasync-sync@datasync-sandbox.iam.gserviceaccount.com',
      scopes: [SCOPE],
    });

    const url = `${sandbox.url}/sheets/v4/spreadsheets/auth-check/values/Sheet1!A1:B2`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer ya29.made-up' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ range: 'Sheet1!A1:B2', majorDimension: 'ROWS' });

    const bad = await fetch(`${sandbox.url}/sheets/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'not.a.jwt' }).toString(),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('appends a row per date, then updates the row of a date that exists (official client)', async () => {
    const { sheets } = sheetsClient(keyFile, `${sandbox.url}/sheets/`);
    const spreadsheetId = 'daily-stats-1';
    await control('/spreadsheets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spreadsheetId, title: 'IT Resume daily', sheets: ['Daily'] }),
    });
    const meta = await sheets.spreadsheets.get({ spreadsheetId });
    expect(meta.data.sheets?.map((s) => s.properties?.title)).toEqual(['Daily']);

    const header = ['date', 'total_attempts', 'successful_attempts', 'unique_users', 'run_attempts', 'submit_attempts'];
    await sheets.spreadsheets.values.update({
      spreadsheetId,
      range: 'Daily!A1:F1',
      valueInputOption: 'RAW',
      requestBody: { values: [header] },
    });
    const upsert = async (row: (string | number)[]) => {
      const existing = await sheets.spreadsheets.values.get({ spreadsheetId, range: 'Daily!A:A' });
      const index = (existing.data.values ?? []).findIndex((r) => r[0] === row[0]);
      if (index >= 0) {
        const res = await sheets.spreadsheets.values.update({
          spreadsheetId,
          range: `Daily!A${index + 1}:F${index + 1}`,
          valueInputOption: 'USER_ENTERED',
          requestBody: { values: [row] },
        });
        return res.data.updatedRange;
      }
      const res = await sheets.spreadsheets.values.append({
        spreadsheetId,
        range: 'Daily!A1:F',
        valueInputOption: 'USER_ENTERED',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values: [row] },
      });
      return res.data.updates?.updatedRange;
    };

    expect(await upsert(['2026-04-01', 312, 40, 51, 190, 122])).toBe('Daily!A2:F2');
    expect(await upsert(['2026-04-02', 280, 35, 47, 170, 110])).toBe('Daily!A3:F3');
    expect(await upsert(['2026-04-01', 315, 41, 51, 191, 124])).toBe('Daily!A2:F2');

    const read = await sheets.spreadsheets.values.get({ spreadsheetId, range: 'Daily!A1:F' });
    expect(read.data.range).toBe('Daily!A1:F1000');
    expect(read.data.values).toEqual([
      header,
      ['2026-04-01', '315', '41', '51', '191', '124'],
      ['2026-04-02', '280', '35', '47', '170', '110'],
    ]);
    const unformatted = await sheets.spreadsheets.values.get({
      spreadsheetId,
      range: 'Daily!A2:F2',
      valueRenderOption: 'UNFORMATTED_VALUE',
    });
    expect(unformatted.data.values).toEqual([['2026-04-01', 315, 41, 51, 191, 124]]);

    const state = await control<{ sheets: { title: string; values: unknown[][] }[] }>(`/spreadsheets/${spreadsheetId}`);
    expect(state.sheets[0]!.values).toEqual([header, ['2026-04-01', 315, 41, 51, 191, 124], ['2026-04-02', 280, 35, 47, 170, 110]]);
    const { writes } = await control<{ writes: { method: string; range: string; values: unknown }[] }>(
      `/spreadsheets/${spreadsheetId}/writes`,
    );
    expect(writes.map((w) => [w.method, w.range])).toEqual([
      ['update', 'Daily!A1:F1'],
      ['append', 'Daily!A1:F'],
      ['append', 'Daily!A1:F'],
      ['update', 'Daily!A2:F2'],
    ]);
    expect(writes[3]!.values).toEqual([['2026-04-01', 315, 41, 51, 191, 124]]);
  });

  it('batch-updates rows atomically and creates spreadsheets on first use', async () => {
    const { sheets } = sheetsClient(keyFile, `${sandbox.url}/sheets`);
    const spreadsheetId = 'first-use';
    const res = await sheets.spreadsheets.values.batchUpdate({
      spreadsheetId,
      requestBody: {
        valueInputOption: 'RAW',
        data: [
          { range: 'Sheet1!A1:B1', values: [['date', 'total']] },
          { range: "'Sheet1'!A2:B2", values: [['2026-04-03', '7']] },
        ],
      },
    });
    expect(res.data.totalUpdatedCells).toBe(4);
    expect(res.data.responses?.map((r) => r.updatedRange)).toEqual(['Sheet1!A1:B1', 'Sheet1!A2:B2']);

    // Too many values for the range: nothing of the batch is written.
    await expect(
      sheets.spreadsheets.values.batchUpdate({
        spreadsheetId,
        requestBody: {
          valueInputOption: 'RAW',
          data: [
            { range: 'Sheet1!A3:B3', values: [['2026-04-04', '9']] },
            { range: 'Sheet1!A4:B4', values: [['2026-04-05', '9', 'extra']] },
          ],
        },
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(sheets.spreadsheets.values.get({ spreadsheetId, range: 'Nope!A1' })).rejects.toMatchObject({ status: 400 });
    await expect(
      sheets.spreadsheets.values.update({ spreadsheetId, range: 'Sheet1!A1', requestBody: { values: [['x']] } }),
    ).rejects.toMatchObject({ status: 400 });

    const state = await control<{ sheets: { values: unknown[][] }[] }>(`/spreadsheets/${spreadsheetId}`);
    expect(state.sheets[0]!.values).toEqual([
      ['date', 'total'],
      ['2026-04-03', '7'],
    ]);
  });

  it('takes a per-call rootUrl; a client-wide rootUrl loses the /sheets path', async () => {
    const { jwt } = sheetsClient(keyFile, GOOGLE_SHEETS_ROOT); // token redirect only
    const plain = sheetsApi({ version: 'v4', auth: jwt });
    const perCall = await plain.spreadsheets.values.get(
      { spreadsheetId: 'root-url', range: 'Sheet1!A1' },
      { rootUrl: `${sandbox.url}/sheets/` },
    );
    expect(perCall.data.range).toBe('Sheet1!A1');
    const global = sheetsApi({ version: 'v4', auth: jwt, rootUrl: `${sandbox.url}/sheets/` });
    await expect(global.spreadsheets.values.get({ spreadsheetId: 'root-url', range: 'Sheet1!A1' })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('no fake serves GET /v4/spreadsheets/root-url'),
    });
  });

  it('issues a new token when the client refreshes; a revoked token is refused', async () => {
    const tokenCount = async () => (await control<{ tokens: unknown[] }>('/tokens')).tokens.length;
    // A token that lives 60 s is inside google-auth-library's 5-minute refresh margin: every call refreshes.
    await fetch(`${sandbox.url}/sheets/_control/tokens/lifetime`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 60 }),
    });
    const { jwt, sheets } = sheetsClient(keyFile, `${sandbox.url}/sheets/`);
    const before = await tokenCount();
    await sheets.spreadsheets.values.get({ spreadsheetId: 'refresh', range: 'A1:B2' });
    await sheets.spreadsheets.values.get({ spreadsheetId: 'refresh', range: 'A1:B2' });
    expect(await tokenCount()).toBe(before + 2);

    const last = jwt.credentials.access_token;
    await fetch(`${sandbox.url}/sheets/_control/tokens`, { method: 'DELETE' });
    const stale = await fetch(`${sandbox.url}/sheets/v4/spreadsheets/refresh/values/A1`, { headers: { authorization: `Bearer ${last}` } });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });
});
