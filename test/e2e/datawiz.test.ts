import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { RunningSandbox } from '@datasync/sandbox';
import { sourceWorker } from '../helpers';
import { createTestDatabase, sandboxControl, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';
import { waitForRun, type ErrorAnswer, type OrError, type Run, type Submitted } from '@datasync/testkit';
import { datawizExpected, datawizStored, type DatawizFakeData } from './datawiz/equal-to-source';

type FakeData = DatawizFakeData;
interface Credentials {
  client_id: string;
  client_secret: string;
  username: string;
  password: string;
}

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let control: ReturnType<typeof sandboxControl>;

/** Our API; the body typed as the caller says (an answer or a refusal by default). */
const call = async <T = OrError<Record<string, unknown>>>(method: string, path: string, body?: unknown, gateway = stack) => {
  const res = await fetch(`${gateway.gateway.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
};

/** Starts a sync and waits for its run to finish; answers the run. */
async function sync(gateway = stack): Promise<Run> {
  const submitted = await call<Submitted>('POST', '/api/datawiz/sync', {}, gateway);
  expect(submitted.status).toBe(200);
  expect(submitted.body).toEqual({ status: 'ok', parser_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  const id = submitted.body.parser_uuid;
  return waitForRun(async () => (await call<Run>('GET', `/api/runs/${id}`, undefined, gateway)).body, id, { timeoutMs: 30_000 });
}

const fakeData = () => control.get<FakeData>('/datawiz/_control/data');
const clearRequests = () => fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });

const stored = () => datawizStored(pool);
/** The fields the brief requires besides sale_id and name. */
const complete = { description: '', date_from: '2025-05-01', date_to: '2025-05-31', shops: [] as string[], products: [] as unknown[] };
const postsUpstream = async () =>
  (await control.requests('/datawiz')).requests.filter((r) => r.method === 'POST' && !r.path.includes('/o/token'));
const expected = datawizExpected;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  const creds = await control.get<Credentials>('/datawiz/_control/credentials');
  stack = await startStack(
    testEnv(db.url, sandbox.url, {
      DATAWIZ_CLIENT_ID: creds.client_id,
      DATAWIZ_CLIENT_SECRET: creds.client_secret,
      DATAWIZ_USERNAME: creds.username,
      DATAWIZ_PASSWORD: creds.password,
      DATAWIZ_PAGE_SIZE: '25',
    }),
    { workers: [sourceWorker('datawiz')] },
  );
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await stack?.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});
beforeEach(async () => {
  await control.clearFaults();
  await clearRequests();
});

describe('Datawiz over the gateway', () => {
  it('syncs every page of shops, products and promotions into tables equal to the source', async () => {
    const run = await sync();
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ source: 'datawiz', jobName: 'datawiz.sync', state: 'done', params: {} });
    const data = await fakeData();
    expect(run.counts).toMatchObject({ shops: data.counts.shops, products: data.counts.products, sales: data.counts.sales });
    expect(await stored()).toEqual(expected(data));

    // Several pages of each, followed through `next` links with the bearer token.
    const sales = (await control.requests('/datawiz/api/v1/sale')).requests.filter((r) => r.method === 'GET');
    expect(sales.length).toBe(Math.ceil(data.counts.sales / 25));
    expect(sales.every((r) => r.status === 200)).toBe(true);
    expect(sales.some((r) => r.query.page === '5')).toBe(true);
    expect((await control.requests('/datawiz/api/o/token/')).requests).toHaveLength(1);
  });

  it('refuses a promotion with an empty name locally: 400 field errors, nothing sent', async () => {
    const bad = await call('POST', '/api/datawiz/sales', [{ ...complete, sale_id: 'dw-local-1', name: '' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: '0.name', message: 'must not be blank' }]);
    const single = await call('POST', '/api/datawiz/sales', {
      ...complete,
      sale_id: 'x'.repeat(201),
      name: 'ok',
      date_from: '2025-13-01',
      shops: 'all',
    });
    expect(single.status).toBe(400);
    expect(single.body.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['date_from', 'sale_id', 'shops']);

    const log = (await control.requests('/datawiz')).requests;
    expect(log.filter((r) => r.method === 'POST')).toEqual([]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM datawiz_sale_submissions');
    expect(rows[0].n).toBe(0);
  });

  it('creates a valid promotion in the source, stores the outcome, and the next sync brings it in', async () => {
    const data = await fakeData();
    const shops = [data.shops[0]!.shop_id, data.shops[3]!.shop_id];
    const products = [data.products[5]!.product_id, data.products[1]!.product_id];
    const sale = {
      sale_id: 'dw-created-1',
      name: 'Промо DataSync',
      description: 'created through the gateway',
      date_from: '2025-06-01',
      date_to: '2025-06-30',
      shops,
      products: [products[0], { product_id: products[1] }],
    };
    const created = await call('POST', '/api/datawiz/sales', [sale]);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ updated: 0, inserted: 1 });
    const posts = (await control.requests('/datawiz/api/v1/sale')).requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);

    const inFake = (await fakeData()).sales.find((s) => s.sale_id === sale.sale_id);
    expect(inFake).toMatchObject({ name: sale.name, shops: [...shops].sort((a, b) => Number(a) - Number(b)) });
    const { rows: outcomes } = await pool.query('SELECT outcome, http_status, sale_ids, inserted, updated FROM datawiz_sale_submissions');
    expect(outcomes).toEqual([{ outcome: 'accepted', http_status: 201, sale_ids: ['dw-created-1'], inserted: 1, updated: 0 }]);

    // Sending it again updates it.
    const again = await call('POST', '/api/datawiz/sales', { ...sale, name: 'Промо DataSync 2' });
    expect(again.body).toEqual({ updated: 1, inserted: 0 });

    const run = await sync();
    expect(run.state).toBe('done');
    const ours = (await stored()).sales.find((s) => s.sale_id === sale.sale_id);
    expect(ours).toEqual({
      sale_id: sale.sale_id,
      name: 'Промо DataSync 2',
      description: sale.description,
      date_from: sale.date_from,
      date_to: sale.date_to,
      shops: [...shops].sort(),
      products,
    });
    expect(await stored()).toEqual(expected(await fakeData()));
  });

  it('names every bad field of every element of a list (missing sale_id/name, shops a string, products an object), sending nothing', async () => {
    const ok = { ...complete, sale_id: 'dw-list-ok', name: 'fine' };
    const res = await call('POST', '/api/datawiz/sales', [
      ok,
      { ...ok, sale_id: undefined },
      { ...ok, sale_id: 'dw-list-2', shops: '1' },
      { ...ok, sale_id: 'dw-list-3', products: { product_id: '1' } },
      { ...ok, sale_id: 'dw-list-4', name: undefined },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['1.sale_id', '2.shops', '3.products', '4.name']);
    expect(
      res.body.errors?.every((e: { field: string; message: string }) => e.field !== '(request)' && e.message !== 'Invalid input'),
    ).toBe(true);
    expect(await postsUpstream()).toEqual([]);
  });

  it('requires description, date_from, date_to, shops and products locally, as the brief does; the sandbox refuses them too', async () => {
    const required = ['description', 'date_from', 'date_to', 'shops', 'products'];
    const bare = await call('POST', '/api/datawiz/sales', [{ sale_id: 'dw-bare', name: 'bare' }]);
    expect(bare.status).toBe(400);
    expect(bare.body.errors?.map((e: { field: string }) => e.field).sort()).toEqual(required.map((f) => `0.${f}`).sort());
    const nulls = await call('POST', '/api/datawiz/sales', { ...complete, sale_id: 'dw-null', name: 'n', date_from: null, date_to: null });
    expect(nulls.body.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['date_from', 'date_to']);
    expect(await postsUpstream()).toEqual([]);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM datawiz_sale_submissions WHERE sale_ids && ARRAY['dw-bare', 'dw-null']`,
    );
    expect(rows[0].n).toBe(0);

    // The sandbox (like the brief's API) refuses the same promotion: nothing relies on our check alone.
    const creds = await control.get<{
      client_id: string;
      client_secret: string;
      username: string;
      password: string;
      token_url: string;
      api_url: string;
    }>('/datawiz/_control/credentials');
    const token = (await (
      await fetch(creds.token_url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: creds.client_id,
          client_secret: creds.client_secret,
          username: creds.username,
          password: creds.password,
        }).toString(),
      })
    ).json()) as { access_token: string };
    const direct = await fetch(`${creds.api_url}sale/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify({ sale_id: 'dw-bare', name: 'bare' }),
    });
    expect(direct.status).toBe(400);
    expect(Object.keys((await direct.json()) as object).sort()).toEqual(required.sort());
  });

  it("accepts both success answers of a create: the documented {results: {updated, created}} and the brief's {updated, inserted}", async () => {
    const sale = { ...complete, sale_id: 'dw-answer-1', name: 'Ответ' };
    const documented = await call('POST', '/api/datawiz/sales', sale);
    expect(documented).toEqual({ status: 201, body: { updated: 0, inserted: 1 } });
    // The sandbox answered the documented form.
    expect((await control.requests('/datawiz/api/v1/sale')).requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([
      200,
    ]);
    await control.post('/datawiz/_control/create-answer', { form: 'brief' });
    try {
      const brief = await call('POST', '/api/datawiz/sales', [
        { ...sale, name: 'Ответ 2' },
        { ...sale, sale_id: 'dw-answer-2' },
      ]);
      expect(brief).toEqual({ status: 201, body: { updated: 1, inserted: 1 } });
      expect((await control.requests('/datawiz/api/v1/sale')).requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([
        200, 201,
      ]);
    } finally {
      await control.post('/datawiz/_control/create-answer', { form: 'documented' });
    }
    const { rows } = await pool.query(
      `SELECT outcome, inserted, updated FROM datawiz_sale_submissions WHERE 'dw-answer-1' = ANY(sale_ids) ORDER BY created_at`,
    );
    expect(rows).toEqual([
      { outcome: 'accepted', inserted: 1, updated: 0 },
      { outcome: 'accepted', inserted: 1, updated: 1 },
    ]);
  });

  it("accepts the brief's D-MM-YYYY dates and the ISO ones, sends and stores them as YYYY-MM-DD", async () => {
    const sale = { ...complete, sale_id: 'dw-dates', name: 'Даты', date_from: '2-02-2015', date_to: '2015-2-28' };
    const res = await call('POST', '/api/datawiz/sales', sale);
    expect(res.status).toBe(201);
    // The sandbox takes YYYY-MM-DD only (Datawiz's documented format): it got ISO from us.
    expect((await fakeData()).sales.find((s) => s.sale_id === 'dw-dates')).toMatchObject({
      date_from: '2015-02-02',
      date_to: '2015-02-28',
    });
    const { rows } = await pool.query(`SELECT request FROM datawiz_sale_submissions WHERE 'dw-dates' = ANY(sale_ids)`);
    expect(rows[0].request).toEqual([{ ...sale, date_from: '2015-02-02', date_to: '2015-02-28', products: [] }]);
    await sync();
    expect((await stored()).sales.find((s) => s.sale_id === 'dw-dates')).toMatchObject({ date_from: '2015-02-02', date_to: '2015-02-28' });
    const bad = await call('POST', '/api/datawiz/sales', { ...sale, date_from: '30-02-2015' });
    expect([bad.status, bad.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, ['date_from']]);
  });

  it('a promotion with 150 000 shops (or deeply nested lists) is a 400 naming the field, not a 500', async () => {
    const huge = await call('POST', '/api/datawiz/sales', [
      { ...complete, sale_id: 'dw-huge', name: 'n', shops: Array.from({ length: 150_000 }, () => '') },
    ]);
    expect(huge.status).toBe(400);
    // Past the gateway's generic bound (GATEWAY_JSON_MAX_ITEMS, 100 000) before Datawiz's own rules run.
    expect(huge.body.errors).toEqual([{ field: '0.shops', message: 'must hold at most 100000 items' }]);
    const overCap = await call('POST', '/api/datawiz/sales', [
      { ...complete, sale_id: 'dw-over', name: 'n', shops: Array.from({ length: 20_000 }, () => '') },
    ]);
    expect([overCap.status, overCap.body.errors]).toEqual([
      400,
      [{ field: '0.shops', message: 'must hold at most 10000 shop ids (got 20000)' }],
    ]);
    const manyBad = await call('POST', '/api/datawiz/sales', {
      ...complete,
      sale_id: 'dw-bad-shops',
      name: 'n',
      shops: Array.from({ length: 10_000 }, () => ''),
    });
    expect(manyBad.status).toBe(400);
    expect(manyBad.body.errors?.length).toBeLessThanOrEqual(201);
    expect(manyBad.body.errors?.[0]).toEqual({ field: 'shops.0', message: 'must not be blank' });
    const depth = 50_000;
    const deep = await fetch(`${stack.gateway.url}/api/datawiz/sales`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"sale_id":"dw-deep","name":"n","description":"","date_from":"2025-01-01","date_to":"2025-01-02","products":[],"shops":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    });
    expect(deep.status).toBe(400);
    const deepErrors = ((await deep.json()) as ErrorAnswer).errors!;
    expect(deepErrors).toHaveLength(1);
    expect(deepErrors[0]!.field).toBe(['shops', ...Array.from({ length: 31 }, () => '0')].join('.'));
    expect(deepErrors[0]!.message).toBe('nests objects or lists deeper than 32 levels');
    expect(await postsUpstream()).toEqual([]);
  });

  it("returns Datawiz's own field errors field by field and stores the rejection", async () => {
    const data = await fakeData();
    const res = await call('POST', '/api/datawiz/sales', [
      { ...complete, sale_id: 'dw-ok', name: 'fine', shops: [data.shops[0]!.shop_id] },
      {
        ...complete,
        sale_id: 'dw-bad',
        name: 'unknown links',
        shops: ['999999'],
        products: [data.products[0]!.product_id, 'no-such-product'],
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('upstream_rejected');
    expect(res.body.errors).toEqual([
      { field: '1.shops', message: 'Object with shop_id=999999 does not exist.' },
      { field: '1.products.1.product_id', message: 'Object with product_id=no-such-product does not exist.' },
    ]);
    expect((await fakeData()).sales.some((s) => s.sale_id === 'dw-ok')).toBe(false);
    const { rows } = await pool.query(`SELECT outcome, http_status FROM datawiz_sale_submissions WHERE 'dw-bad' = ANY(sale_ids)`);
    expect(rows).toEqual([{ outcome: 'rejected', http_status: 400 }]);
  });

  it('a re-sync reflects a renamed promotion and a removed shop link, and logs in again after the token expired', async () => {
    await sync();
    const before = await fakeData();
    const target = before.sales.find((s) => s.shops.length >= 2)!;
    const dropped = target.shops[0]!;
    await fetch(`${sandbox.url}/datawiz/_control/sales/${target.sale_id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Переименованная акция' }),
    }).then((r) => expect(r.status).toBe(200));
    await fetch(`${sandbox.url}/datawiz/_control/sales/${target.sale_id}/shops/${dropped}`, { method: 'DELETE' }).then((r) =>
      expect(r.status).toBe(200),
    );
    await control.post('/datawiz/_control/expire-tokens');

    const run = await sync();
    expect(run.error).toBeNull();
    expect(run.counts).toMatchObject({ removedShopLinks: 1, removedProductLinks: 0 });
    const ours = (await stored()).sales.find((s) => s.sale_id === target.sale_id);
    expect(ours!.name).toBe('Переименованная акция');
    expect(ours!.shops).not.toContain(dropped);
    expect(ours!.shops).toHaveLength(target.shops.length - 1);
    expect(await stored()).toEqual(expected(await fakeData()));
    // The expired token was refused once, then one fresh login carried the sync on.
    expect((await control.requests('/datawiz/api/v1')).requests.some((r) => r.status === 401)).toBe(true);
    expect((await control.requests('/datawiz/api/o/token/')).requests.length).toBeGreaterThanOrEqual(1);
  });

  it('ends equal to the source through 5xx, 429, an expired token and an empty page', async () => {
    await control.addFault([
      { path: '/datawiz/api/v1/products', kind: 'status', status: 503, every: 3 },
      { path: '/datawiz/api/v1/sale', kind: 'status', preset: 'datawiz.throttled', skip: 1, times: 1, retryAfter: 0 },
      { path: '/datawiz/api/v1/shops', kind: 'status', preset: 'datawiz.token-expired', times: 1 },
      { path: '/datawiz/api/v1/sale', kind: 'empty', skip: 2, times: 1 },
    ]);
    const run = await sync();
    expect(run.error).toBeNull();
    expect(run.state).toBe('done');
    expect(run.attempts).toBe(2);
    expect(await stored()).toEqual(expected(await fakeData()));
  });

  it('fails the run with a clear error when the credentials are not configured', async () => {
    const bare = await startStack(testEnv(db.url, sandbox.url), { workers: [sourceWorker('datawiz')] });
    try {
      const run = await sync(bare);
      expect(run.state).toBe('failed');
      expect(run.error).toMatch(/DATAWIZ_CLIENT_ID is not configured/);
      const res = await call('POST', '/api/datawiz/sales', { ...complete, sale_id: 'n', name: 'n' }, bare);
      expect(res.status).toBe(503);
      expect(res.body.error?.message).toMatch(/DATAWIZ_CLIENT_ID is not configured/);
    } finally {
      await bare.close();
    }
  });
});
