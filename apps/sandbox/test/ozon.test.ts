import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogItem, RunningSandbox } from '../src/index';
import { OZON_CREDENTIALS, OZON_WAREHOUSES } from '../src/ozon';
import type { postingJson, returnJson } from '../src/ozon/render';
import { client, start } from './marketplace-client';

/** The fake's answers as these tests read them (its render.ts and control.ts). */
type Posting = ReturnType<typeof postingJson>;
type Return = ReturnType<typeof returnJson>;
interface OzonError {
  code: number;
  message: string;
}
interface Catalog {
  items: CatalogItem[];
}
interface PostingPage {
  postings: Posting[];
  has_next: boolean;
  cursor: string;
}
interface V3Postings {
  result: { postings: Posting[]; has_next: boolean; count: number };
}
interface ReturnPage {
  returns: Return[];
  has_next: boolean;
}
interface StockUpdates {
  result: { updated: boolean; errors: { code: string }[] }[];
}

let sandbox: RunningSandbox;
let ozon: ReturnType<typeof client>;
let raw: ReturnType<typeof client>;
const W1 = OZON_WAREHOUSES[0].warehouse_id;
const week = () => ({ since: new Date(Date.now() - 30 * 86400_000).toISOString(), to: new Date(Date.now() + 86400_000).toISOString() });

beforeAll(async () => {
  sandbox = await start();
  ozon = client(sandbox, { 'Client-Id': OZON_CREDENTIALS.clientId, 'Api-Key': OZON_CREDENTIALS.apiKey });
  raw = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await raw('POST', '/_control/reset');
});

