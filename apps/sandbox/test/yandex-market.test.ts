import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogItem, RunningSandbox } from '../src/index';
import { YM_BUSINESS, YM_CAMPAIGNS, YM_CREDENTIALS } from '../src/yandex-market';
import type { orderV1, orderV2, returnJson } from '../src/yandex-market/render';
import { client, start, type Reply } from './marketplace-client';

/** The fake's answers as these tests read them (its render.ts and control.ts). */
type OrderV1 = ReturnType<typeof orderV1>;
type OrderV2 = ReturnType<typeof orderV2>;
type Return = ReturnType<typeof returnJson>;
interface YmError {
  status: string;
  errors: { code: string; message: string }[];
}
interface Catalog {
  items: CatalogItem[];
}
interface Paging {
  nextPageToken?: string;
}
interface ControlStocks {
  stocks: { offerId: string; count: number; pushes: number }[];
}

let sandbox: RunningSandbox;
let ym: ReturnType<typeof client>;
let raw: ReturnType<typeof client>;
const C1 = YM_CAMPAIGNS[0].id;
const B = YM_BUSINESS.id;

beforeAll(async () => {
  sandbox = await start();
  ym = client(sandbox, { 'Api-Key': YM_CREDENTIALS.apiKey });
  raw = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await raw('POST', '/_control/reset');
});

