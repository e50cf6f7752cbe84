import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sourceWorker } from '../helpers';
import pg from 'pg';
import type { RunningSandbox } from '@datasync/sandbox';
import type { OpenApiDocument, OrError, Run, RunList, Submitted } from '@datasync/testkit';
import {
  createTestDatabase,
  sandboxControl,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  type Stack,
  type TestDatabase,
} from '../helpers';

interface SourceListing {
  id: number;
  title: string;
  price: number | null;
  sellerHash: string;
}
interface Check {
  status: string;
  result?: Record<string, { name: string; avito_id: string }>;
  error?: string;
}

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let control: ReturnType<typeof sandboxControl>;
let sellers: { hash: string; active: number }[];

const api = async <T = OrError<Submitted>>(path: string) => {
  const res = await fetch(`${stack.gateway.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};
const pollCheck = (uuid: string, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const { body } = await api<Check>(`/api/avito/check?uuid=${uuid}`);
      return body.status === 'In progress' ? undefined : body;
    },
    { timeoutMs, what: `run ${uuid} to finish` },
  );
const sourceListings = async (query: string) =>
  (await control.get<{ listings: SourceListing[] }>(`/avito/_control/listings?${query}`)).listings;
const idsOf = (check: Check) =>
  Object.values(check.result ?? {})
    .map((r) => r.avito_id)
    .sort();

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  stack = await startStack(testEnv(db.url, sandbox.url), { workers: [sourceWorker('avito')] });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  sellers = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
});
afterAll(async () => {
  await stack?.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});
beforeEach(async () => {
  await control.clearFaults();
  await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
});

describe('Avito over the gateway', () => {
  it("syncs every page of a seller's listings and answers them keyed by our own uuid", async () => {
    const seller = sellers[0]!;
    const submitted = await api(`/api/avito/user?user=${seller.hash}`);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toEqual({ status: 'ok', parser_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const check = await pollCheck(submitted.body.parser_uuid);
    expect(check.error ?? check.status).toBe('Done');
    const source = await sourceListings(`sellerId=${seller.hash}`);
    expect(source.length).toBeGreaterThan(100);
    expect(idsOf(check)).toEqual(source.map((l) => String(l.id)).sort());

    // The result is keyed by the rows of avito_items, which hold the source's titles and prices.
    const { rows } = await pool.query<{ id: string; avito_id: string; title: string; price: string | null; seller_hash: string }>(
      'SELECT id, avito_id::text, title, price::text, seller_hash FROM avito_items WHERE id = ANY($1::uuid[])',
      [Object.keys(check.result!)],
    );
    expect(rows).toHaveLength(source.length);
    const byId = new Map(source.map((l) => [String(l.id), l]));
    for (const row of rows) {
      const l = byId.get(row.avito_id)!;
      expect(row.title).toBe(l.title);
      expect(row.price === null ? null : Number(row.price)).toBe(l.price);
      expect(row.seller_hash).toBe(seller.hash);
      expect(check.result![row.id]!.name).toBe(l.title);
    }
    const pages = (await control.requests('/avito/api/1/user/profile/items')).requests;
    expect(pages.length).toBeGreaterThanOrEqual(3);

    const run = await api<Run>(`/api/runs/${submitted.body.parser_uuid}`);
    expect(run.body).toMatchObject({ source: 'avito', state: 'done', params: { user: seller.hash }, counts: { listings: source.length } });
  });

  it('syncs a region search with the default location and category, and accepts the catedotyId alias', async () => {
    const submitted = await api(`/api/avito/region?search=${encodeURIComponent('склад')}`);
    const check = await pollCheck(submitted.body.parser_uuid);
    expect(check.error ?? check.status).toBe('Done');
    const source = await sourceListings(`query=${encodeURIComponent('склад')}&categoryId=42&locationId=621540`);
    expect(source.length).toBeGreaterThan(20);
    expect(idsOf(check)).toEqual(source.map((l) => String(l.id)).sort());

    const flats = await api(`/api/avito/region?search=${encodeURIComponent('квартира')}&locationId=637640&catedotyId=24`);
    const run = await api<Run>(`/api/runs/${flats.body.parser_uuid}`);
    expect(run.body.params).toEqual({ search: 'квартира', locationId: 637640, categoryId: 24 });
    const flatCheck = await pollCheck(flats.body.parser_uuid);
    const flatSource = await sourceListings(`query=${encodeURIComponent('квартира')}&categoryId=24&locationId=637640`);
    expect(idsOf(flatCheck)).toEqual(flatSource.map((l) => String(l.id)).sort());
  });

  it('answers the same run id for an identical sync that is still running', async () => {
    await control.addFault({ path: '/avito/api/1/user', kind: 'delay', delayMs: 300 });
    const seller = sellers[4]!;
    const first = await api(`/api/avito/user?user=${seller.hash}`);
    const second = await api(`/api/avito/user?user=${seller.hash.toUpperCase()}`);
    expect(second.body.parser_uuid).toBe(first.body.parser_uuid);
    expect((await pollCheck(first.body.parser_uuid)).status).toBe('Done');
    const third = await api(`/api/avito/user?user=${seller.hash}`);
    expect(third.body.parser_uuid).not.toBe(first.body.parser_uuid);
    await pollCheck(third.body.parser_uuid);
  });

  it('ends with exactly the source listings through 5xx, 429, anti-bot 403, truncated bodies and an empty page', async () => {
    await control.addFault([
      { path: '/avito/api/1/user', kind: 'status', status: 503, every: 3 },
      { path: '/avito/api/1/user', kind: 'status', status: 429, retryAfter: 1, skip: 1, times: 1 },
      { path: '/avito/api/1/user', kind: 'status', preset: 'avito.soft-throttle', skip: 2, times: 1 },
      { path: '/avito/api/1/user', kind: 'truncate', skip: 3, times: 1 },
      { path: '/avito/api/1/user', kind: 'status', preset: 'avito.html-challenge', skip: 4, times: 1 },
      { path: '/avito/api/1/user', kind: 'empty', skip: 5, times: 1 },
    ]);
    const seller = sellers[0]!;
    const submitted = await api(`/api/avito/user?user=${seller.hash}`);
    const check = await pollCheck(submitted.body.parser_uuid, 45_000);
    expect(check.error ?? check.status).toBe('Done');
    const source = await sourceListings(`sellerId=${seller.hash}`);
    expect(idsOf(check)).toEqual(source.map((l) => String(l.id)).sort());
    const statuses = (await control.requests('/avito/api/1/user')).requests.map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([503, 429, 403]));
  });

  it('fails the run with a clear error when the upstream keeps blocking', async () => {
    await control.addFault({ path: '/avito/api/11', kind: 'status', preset: 'avito.ip-block' });
    const submitted = await api(`/api/avito/region?search=${encodeURIComponent('офис')}`);
    const check = await pollCheck(submitted.body.parser_uuid);
    expect(check).toEqual({ status: 'Failed', error: expect.stringContaining('blocked by upstream') });
    const run = await api<Run>(`/api/runs/${submitted.body.parser_uuid}`);
    expect(run.body.state).toBe('failed');
  });

  it('refuses bad input with 400 and a field-level message, and enqueues nothing', async () => {
    const before = (await pool.query('SELECT count(*)::int AS n FROM sync_runs')).rows[0].n;
    const cases = [
      '/api/avito/user',
      '/api/avito/user?user=abc',
      `/api/avito/user?user=${'g'.repeat(32)}`,
      `/api/avito/user?user=${'a'.repeat(33)}`,
      '/api/avito/user?user[]=x',
      '/api/avito/region',
      '/api/avito/region?search=',
      `/api/avito/region?search=${'я'.repeat(201)}`,
      '/api/avito/region?search=x&locationId=moscow',
      '/api/avito/region?search=x&locationId=-1',
      '/api/avito/region?search=x&categoryId=1e3',
      '/api/avito/region?search=x&categoryId=99999999999',
      '/api/avito/region?search=x&categoryId=4&catedotyId=5',
    ];
    for (const path of cases) {
      const res = await api(path);
      expect(res.status, path).toBe(400);
      expect(res.body.status, path).toBe('bad request');
      expect(res.body.errors?.[0]?.field, path).toBeTruthy();
      expect(res.body.errors?.[0]?.message, path).toBeTruthy();
    }
    for (const path of ['/api/avito/check', '/api/avito/check?uuid=nope', `/api/avito/check?uuid=${crypto.randomUUID()}`]) {
      const res = await api(path);
      expect(res.status, path).toBe(400);
      expect(res.body.status).toBe('Bad request');
    }
    expect((await api('/api/runs/not-a-uuid')).status).toBe(400);
    expect((await api(`/api/runs/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await api('/api/runs?limit=0')).status).toBe(400);
    expect((await api('/api/runs?state=sleeping')).status).toBe(400);
    const after = (await pool.query('SELECT count(*)::int AS n FROM sync_runs')).rows[0].n;
    expect(after).toBe(before);
  });

  it('lists runs newest first, filtered by source and state', async () => {
    const { body } = await api<RunList>('/api/runs?source=avito&state=done&limit=2');
    expect(body.runs).toHaveLength(2);
    expect(body.runs.every((r: { state: string }) => r.state === 'done')).toBe(true);
    expect(Date.parse(body.runs[0]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(body.runs[1]!.createdAt));
  });

  it('serves health, readiness, the OpenAPI document, the docs page and the dashboard', async () => {
    expect((await api('/health')).body).toEqual({ status: 'ok' });
    expect((await api('/ready')).body).toMatchObject({ status: 'ready', redis: true, postgres: true });
    const doc = (await api<OpenApiDocument>('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/avito/user', '/api/avito/region', '/api/avito/check', '/api/runs/{id}']),
    );
    expect((await fetch(`${stack.gateway.url}/docs/`)).status).toBe(200);
    const board = await fetch(`${stack.gateway.url}/admin/queues`);
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<div id="root">');
  });
});