describe('ozon fake', () => {
  it('rejects missing or wrong credentials in Ozon’s error shape', async () => {
    const noClient = await raw('POST', '/ozon/v2/warehouse/list', { limit: 10 }, { 'Api-Key': OZON_CREDENTIALS.apiKey });
    expect(noClient.status).toBe(400);
    expect(noClient.body).toMatchObject({ code: 3, message: 'Client-Id header value should be positive integer' });
    const badKey = await raw(
      'POST',
      '/ozon/v2/warehouse/list',
      { limit: 10 },
      { 'Client-Id': OZON_CREDENTIALS.clientId, 'Api-Key': 'nope' },
    );
    expect(badKey.status).toBe(404);
    expect(badKey.body).toEqual({ code: 5, message: 'Invalid Api-Key, please check the key and try again', details: [] });
    const ok = await ozon<{ warehouses: { warehouse_id: number }[]; has_next: boolean }>('POST', '/ozon/v2/warehouse/list', { limit: 10 });
    expect(ok.status).toBe(200);
    expect(ok.body.warehouses.map((w) => w.warehouse_id)).toEqual(OZON_WAREHOUSES.map((w) => w.warehouse_id));
    expect(ok.body.has_next).toBe(false);
  });

  it('pages postings by offset (v3) and by cursor (v4) without repeats', async () => {
    const all = (await raw<{ postings: Posting[] }>('GET', '/ozon/_control/postings')).body.postings;
    expect(all.length).toBe(30);
    const v3: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const r = await ozon<V3Postings>('POST', '/ozon/v3/posting/fbs/list', { dir: 'ASC', filter: week(), limit: 7, offset, with: {} });
      expect(r.status).toBe(200);
      v3.push(...r.body.result.postings.map((p) => p.posting_number));
      if (!r.body.result.has_next) break;
    }
    expect(v3).toHaveLength(30);
    expect(new Set(v3).size).toBe(30);

    const v4: string[] = [];
    let cursor = '';
    for (;;) {
      const r = await ozon<PostingPage>('POST', '/ozon/v4/posting/fbs/list', { filter: week(), limit: 8, cursor });
      v4.push(...r.body.postings.map((p) => p.posting_number));
      if (!r.body.has_next) break;
      cursor = r.body.cursor;
    }
    expect(v4).toEqual(v3);
    expect((await ozon('POST', '/ozon/v3/posting/fbs/list', { filter: week(), limit: 51, offset: 0 })).status).toBe(400);
    expect((await ozon<OzonError>('POST', '/ozon/v4/posting/fbs/list', { filter: {}, limit: 10 })).body.code).toBe(3);
  });

  it('lists only open postings as unfulfilled and rejects both date filters at once', async () => {
    const from = new Date(Date.now() - 30 * 86400_000).toISOString();
    const to = new Date(Date.now() + 30 * 86400_000).toISOString();
    const r = await ozon<V3Postings>('POST', '/ozon/v3/posting/fbs/unfulfilled/list', {
      filter: { cutoff_from: from, cutoff_to: to },
      limit: 1000,
      offset: 0,
    });
    const statuses = new Set(r.body.result.postings.map((p) => p.status));
    expect([...statuses].every((s) => ['awaiting_packaging', 'awaiting_deliver'].includes(s as string))).toBe(true);
    expect(r.body.result.count).toBe(r.body.result.postings.length);
    const both = await ozon('POST', '/ozon/v4/posting/fbs/unfulfilled/list', {
      filter: { cutoff_from: from, cutoff_to: to, delivering_date_from: from, delivering_date_to: to },
      limit: 10,
    });
    expect(both.status).toBe(400);
  });

  it('shows control-made postings moving through statuses in the lists', async () => {
    const catalog = (await raw<Catalog>('GET', '/ozon/_control/catalog')).body.items;
    const item = catalog[0]!;
    const created = await raw<Posting>('POST', '/ozon/_control/postings', { items: [{ offer_id: item.ozon.offerId, quantity: 2 }] });
    expect(created.status).toBe(201);
    const number = created.body.posting_number;
    expect(created.body.products[0]).toMatchObject({ sku: item.ozon.sku, offer_id: item.code, quantity: 2 });

    const open = await ozon<PostingPage>('POST', '/ozon/v4/posting/fbs/unfulfilled/list', {
      filter: { statuses: ['awaiting_packaging'] },
      limit: 100,
    });
    expect(open.body.postings.map((p) => p.posting_number)).toContain(number);
    const reserved = await ozon<{ result: { warehouse_id: number; reserved: number }[] }>(
      'POST',
      '/ozon/v1/product/info/stocks-by-warehouse/fbs',
      { offer_id: [item.code] },
    );
    expect(reserved.body.result.find((r) => r.warehouse_id === W1)!.reserved).toBeGreaterThanOrEqual(2);

    const since = new Date(Date.now() - 1000).toISOString();
    for (const status of ['awaiting_deliver', 'delivering']) {
      expect((await raw('POST', `/ozon/_control/postings/${number}/status`, { status })).status).toBe(200);
    }
    const stillOpen = await ozon<PostingPage>('POST', '/ozon/v4/posting/fbs/unfulfilled/list', { filter: {}, limit: 100 });
    expect(stillOpen.body.postings.map((p) => p.posting_number)).not.toContain(number);
    const changed = await ozon<V3Postings>('POST', '/ozon/v3/posting/fbs/list', {
      filter: { ...week(), status: 'delivering', last_changed_status_date: { from: since, to: new Date(Date.now() + 1000).toISOString() } },
      limit: 50,
      offset: 0,
    });
    expect(changed.body.result.postings.map((p) => p.posting_number)).toEqual([number]);

    expect((await raw('POST', `/ozon/_control/postings/${number}/status`, { status: 'awaiting_packaging' })).status).toBe(409);
    const cancelled = await raw<Posting>('POST', `/ozon/_control/postings/${number}/status`, { status: 'cancelled' });
    expect(cancelled.body.cancellation.cancelled_after_ship).toBe(true);
    const got = await ozon<{ result: Posting }>('POST', '/ozon/v3/posting/fbs/get', { posting_number: number });
    expect(got.body.result.status).toBe('cancelled');
  });

  it('serves returns with last_id paging and their status changes', async () => {
    const seeded = await ozon<ReturnPage>('POST', '/ozon/v1/returns/list', { filter: {}, limit: 2, last_id: 0 });
    expect(seeded.body.returns).toHaveLength(2);
    expect(seeded.body.has_next).toBe(true);
    const rest = await ozon<ReturnPage>('POST', '/ozon/v1/returns/list', { filter: {}, limit: 2, last_id: seeded.body.returns[1]!.id });
    expect(rest.body.returns).toHaveLength(1);
    expect(rest.body.has_next).toBe(false);

    const posting = (await raw<Posting>('POST', '/ozon/_control/postings', { items: [{ code: 'DS-1002' }], status: 'delivered' })).body;
    const ret = await raw<Return>('POST', '/ozon/_control/returns', { posting_number: posting.posting_number });
    expect(ret.status).toBe(201);
    expect(ret.body.logistic.final_moment).toBeNull();
    await raw('POST', `/ozon/_control/returns/${ret.body.id}/status`, { status: 'ReceivedBySeller' });
    const listed = await ozon<ReturnPage>('POST', '/ozon/v1/returns/list', {
      filter: { posting_numbers: [posting.posting_number] },
      limit: 10,
      last_id: 0,
    });
    expect(listed.body.returns[0]!.visual.status.sys_name).toBe('ReceivedBySeller');
    expect(listed.body.returns[0]!.logistic.final_moment).not.toBeNull();
    expect(listed.body.returns[0]!.product.offer_id).toBe('DS-1002');
    const twoDates = await ozon('POST', '/ozon/v1/returns/list', {
      filter: { logistic_return_date: {}, visual_status_change_moment: {} },
      limit: 10,
    });
    expect(twoDates.status).toBe(400);
  });

  it('pushes stock with a 100-pair limit and per-item errors', async () => {
    const catalog = (await raw<Catalog>('GET', '/ozon/_control/catalog')).body.items;
    const item = catalog[1]!;
    const tooMany = Array.from({ length: 101 }, () => ({
      offer_id: item.code,
      product_id: item.ozon.productId,
      stock: 1,
      warehouse_id: W1,
    }));
    const over = await ozon<OzonError>('POST', '/ozon/v2/products/stocks', { stocks: tooMany });
    expect(over.status).toBe(400);
    expect(over.body.code).toBe(3);

    const r = await ozon<StockUpdates>('POST', '/ozon/v2/products/stocks', {
      stocks: [
        { offer_id: item.code, product_id: String(item.ozon.productId), stock: 17, warehouse_id: String(W1) },
        { offer_id: 'NO-SUCH', product_id: 1, stock: 5, warehouse_id: W1 },
        { offer_id: item.code, product_id: item.ozon.productId, stock: 5, warehouse_id: 42 },
        { offer_id: item.code, product_id: item.ozon.productId, stock: 1_000_000, warehouse_id: OZON_WAREHOUSES[1].warehouse_id },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.result.map((x) => [x.updated, x.errors[0]?.code])).toEqual([
      [true, undefined],
      [false, 'offer_id_not_found'],
      [false, 'WAREHOUSE_NOT_FOUND'],
      [false, 'STOCK_TOO_BIG'],
    ]);
    const noWarehouse = await ozon<OzonError>('POST', '/ozon/v2/products/stocks', {
      stocks: [{ offer_id: item.code, product_id: item.ozon.productId, stock: 1 }],
    });
    expect(noWarehouse.status).toBe(400);
    expect(noWarehouse.body.message).toMatch(/^Request validation error: invalid ProductsStocksRequest.Stocks\[0\]/);

    const stocks = (await raw<{ stocks: { warehouse_id: number }[] }>('GET', `/ozon/_control/stocks?offer_id=${item.code}`)).body.stocks;
    expect(stocks.find((s) => s.warehouse_id === W1)).toMatchObject({ stock: 17, pushes: 1 });
    const dump = await ozon<{ stocks: { offer_id: string; free_stock: number; present: number; reserved: number }[] }>(
      'POST',
      '/ozon/v1/product/info/warehouse/stocks',
      { warehouse_id: W1, limit: 1000, cursor: '' },
    );
    const row = dump.body.stocks.find((s) => s.offer_id === item.code)!;
    expect(row.free_stock).toBe(17);
    expect(row.present).toBe(17 + row.reserved);
  });

  it('answers 429 code 8 and TOO_MANY_REQUESTS per pair once rate limits are on', async () => {
    const on = await raw<{ enabled: boolean }>('POST', '/ozon/_control/rate-limits', { enabled: true, rules: { global: { limit: 3 } } });
    expect(on.body.enabled).toBe(true);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ozon('POST', '/ozon/v2/warehouse/list', { limit: 1 })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await ozon('POST', '/ozon/v2/warehouse/list', { limit: 1 });
    expect(limited.body).toEqual({ code: 8, message: 'You have reached request rate limit per second', details: [] });

    await raw('POST', '/ozon/_control/rate-limits', { rules: { global: { limit: 50 } } });
    const item = (await raw<Catalog>('GET', '/ozon/_control/catalog')).body.items[2]!;
    const push = () =>
      ozon<StockUpdates>('POST', '/ozon/v2/products/stocks', {
        stocks: [{ offer_id: item.code, product_id: item.ozon.productId, stock: 3, warehouse_id: W1 }],
      });
    expect((await push()).body.result[0]!.updated).toBe(true);
    expect((await push()).body.result[0]!.errors[0]!.code).toBe('TOO_MANY_REQUESTS');
    expect((await raw<{ rules: Record<string, unknown> }>('GET', '/ozon/_control/rate-limits')).body.rules['stock-pair']).toEqual({
      limit: 1,
      windowMs: 30_000,
    });
  });

  it('honours the empty-page fault and the Ozon presets', async () => {
    const empty = await ozon(
      'POST',
      '/ozon/v4/posting/fbs/list',
      { filter: week(), limit: 10 },
      { 'x-sandbox-fault': JSON.stringify({ kind: 'empty' }) },
    );
    expect(empty.body).toMatchObject({ postings: [], has_next: false });
    const preset = await ozon<OzonError>(
      'POST',
      '/ozon/v2/warehouse/list',
      { limit: 1 },
      { 'x-sandbox-fault': JSON.stringify({ kind: 'status', preset: 'ozon.rate-limit' }) },
    );
    expect(preset.status).toBe(429);
    expect(preset.body.code).toBe(8);
  });

  it('serves the same seeded data on every start', async () => {
    const other = await start();
    try {
      const strip = (ps: Posting[]) => ps.map((p) => [p.posting_number, p.status, p.products]);
      const a = (await raw<{ postings: Posting[] }>('GET', '/ozon/_control/postings')).body.postings;
      const b = (await client(other)<{ postings: Posting[] }>('GET', '/ozon/_control/postings')).body.postings;
      expect(strip(a)).toEqual(strip(b));
      expect((await raw('GET', '/ozon/_control/catalog')).body).toEqual((await client(other)('GET', '/ozon/_control/catalog')).body);
    } finally {
      await other.close();
    }
  });
});