describe('yandex market fake', () => {
  it('authenticates by Api-Key or the deprecated OAuth bearer, with YM error bodies', async () => {
    const none = await raw('GET', '/ym/v2/campaigns');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ status: 'ERROR', errors: [{ code: 'UNAUTHORIZED', message: 'Credentials are not specified' }] });
    const prefixed = await raw<YmError>('GET', '/ym/v2/campaigns', undefined, { 'Api-Key': `Bearer ${YM_CREDENTIALS.apiKey}` });
    expect(prefixed.body.errors[0]!.message).toBe('Api-Key token prefix invalid');
    expect((await raw<YmError>('GET', '/ym/v2/campaigns', undefined, { 'Api-Key': 'wrong' })).body.errors[0]!.message).toBe(
      'Api-Key token is invalid',
    );
    const oauth = await raw<{ campaigns: { id: number; business: { id: number } }[] }>('GET', '/ym/campaigns', undefined, {
      Authorization: `Bearer ${YM_CREDENTIALS.oauthToken}`,
    });
    expect(oauth.status).toBe(200);
    expect(oauth.body.campaigns.map((c) => c.id)).toEqual(YM_CAMPAIGNS.map((c) => c.id));
    expect(oauth.body.campaigns[0]!.business.id).toBe(B);
    const unknown = await ym<YmError>('GET', '/ym/v2/campaigns/999/orders');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]!.message).toBe("Campaign not found: '999'");
  });

  it('pages orders with page tokens (both spellings), the v1 business list and deprecated pages', async () => {
    const all = (await raw<{ orders: OrderV1[] }>('GET', '/ym/_control/orders')).body.orders.filter((o) => o.campaignId === C1);
    const seen: number[] = [];
    let token: string | undefined;
    let spelling = 0;
    for (;;) {
      const param = token === undefined ? '' : `&${spelling++ % 2 === 0 ? 'page_token' : 'pageToken'}=${token}`;
      const r = await ym<{ orders: OrderV2[]; paging: Paging }>('GET', `/ym/v2/campaigns/${C1}/orders?limit=3${param}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.orders.map((o) => o.id));
      token = r.body.paging.nextPageToken;
      if (!token) break;
    }
    expect(seen.sort()).toEqual(all.map((o) => o.orderId).sort());
    expect((await ym('GET', `/ym/v2/campaigns/${C1}/orders?limit=51`)).status).toBe(400);
    expect((await ym('GET', `/ym/v2/campaigns/${C1}/orders?page_token=garbage`)).status).toBe(400);

    const paged = await ym<{ pager: unknown; orders: OrderV2[] }>('GET', `/ym/v2/campaigns/${C1}/orders?page=1&pageSize=2`);
    expect(paged.body.pager).toMatchObject({ total: all.length, currentPage: 1, pageSize: 2 });
    expect(paged.body.orders[0]!.creationDate).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/);

    const v1: number[] = [];
    token = undefined;
    for (;;) {
      const r: Reply<{ orders: OrderV1[]; paging: Paging }> = await ym(
        'POST',
        `/ym/v1/businesses/${B}/orders?limit=10${token ? `&page_token=${token}` : ''}`,
        {},
      );
      v1.push(...r.body.orders.map((o) => o.orderId));
      token = r.body.paging.nextPageToken;
      if (!token) break;
    }
    expect(v1).toHaveLength(24);
    expect((await ym('POST', `/ym/v1/businesses/1/orders`, {})).status).toBe(403);
  });

  it('moves control-made orders through statuses, visible in both lists and in FREEZE', async () => {
    const item = (await raw<Catalog>('GET', '/ym/_control/catalog')).body.items[4]!;
    const readStock = async () => {
      const r = await ym<{ result: { warehouses: { offers: { stocks: { type: string; count: number }[] }[] }[] } }>(
        'POST',
        `/ym/v2/campaigns/${C1}/offers/stocks`,
        { offerIds: [item.ym.offerId] },
      );
      return Object.fromEntries(r.body.result.warehouses[0]!.offers[0]!.stocks.map((s) => [s.type, s.count])) as Record<string, number>;
    };
    const before = await readStock();
    const since = new Date(Date.now() - 1000).toISOString();
    const order = (await raw<OrderV1>('POST', '/ym/_control/orders', { items: [{ offerId: item.ym.offerId, count: 2 }] })).body;
    expect(order).toMatchObject({ status: 'PROCESSING', substatus: 'STARTED', campaignId: C1 });
    expect(order.items[0]!.itemStatuses).toEqual([{ status: 'CREATED', count: 2 }]);
    expect(await readStock()).toEqual({ AVAILABLE: before.AVAILABLE, FREEZE: before.FREEZE! + 2, FIT: before.FIT! + 2 });

    for (const [status, substatus] of [
      ['PROCESSING', 'READY_TO_SHIP'],
      ['DELIVERY', undefined],
    ]) {
      expect((await raw('POST', `/ym/_control/orders/${order.orderId}/status`, { status, substatus })).status).toBe(200);
    }
    expect((await readStock()).FREEZE).toBe(before.FREEZE);
    const changed = await ym<{ orders: OrderV1[] }>('POST', `/ym/v1/businesses/${B}/orders`, { dates: { updateDateFrom: since } });
    expect(changed.body.orders.map((o) => o.orderId)).toEqual([order.orderId]);
    expect(changed.body.orders[0]!.items[0]!.itemStatuses).toEqual([{ status: 'SHIPPED', count: 2 }]);
    const v2 = await ym<{ orders: OrderV2[] }>(
      'GET',
      `/ym/v2/campaigns/${C1}/orders?status=DELIVERY,DELIVERED&updatedAtFrom=${encodeURIComponent(since)}`,
    );
    expect(v2.body.orders.map((o) => o.id)).toEqual([order.orderId]);
    expect(v2.body.orders[0]!.items[0]).toMatchObject({ offerId: item.ym.offerId, shopSku: item.ym.shopSku, count: 2 });
    expect((await raw('POST', `/ym/_control/orders/${order.orderId}/status`, { status: 'PROCESSING' })).status).toBe(409);
    expect((await raw('POST', `/ym/_control/orders/${order.orderId}/status`, { status: 'DELIVERED' })).status).toBe(200);
    expect((await raw('POST', `/ym/_control/orders/${order.orderId}/status`, { status: 'CANCELLED' })).status).toBe(409);
  });

  it('serves returns with page tokens and status changes', async () => {
    const order = (await raw<OrderV1>('POST', '/ym/_control/orders', { items: [{ code: 'DS-1002', count: 1 }] })).body;
    await raw('POST', `/ym/_control/orders/${order.orderId}/status`, { status: 'DELIVERED' });
    const ret = (await raw<Return>('POST', '/ym/_control/returns', { orderId: order.orderId, shipmentStatus: 'READY_FOR_PICKUP' })).body;
    expect(ret.items[0]).toMatchObject({ shopSku: 'DS-1002', count: 1 });
    await raw('POST', `/ym/_control/returns/${ret.id}/status`, { shipmentStatus: 'PICKED', refundStatus: 'REFUNDED' });
    const listed = await ym<{ status: string; result: { returns: Return[] } }>(
      'GET',
      `/ym/v2/campaigns/${C1}/returns?orderIds=${order.orderId}`,
    );
    expect(listed.body.status).toBe('OK');
    expect(listed.body.result.returns).toHaveLength(1);
    expect(listed.body.result.returns[0]).toMatchObject({
      id: ret.id,
      shipmentStatus: 'PICKED',
      refundStatus: 'REFUNDED',
      returnType: 'RETURN',
    });

    const ids: number[] = [];
    let token: string | undefined;
    for (;;) {
      const r = await ym<{ result: { returns: Return[]; paging: Paging } }>(
        'GET',
        `/ym/v2/campaigns/${C1}/returns?limit=1${token ? `&pageToken=${token}` : ''}`,
      );
      ids.push(...r.body.result.returns.map((x) => x.id));
      token = r.body.result.paging.nextPageToken;
      if (!token) break;
    }
    const control = (await raw<{ returns: (Return & { campaignId: number })[] }>('GET', '/ym/_control/returns')).body.returns.filter(
      (r) => r.campaignId === C1,
    );
    expect(ids).toEqual(control.map((r) => r.id));
  });

  it('validates the stock push as a whole and stores what it was told', async () => {
    const [x, y] = (await raw<Catalog>('GET', '/ym/_control/catalog')).body.items as [CatalogItem, CatalogItem];
    const path = `/ym/v2/campaigns/${C1}/offers/stocks`;
    const one = (sku: string, count: number) => ({ sku, items: [{ count, updatedAt: '2026-05-01T12:00:00+03:00' }] });
    const over = await ym<YmError>('PUT', path, { skus: Array.from({ length: 2001 }, (_, i) => one(`S-${i}`, 1)) });
    expect(over.status).toBe(400);
    expect(over.body.status).toBe('ERROR');
    expect((await ym('PUT', path, { skus: [one(x.ym.offerId, 1), one(x.ym.offerId, 2)] })).status).toBe(400);
    expect((await ym('PUT', path, { skus: [{ sku: x.ym.offerId, items: [{ count: 1 }, { count: 2 }] }] })).status).toBe(400);
    expect((await ym('PUT', path, { skus: [one(x.ym.offerId, -1)] })).status).toBe(400);

    const unknown = await ym<YmError>('PUT', path, { skus: [one(x.ym.offerId, 11), one(`0${x.ym.offerId}`, 1)] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ code: 'OFFER_NOT_FOUND', message: `Offer not found: '0${x.ym.offerId}'` }]);

    const ok = await ym('PUT', path, {
      skus: [one(x.ym.offerId, 11), { sku: y.ym.offerId, warehouseId: 55555, items: [{ count: 4, type: 'FIT' }] }],
    });
    expect(ok.body).toEqual({ status: 'OK' });
    const control = (await raw<ControlStocks>('GET', `/ym/_control/stocks?warehouseId=${YM_CAMPAIGNS[0].warehouseId}`)).body.stocks;
    expect(control.find((s) => s.offerId === x.ym.offerId)).toMatchObject({ count: 11, pushes: 1 });
    expect(control.find((s) => s.offerId === y.ym.offerId)).toMatchObject({ count: 4, pushes: 1 });

    const v3 = await ym('POST', `/ym/v3/businesses/${B}/offers/stocks/update`, {
      skuItems: [{ sku: x.ym.offerId, partnerWarehouseId: YM_CAMPAIGNS[1].warehouseId, count: 3 }],
    });
    expect(v3.body).toEqual({ status: 'OK' });
    const second = (await raw<ControlStocks>('GET', `/ym/_control/stocks?warehouseId=${YM_CAMPAIGNS[1].warehouseId}`)).body.stocks;
    expect(second.find((s) => s.offerId === x.ym.offerId)!.count).toBe(3);
  });

  it('answers 420 with X-RateLimit-Resource headers, and caps parallel requests', async () => {
    await raw('POST', '/ym/_control/rate-limits', { enabled: true, rules: { 'orders-v2': { limit: 2 } } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await ym<YmError>('GET', `/ym/v2/campaigns/${C1}/orders?limit=1`));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 420]);
    const limited = statuses[2]!;
    expect(limited.body.status).toBe('ERROR');
    expect(limited.body.errors[0]!.message).toMatch(/^Hit rate limit of 2 requests per 1 hour for resource orders-v2/);
    expect(limited.headers.get('x-ratelimit-resource-remaining')).toBe('0');
    expect(Date.parse(limited.headers.get('x-ratelimit-resource-until')!)).toBeGreaterThan(Date.now());
    expect(statuses[0]!.headers.get('x-ratelimit-resource-limit')).toBe('2');

    await raw('POST', '/ym/_control/rate-limits', { rules: { 'stocks-push': { limit: 3 } } });
    const item = (await raw<Catalog>('GET', '/ym/_control/catalog')).body.items[0]!;
    const skus = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: i === 0 ? item.ym.offerId : `X-${i}`, items: [{ count: 1 }] }));
    expect((await ym('PUT', `/ym/v2/campaigns/${C1}/offers/stocks`, { skus: skus(4) })).status).toBe(420);

    await raw('POST', '/ym/_control/rate-limits', { options: { latencyMs: 150 } });
    const parallel = await Promise.all([1, 2, 3].map(() => ym<YmError>('GET', '/ym/v2/campaigns')));
    const codes = parallel.map((r) => r.status).sort();
    expect(codes).toEqual([200, 200, 420]);
    expect(parallel.find((r) => r.status === 420)!.body.errors[0]!.message).toBe('Hit rate limit of 2 parallel requests');
  });

  it('lists offer mappings and the shared catalogue identically on all three fakes', async () => {
    const mappings = await ym<{ result: { offerMappings: { offer: { offerId: string }; mapping: { marketSku: number } }[] } }>(
      'POST',
      `/ym/v2/businesses/${B}/offer-mappings?limit=100`,
      {},
    );
    const catalog = (await raw<Catalog>('GET', '/ym/_control/catalog')).body;
    expect(mappings.body.result.offerMappings.map((m) => [m.offer.offerId, m.mapping.marketSku])).toEqual(
      catalog.items.map((i) => [i.ym.offerId, i.ym.marketSku]),
    );
    expect((await raw('GET', '/ozon/_control/catalog')).body).toEqual(catalog);
    expect((await raw('GET', '/wb/_control/catalog')).body).toEqual(catalog);
    const preset = await ym('GET', '/ym/v2/campaigns', undefined, {
      'x-sandbox-fault': JSON.stringify({ kind: 'status', preset: 'ym.rate-limit' }),
    });
    expect(preset.status).toBe(420);
  });

  it('serves the same seeded data on every start, and reset restores it', async () => {
    const other = await start();
    try {
      const strip = (os: OrderV1[]) => os.map((o) => [o.orderId, o.status, o.substatus, o.items.map((i) => [i.offerId, i.count])]);
      const a = (await raw<{ orders: OrderV1[] }>('GET', '/ym/_control/orders')).body.orders;
      expect(strip(a)).toEqual(strip((await client(other)<{ orders: OrderV1[] }>('GET', '/ym/_control/orders')).body.orders));
      await raw('POST', '/ym/_control/orders', { items: [{ code: 'DS-1002' }] });
      await raw('POST', '/_control/reset');
      expect(strip((await raw<{ orders: OrderV1[] }>('GET', '/ym/_control/orders')).body.orders)).toEqual(strip(a));
    } finally {
      await other.close();
    }
  });
});
