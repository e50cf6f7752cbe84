import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogItem, RunningSandbox } from '../src/index';
import { WB_TOKENS, WB_WAREHOUSES } from '../src/wildberries';
import type { claimJson, goodsReturnJson, taskJson } from '../src/wildberries/render';
import { client, start } from './marketplace-client';

/** The fake's answers as these tests read them (its render.ts and control.ts). */
type Task = ReturnType<typeof taskJson>;
type Claim = ReturnType<typeof claimJson>;
type GoodsReturn = ReturnType<typeof goodsReturnJson>;
interface WbError {
  title: string;
  detail: string;
  code: string;
}
interface TaskStatus {
  id: number;
  supplierStatus: string;
  wbStatus: string;
  isCancellable: boolean;
}
interface Catalog {
  items: CatalogItem[];
}
interface Stocks {
  stocks: { chrtId: number; amount: number }[];
}
interface ControlStocks {
  stocks: { chrtId: number; amount: number; pushes: number }[];
}
interface CardsPage {
  cards: { nmID: number }[];
  cursor: { total: number; updatedAt: string; nmID: number };
}

let sandbox: RunningSandbox;
let wb: ReturnType<typeof client>;
let raw: ReturnType<typeof client>;
const W1 = WB_WAREHOUSES[0].id;
const MP = '/wb/marketplace';

beforeAll(async () => {
  sandbox = await start();
  wb = client(sandbox, { Authorization: WB_TOKENS.full });
  raw = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await raw('POST', '/_control/reset');
});

