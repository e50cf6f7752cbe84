import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogItem, RunningSandbox } from '../src/index';
import { OZON_CREDENTIALS } from '../src/ozon';
import { OZON_FBO_WAREHOUSES } from '../src/ozon/fbo-stocks';
import { WB_TOKENS } from '../src/wildberries';
import { YM_CREDENTIALS } from '../src/yandex-market';
import { YM_FBY_CAMPAIGN, YM_FF_WAREHOUSES } from '../src/yandex-market/fbo-stocks';
import { client, start } from './marketplace-client';

/**
 * The FBO stock reads of the three fakes (marketplace-held stock, read only): request validation as
 * documented, the data a test sets, and each method's documented limit answered as the real API does.
 */

let sandbox: RunningSandbox;
let raw: ReturnType<typeof client>;
let ozon: ReturnType<typeof client>;
let wb: ReturnType<typeof client>;
let ym: ReturnType<typeof client>;
let catalog: CatalogItem[];
const WB_REPORT = '/wb/analytics/api/analytics/v1/stocks-report/wb-warehouses';
const FBY = `/ym/v2/campaigns/${YM_FBY_CAMPAIGN.id}/offers/stocks`;

beforeAll(async () => {
  sandbox = await start();
  raw = client(sandbox);
  ozon = client(sandbox, { 'Client-Id': OZON_CREDENTIALS.clientId, 'Api-Key': OZON_CREDENTIALS.apiKey });
  wb = client(sandbox, { Authorization: WB_TOKENS.full });
  ym = client(sandbox, { 'Api-Key': YM_CREDENTIALS.apiKey });
  catalog = (await raw<{ items: CatalogItem[] }>('GET', '/ozon/_control/catalog')).body.items;
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await raw('POST', '/_control/reset');
});