describe('wildberries fake', () => {
  it('checks the token and its category per host, in the gateway error shape', async () => {
    const none = await raw('GET', `${MP}/api/v3/warehouses`);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ title: 'unauthorized', status: 401, statusText: 'Unauthorized', origin: 's2s-api-auth-marketplace' });
    expect((await raw('GET', `${MP}/api/v3/warehouses`, undefined, { Authorization: 'garbage' })).status).toBe(401);
    const mpOnly = client(sandbox, { Authorization: WB_TOKENS.marketplace });
    expect((await mpOnly('GET', `${MP}/api/v3/warehouses`)).status).toBe(200);
    const content = await mpOnly<WbError>('POST', '/wb/content/content/v2/get/cards/list', { settings: { cursor: { limit: 10 } } });
    expect(content.status).toBe(401);
    expect(content.body.detail).toMatch(/scope/);
    const ro = client(sandbox, { Authorization: WB_TOKENS.readOnly });
    expect((await ro('PUT', `${MP}/api/v3/stocks/${W1}`, { stocks: [{ chrtId: 1, amount: 1 }] })).status).toBe(401);
    const warehouses = await wb<{ id: number }[]>('GET', `${MP}/api/v3/warehouses`);
    expect(Array.isArray(warehouses.body)).toBe(true);
    expect(warehouses.body.map((w) => w.id)).toEqual(WB_WAREHOUSES.map((w) => w.id));
    expect((await wb<{ Status: string }>('GET', `${MP}/ping`)).body.Status).toBe('OK');
  });

  it('lists new tasks, pages all tasks with the next cursor, and reports statuses', async () => {
    // About paging and validation: several 4xx in a row would use up the group's burst (each costs 10).
    await raw('POST', '/wb/_control/rate-limits', { enabled: false });
    const fresh = (await wb<{ orders: Task[] }>('GET', `${MP}/api/v3/orders/new`)).body.orders;
    expect(fresh.length).toBeGreaterThan(0);
    const ids: number[] = [];
    let next = 0;
    for (;;) {
      const r = await wb<{ orders: Task[]; next: number }>('GET', `${MP}/api/v3/orders?limit=7&next=${next}`);
      expect(r.status).toBe(200);
      if (r.body.orders.length === 0) break;
      ids.push(...r.body.orders.map((o) => o.id));
      // Opaque: an int64 position that is not a task id; passed back as given.
      expect(ids).not.toContain(r.body.next);
      next = r.body.next;
    }
    expect(ids).toHaveLength(40);
    // The highest task id seen is not a cursor.
    expect((await wb('GET', `${MP}/api/v3/orders?limit=7&next=${Math.max(...ids)}`)).status).toBe(400);
    expect(new Set(ids).size).toBe(40);
    expect((await wb('GET', `${MP}/api/v3/orders?limit=10`)).status).toBe(400);
    const tooLong = await wb<WbError>('GET', `${MP}/api/v3/orders?limit=10&next=0&dateFrom=1&dateTo=${31 * 86400 + 2}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('IncorrectParameter');

    const status = await wb<{ orders: TaskStatus[] }>('POST', `${MP}/api/v3/orders/status`, { orders: ids });
    const byStatus = new Set(status.body.orders.map((o) => o.supplierStatus));
    expect(byStatus).toEqual(new Set(['new', 'confirm', 'complete', 'cancel']));
    const newIds = status.body.orders.filter((o) => o.supplierStatus === 'new').map((o) => o.id);
    expect(fresh.map((o) => o.id).sort()).toEqual(newIds.sort());
    expect((await wb('POST', `${MP}/api/v3/orders/status`, { orders: [] })).status).toBe(400);
  });

  it('creates one task per unit and moves tasks through statuses', async () => {
    const item = (await raw<Catalog>('GET', '/wb/_control/catalog')).body.items[0]!;
    const created = await raw<{ orders: Task[] }>('POST', '/wb/_control/orders', { items: [{ chrtId: item.wb.chrtId, quantity: 2 }] });
    expect(created.status).toBe(201);
    const [a, b] = created.body.orders as [Task, Task];
    expect(a.orderUid).toBe(b.orderUid);
    expect(a.rid).not.toBe(b.rid);
    expect(a).toMatchObject({ chrtId: item.wb.chrtId, nmId: item.wb.nmId, skus: [item.wb.barcode], article: item.wb.vendorCode });

    let fresh = (await wb<{ orders: Task[] }>('GET', `${MP}/api/v3/orders/new`)).body.orders.map((o) => o.id);
    expect(fresh).toEqual(expect.arrayContaining([a.id, b.id]));
    await raw('POST', `/wb/_control/orders/${a.id}/status`, { supplierStatus: 'confirm' });
    fresh = (await wb<{ orders: Task[] }>('GET', `${MP}/api/v3/orders/new`)).body.orders.map((o) => o.id);
    expect(fresh).not.toContain(a.id);
    await raw('POST', `/wb/_control/orders/${a.id}/status`, { supplierStatus: 'complete', wbStatus: 'sold' });
    const st = await wb<{ orders: TaskStatus[] }>('POST', `${MP}/api/v3/orders/status`, { orders: [a.id, b.id] });
    expect(st.body.orders).toEqual([
      { id: a.id, supplierStatus: 'complete', wbStatus: 'sold', isCancellable: false },
      { id: b.id, supplierStatus: 'new', wbStatus: 'waiting', isCancellable: true },
    ]);
    expect((await raw('POST', `/wb/_control/orders/${a.id}/status`, { supplierStatus: 'new' })).status).toBe(409);
    expect((await wb('PATCH', `${MP}/api/v3/orders/${b.id}/cancel`)).status).toBe(204);
    expect((await wb('PATCH', `${MP}/api/v3/orders/${b.id}/cancel`)).status).toBe(409);
    const cancelled = await wb<{ orders: TaskStatus[] }>('POST', `${MP}/api/v3/orders/status`, { orders: [b.id] });
    expect(cancelled.body.orders[0]).toMatchObject({ supplierStatus: 'cancel', wbStatus: 'canceled' });
  });

  it('serves claims (joined to tasks by srid) and the goods-return report', async () => {
    const open = await wb<{ total: number; claims: Claim[] }>('GET', '/wb/returns/api/v1/claims?is_archive=false');
    expect(open.status).toBe(200);
    expect(open.body.total).toBe(open.body.claims.length);
    expect((await wb('GET', '/wb/returns/api/v1/claims')).status).toBe(400);

    const item = (await raw<Catalog>('GET', '/wb/_control/catalog')).body.items[3]!;
    const task = (await raw<{ orders: Task[] }>('POST', '/wb/_control/orders', { items: [{ code: item.code }] })).body.orders[0]!;
    await raw('POST', `/wb/_control/orders/${task.id}/status`, { supplierStatus: 'complete', wbStatus: 'sold' });
    const claim = (await raw<Claim>('POST', '/wb/_control/claims', { orderId: task.id })).body;
    expect(claim).toMatchObject({ nm_id: item.wb.nmId, srid: task.rid, status: 0 });
    let listed = await wb<{ claims: Claim[] }>('GET', `/wb/returns/api/v1/claims?is_archive=false&nm_id=${item.wb.nmId}`);
    expect(listed.body.claims.map((c) => c.id)).toContain(claim.id);
    await raw('POST', `/wb/_control/claims/${claim.id}`, { status: 2, status_ex: 10 });
    listed = await wb<{ claims: Claim[] }>('GET', '/wb/returns/api/v1/claims?is_archive=true');
    expect(listed.body.claims.find((c) => c.id === claim.id)).toMatchObject({ status: 2, status_ex: 10 });

    const row = (await raw<GoodsReturn>('POST', '/wb/_control/goods-returns', { orderId: task.id })).body;
    await raw('POST', `/wb/_control/goods-returns/${row.shkId}`, { completed: true });
    const day = new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10);
    const report = await wb<{ report: GoodsReturn[] }>('GET', `/wb/analytics/api/v1/analytics/goods-return?dateFrom=${day}&dateTo=${day}`);
    expect(report.body.report.find((r) => r.shkId === row.shkId)).toMatchObject({
      srid: task.rid,
      orderId: task.id,
      isStatusActive: 0,
    });
  });

  it('pushes stock: 204, 1000-item limit, sku rejected, 409 array with nothing applied', async () => {
    // About validation: its 4xx answers in a row (10 each) would use up the stocks group's burst of 20.
    await raw('POST', '/wb/_control/rate-limits', { enabled: false });
    const items = (await raw<Catalog>('GET', '/wb/_control/catalog')).body.items.filter((i) => i.cargoType === 1);
    const [x, y] = items as [CatalogItem, CatalogItem];
    const path = `${MP}/api/v3/stocks/${W1}`;
    expect((await wb('PUT', path, { stocks: Array.from({ length: 1001 }, () => ({ chrtId: x.wb.chrtId, amount: 1 })) })).status).toBe(400);
    const bySku = await wb<WbError>('PUT', path, { stocks: [{ sku: x.wb.barcode, amount: 1 }] });
    expect(bySku.status).toBe(400);
    expect(bySku.body.code).toBe('SKUUploadDisabled');

    const conflict = await wb<{ code: string; data: unknown }[]>('PUT', path, {
      stocks: [
        { chrtId: x.wb.chrtId, amount: 9 },
        { chrtId: 1, amount: 1 },
        { chrtId: y.wb.chrtId, amount: 100_001 },
      ],
    });
    expect(conflict.status).toBe(409);
    expect(Array.isArray(conflict.body)).toBe(true);
    expect(conflict.body.map((e) => e.code).sort()).toEqual(['NotFound', 'UploadDataLimit']);
    expect(conflict.body.find((e) => e.code === 'NotFound')!.data).toEqual([{ sku: '', chrtId: 1, amount: 1 }]);
    const before = (await wb<Stocks>('POST', path, { chrtIds: [x.wb.chrtId] })).body.stocks[0]?.amount;
    expect(before).not.toBe(9);

    expect(
      (
        await wb('PUT', path, {
          stocks: [
            { chrtId: x.wb.chrtId, amount: 9 },
            { chrtId: y.wb.chrtId, amount: 0 },
            { chrId: 5, amout: 1 },
          ],
        })
      ).status,
    ).toBe(204);
    const read = await wb<Stocks>('POST', path, { chrtIds: [x.wb.chrtId, y.wb.chrtId] });
    expect(read.body.stocks).toEqual([
      { chrtId: x.wb.chrtId, amount: 9 },
      { chrtId: y.wb.chrtId, amount: 0 },
    ]);
    const control = (await raw<ControlStocks>('GET', `/wb/_control/stocks?warehouseId=${W1}`)).body.stocks;
    expect(control.find((s) => s.chrtId === x.wb.chrtId)).toMatchObject({ amount: 9, pushes: 1 });

    const processing = await wb<{ code: string }[]>('PUT', `${MP}/api/v3/stocks/${WB_WAREHOUSES[2].id}`, {
      stocks: [{ chrtId: x.wb.chrtId, amount: 1 }],
    });
    expect(processing.status).toBe(409);
    expect(processing.body[0]!.code).toBe('StoreIsProcessing');
    expect((await wb('PUT', `${MP}/api/v3/stocks/1`, { stocks: [{ chrtId: x.wb.chrtId, amount: 1 }] })).status).toBe(404);
  });

  it('rate-limits per method group with X-Ratelimit headers and charges 10 for a 4xx', async () => {
    // On by default, with the documented limits: 20 requests of the orders group pass at once.
    expect((await raw<{ enabled: boolean }>('GET', '/wb/_control/rate-limits')).body.enabled).toBe(true);
    await raw('POST', '/wb/_control/rate-limits', { rules: { orders: { burst: 12, limit: 1, windowMs: 60_000 } } });
    const ok = await wb('GET', `${MP}/api/v3/orders/new`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('11');
    expect((await wb('GET', `${MP}/api/v3/orders?limit=0&next=0`)).status).toBe(400); // costs 10
    expect((await wb('GET', `${MP}/api/v3/orders/new`)).status).toBe(200); // the 12th token
    const limited = await wb('GET', `${MP}/api/v3/orders/new`);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ title: 'too many requests', status: 429 });
    expect(Number(limited.headers.get('x-ratelimit-retry'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('12');
    expect(limited.headers.get('x-ratelimit-reset')).not.toBeNull();
    // Other groups keep their own bucket.
    expect((await wb('POST', `${MP}/api/v3/stocks/${W1}`, { chrtIds: [1] })).status).toBe(200);
    expect((await wb('GET', `${MP}/api/v3/warehouses`)).status).toBe(200);
  });

  it('pages product cards with the updatedAt + nmID cursor', async () => {
    const catalog = (await raw<Catalog>('GET', '/wb/_control/catalog')).body.items;
    const nmIds = new Set(catalog.map((i) => i.wb.nmId));
    const seen: number[] = [];
    let cursor: { limit: number; updatedAt?: string; nmID?: number } = { limit: 5 };
    for (;;) {
      const r = await wb<CardsPage>('POST', '/wb/content/content/v2/get/cards/list', { settings: { cursor, filter: { withPhoto: -1 } } });
      seen.push(...r.body.cards.map((c) => c.nmID));
      if (r.body.cursor.total < 5) break;
      cursor = { limit: 5, updatedAt: r.body.cursor.updatedAt, nmID: r.body.cursor.nmID };
    }
    expect(new Set(seen)).toEqual(nmIds);
    expect(seen).toHaveLength(nmIds.size);
  });
});