describe('ozon POST /v1/analytics/stocks', () => {
  it('answers the FBO stock set per SKU × Ozon warehouse, filtered as asked, and validates skus and the cluster filters', async () => {
    const [a, b] = catalog;
    const [w1, w2] = OZON_FBO_WAREHOUSES;
    const set = await raw('PUT', '/ozon/_control/fbo-stocks', {
      items: [
        { offer_id: a!.code, warehouse_id: w1.warehouse_id, available_stock_count: 7, transit_stock_count: 2 },
        { sku: b!.ozon.sku, warehouse_id: w2.warehouse_id, available_stock_count: 3 },
      ],
    });
    expect(set.status).toBe(200);
    const res = await ozon<{ items: Record<string, unknown>[] }>('POST', '/ozon/v1/analytics/stocks', {
      skus: [String(a!.ozon.sku), String(b!.ozon.sku)],
    });
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((i) => [i.sku, i.offer_id, i.warehouse_id, i.warehouse_name, i.available_stock_count, i.transit_stock_count]),
    ).toEqual([
      [a!.ozon.sku, a!.code, w1.warehouse_id, w1.name, 7, 2],
      [b!.ozon.sku, b!.code, w2.warehouse_id, w2.name, 3, 0],
    ]);
    const one = await ozon<{ items: unknown[] }>('POST', '/ozon/v1/analytics/stocks', {
      skus: [String(a!.ozon.sku), String(b!.ozon.sku)],
      warehouse_ids: [String(w2.warehouse_id)],
    });
    expect(one.body.items).toHaveLength(1);

    const refused = async (body: unknown) => {
      const r = await ozon<{ code: number; message: string }>('POST', '/ozon/v1/analytics/stocks', body);
      return [r.status, r.body.code, r.body.message.split(':')[0]];
    };
    expect(await refused({})).toEqual([400, 3, 'invalid AnalyticsStocksRequest.Skus']);
    expect(await refused({ skus: [] })).toEqual([400, 3, 'invalid AnalyticsStocksRequest.Skus']);
    expect(await refused({ skus: Array.from({ length: 101 }, (_, i) => String(i + 1)) })).toEqual([
      400,
      3,
      'invalid AnalyticsStocksRequest.Skus',
    ]);
    expect(await refused({ skus: ['x'] })).toEqual([400, 3, 'invalid AnalyticsStocksRequest.Skus']);
    expect(await refused({ skus: ['1'], cluster_ids: ['4039'], macrolocal_cluster_ids: ['154'] })).toEqual([
      400,
      3,
      'use only one of cluster_ids and macrolocal_cluster_ids',
    ]);
  });

  it('is covered by the 50 a second of every Client-Id: the request over the limit gets 429 code 8', async () => {
    // The window lowered to 3 (saying so) makes the limit reachable without a timing race.
    await raw('POST', '/ozon/_control/rate-limits', { rules: { global: { limit: 3, windowMs: 60_000 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await ozon('POST', '/ozon/v1/analytics/stocks', { skus: ['1'] })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const over = await ozon<{ code: number; message: string }>('POST', '/ozon/v1/analytics/stocks', { skus: ['1'] });
    expect(over.body).toEqual({ code: 8, message: 'You have reached request rate limit per second', details: [] });
  });
});

describe('wb POST /api/analytics/v1/stocks-report/wb-warehouses', () => {
  it('answers the FBW stock per size on "Склад WB", filtered and paged as documented, with the 400 shape of the host', async () => {
    const sizes = catalog.slice(0, 3);
    const set = await raw('PUT', '/wb/_control/fbo-stocks', {
      items: sizes.map((c, i) => ({ chrtId: c.wb.chrtId, quantity: 10 + i, inWayToClient: i })),
    });
    expect(set.status).toBe(200);
    const all = await wb<{ data: { items: Record<string, unknown>[] } }>('POST', WB_REPORT, { limit: 250_000, offset: 0 });
    expect(all.status).toBe(200);
    const rows = sizes
      .map((c, i) => ({
        nmId: c.wb.nmId,
        chrtId: c.wb.chrtId,
        warehouseId: -999_999,
        warehouseName: 'Склад WB',
        regionName: 'Склад WB',
        quantity: 10 + i,
        inWayToClient: i,
        inWayFromClient: 0,
      }))
      .sort((x, y) => x.nmId - y.nmId || x.chrtId - y.chrtId);
    expect(all.body.data.items).toEqual(rows);
    await raw('POST', '/wb/_control/rate-limits', { enabled: false });
    const paged = await wb<{ data: { items: unknown[] } }>('POST', WB_REPORT, { limit: 2, offset: 2 });
    expect(paged.body.data.items).toEqual(rows.slice(2));
    const byNm = await wb<{ data: { items: { nmId: number }[] } }>('POST', WB_REPORT, { nmIds: [rows[0]!.nmId] });
    expect(byNm.body.data.items.every((r) => r.nmId === rows[0]!.nmId)).toBe(true);
    const bad = await wb<Record<string, unknown>>('POST', WB_REPORT, { nmIds: Array.from({ length: 1001 }, (_, i) => i + 1) });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['detail', 'origin', 'requestId', 'title']);
    expect((await wb('POST', WB_REPORT, { limit: 250_001 })).status).toBe(400);
  });

  it('keeps 3 a minute, interval 20 s, burst 1: the second request at once is refused with 429 and X-Ratelimit-Retry', async () => {
    const first = await wb('POST', WB_REPORT, {});
    expect(first.status).toBe(200);
    const second = await wb<{ title: string; status: number }>('POST', WB_REPORT, {});
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ title: 'too many requests', status: 429 });
    const retry = Number(second.headers.get('x-ratelimit-retry'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(20);
    // With the burst raised to the minute's 3 (saying so), the fourth within the minute is the one refused.
    await raw('POST', '/wb/_control/rate-limits', { rules: { 'stocks-report': { burst: 3 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await wb('POST', WB_REPORT, {})).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The goods-return report on the same host keeps its own bucket.
    const day = new Date().toISOString().slice(0, 10);
    expect((await wb('GET', `/wb/analytics/api/v1/analytics/goods-return?dateFrom=${day}&dateTo=${day}`)).status).toBe(200);
  });
});

describe('ym FBY stock (POST /v2/campaigns/{id}/offers/stocks on an FBY campaign) and GET /v2/warehouses', () => {
  it('lists the FBY campaign once it has stock, answers its stock per Market warehouse with page tokens', async () => {
    const before = await ym<{ campaigns: { id: number }[] }>('GET', '/ym/v2/campaigns');
    expect(before.body.campaigns.map((c) => c.id)).not.toContain(YM_FBY_CAMPAIGN.id);
    const [a, b] = catalog;
    const [m1, m2] = YM_FF_WAREHOUSES;
    const set = await raw('PUT', '/ym/_control/fbo-stocks', {
      items: [
        { offerId: a!.code, warehouseId: m1.id, AVAILABLE: 5, FIT: 6, FREEZE: 1 },
        { offerId: b!.code, warehouseId: m1.id, AVAILABLE: 0, FIT: 0 },
        { offerId: a!.code, warehouseId: m2.id, AVAILABLE: 9, FIT: 9 },
      ],
    });
    expect(set.status).toBe(200);
    const after = await ym<{ campaigns: { id: number; placementType: string }[] }>('GET', '/ym/v2/campaigns');
    expect(after.body.campaigns.find((c) => c.id === YM_FBY_CAMPAIGN.id)?.placementType).toBe('FBY');

    type Page = {
      result: {
        paging: { nextPageToken?: string };
        warehouses: { warehouseId: number; offers: { offerId: string; stocks: { type: string; count: number }[] }[] }[];
      };
    };
    const seen: [number, string, number | undefined][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await ym<Page>('POST', `${FBY}?limit=2${token ? `&page_token=${token}` : ''}`, {});
      expect(res.status).toBe(200);
      pages++;
      for (const w of res.body.result.warehouses)
        for (const o of w.offers) seen.push([w.warehouseId, o.offerId, o.stocks.find((s) => s.type === 'AVAILABLE')?.count]);
      token = res.body.result.paging.nextPageToken;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(
      [
        [m1.id, a!.code, 5],
        [m1.id, b!.code, 0],
        [m2.id, a!.code, 9],
      ].sort(),
    );
    expect((await ym('POST', `${FBY}?limit=201`, {})).status).toBe(400);
    expect((await ym('POST', `${FBY}?limit=2`, { offerIds: [a!.code] })).status).toBe(400);
    expect((await ym('POST', FBY, { hasStocks: true })).status).toBe(400);
    const names = await ym<{ status: string; result: { warehouses: { id: number; name: string }[] } }>('GET', '/ym/v2/warehouses');
    expect(names.body.result.warehouses.map((w) => [w.id, w.name])).toEqual(YM_FF_WAREHOUSES.map((w) => [w.id, w.name]));
  });

  it('counts the stock read by offers answered (420 once over) and GET /v2/warehouses at 100 an hour', async () => {
    const [a, b, c] = catalog;
    await raw('PUT', '/ym/_control/fbo-stocks', {
      items: [a!, b!, c!].map((x) => ({ offerId: x.code, warehouseId: YM_FF_WAREHOUSES[0].id, AVAILABLE: 1 })),
    });
    // 100,000 offers a minute lowered to 5 (saying so): pages of 2, 1 and 2 offers fill it; the 4th request is over.
    await raw('POST', '/ym/_control/rate-limits', { rules: { 'stocks-read': { limit: 5 } } });
    const first = await ym<{ result: { paging: { nextPageToken?: string } } }>('POST', `${FBY}?limit=2`, {});
    const second = await ym('POST', `${FBY}?limit=2&page_token=${first.body.result.paging.nextPageToken}`, {});
    const third = await ym('POST', `${FBY}?limit=2`, {});
    const fourth = await ym<{ status: string; errors: { code: string; message: string }[] }>('POST', `${FBY}?limit=2`, {});
    expect([first.status, second.status, third.status, fourth.status]).toEqual([200, 200, 200, 420]);
    expect(fourth.body.status).toBe('ERROR');
    expect(fourth.body.errors[0]!.message).toMatch(/^Hit rate limit of 5 /);
    expect(fourth.headers.get('x-ratelimit-resource-remaining')).toBe('0');

    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await ym('GET', '/ym/v2/warehouses')).status);
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(statuses[100]).toBe(420);
  });
});
