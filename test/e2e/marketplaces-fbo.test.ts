import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { RunningSandbox } from '@datasync/sandbox';
import type { ListedProduct } from '@datasync/worker-marketplaces';
import { createTestDatabase, expectSameRows, rowsOf, sandboxControl, startTestSandbox, type TestDatabase } from '../helpers';
import { fakesReach, startMarketplaceStack, toldByFakes } from '../helpers/marketplaces';

/**
 * FBO stock end to end (README "FBO stock"): stock set on the three fakes' own warehouses (Ozon FBO,
 * WB's warehouses, a YM FBY campaign), read by a poll into `marketplace_fbo_stocks`, shown by
 * `GET /api/marketplaces/products` — each compared as a set, every field — and never pushed: the
 * ledger, the push state and what every fake warehouse was told are the same after it as before.
 */

const ENV = '00000000-0000-0000-0000-000000000000';
const P = 'DS-1002';
const Q = 'DS-1004';
let db: TestDatabase;
let pool: pg.Pool;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;

const put = async (path: string, body: unknown) => {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json() as Promise<unknown>;
};

/** A product's listing ids per marketplace, as the catalogue stored them. */
async function ids(sku: string): Promise<Record<string, Record<string, string>>> {
  const rows = await rowsOf<{ marketplace: string; ids: Record<string, string> }>(
    pool,
    `SELECT l.marketplace, l.ids FROM marketplace_listings l JOIN marketplace_products p ON p.id = l.product_id WHERE p.sku = $1`,
    [sku],
  );
  return Object.fromEntries(rows.map((r) => [r.marketplace, r.ids]));
}

/** The ledger and push state the FBO read must never touch. */
const ledger = async () => ({
  levels: await rowsOf(pool, 'SELECT product_id, on_hand, reserved, counted_at, updated_at FROM stock_levels'),
  movements: await rowsOf(pool, 'SELECT id, event_key, on_hand_delta, reserved_delta FROM stock_movements'),
  pushes: await rowsOf(pool, 'SELECT * FROM stock_pushes'),
});

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  mp = await startMarketplaceStack(db.url, sandbox.url);
  expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');
});

afterAll(async () => {
  await mp?.stack.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('marketplaces: FBO stock', () => {
  it('a poll reads what the fakes hold in their own warehouses; the table and the API show it, every field; nothing of it is pushed', async () => {
    // First polls: orders and returns, and the FBO read (due: never read), empty on every fake.
    for (const marketplace of ['ozon', 'wb', 'ym']) {
      const run = await mp.run('/api/marketplaces/poll', { marketplace });
      expect(run.state).toBe('done');
      expect(run.progress[`${marketplace}.fbo`]).toBe('done');
    }
    expect(await rowsOf(pool, 'SELECT * FROM marketplace_fbo_stocks')).toEqual([]);

    // The seller's own stock of P, pushed everywhere.
    const adjusted = await mp.api('POST', `/api/marketplaces/products/${P}/adjustments`, { onHand: 6, reason: 'stock take' });
    expect(adjusted.status).toBe(200);
    const available = adjusted.body.product.available;
    const told = await fakesReach(sandbox.url, P, available);
    const before = await ledger();

    const [pIds, qIds] = [await ids(P), await ids(Q)];
    const { warehouses: ozonFbo } = await control.get<{ warehouses: { warehouse_id: number; name: string }[] }>(
      '/ozon/_control/fbo-warehouses',
    );
    const [o1, o2] = ozonFbo;
    await put('/ozon/_control/fbo-stocks', {
      items: [
        { offer_id: P, warehouse_id: o1!.warehouse_id, available_stock_count: 700, transit_stock_count: 3, valid_stock_count: 1 },
        { offer_id: P, warehouse_id: o2!.warehouse_id, available_stock_count: 40 },
        { offer_id: Q, warehouse_id: o1!.warehouse_id, available_stock_count: 0, requested_stock_count: 12 },
      ],
    });
    await put('/wb/_control/fbo-stocks', {
      items: [
        { chrtId: Number(pIds.wb!.chrtId), quantity: 900, inWayToClient: 4, inWayFromClient: 1 },
        { chrtId: Number(qIds.wb!.chrtId), quantity: 2 },
      ],
    });
    await put('/ym/_control/fbo-stocks', {
      items: [
        { offerId: P, warehouseId: 145, AVAILABLE: 800, FIT: 805, FREEZE: 5 },
        { offerId: P, warehouseId: 300, AVAILABLE: 7, FIT: 7 },
        { offerId: Q, warehouseId: 145, AVAILABLE: 1, FIT: 1, DEFECT: 2 },
      ],
    });

    const startedAt = Date.now();
    for (const marketplace of ['ozon', 'wb', 'ym']) {
      const run = await mp.run('/api/marketplaces/poll', { marketplace, kind: 'fbo' });
      expect(run.state).toBe('done');
      expect(run.progress[`${marketplace}.fbo`]).toBe('done');
    }
    const finishedAt = Date.now();

    const productId = async (sku: string) =>
      (await rowsOf<{ id: number }>(pool, 'SELECT id FROM marketplace_products WHERE sku = $1', [sku]))[0]!.id;
    const [pId, qId] = [await productId(P), await productId(Q)];
    const zeros = {
      valid_stock_count: 0,
      transit_stock_count: 0,
      requested_stock_count: 0,
      return_from_customer_stock_count: 0,
      return_to_seller_stock_count: 0,
      stock_defect_stock_count: 0,
      transit_defect_stock_count: 0,
      excess_stock_count: 0,
      expiring_stock_count: 0,
      other_stock_count: 0,
      waiting_docs_stock_count: 0,
    };
    const row = (
      marketplace: string,
      warehouseId: string,
      warehouseName: string,
      product: number,
      listingKey: string,
      quantity: number,
      details: object,
    ) => ({
      connection_id: ENV,
      marketplace,
      warehouse_id: warehouseId,
      product_id: product,
      warehouse_name: warehouseName,
      listing_key: listingKey,
      quantity,
      details,
    });
    const expected = [
      row('ozon', String(o1!.warehouse_id), o1!.name, pId, pIds.ozon!.sku!, 700, {
        ...zeros,
        transit_stock_count: 3,
        valid_stock_count: 1,
      }),
      row('ozon', String(o2!.warehouse_id), o2!.name, pId, pIds.ozon!.sku!, 40, zeros),
      row('ozon', String(o1!.warehouse_id), o1!.name, qId, qIds.ozon!.sku!, 0, { ...zeros, requested_stock_count: 12 }),
      row('wb', '-999999', 'Склад WB', pId, pIds.wb!.chrtId!, 900, { inWayToClient: 4, inWayFromClient: 1 }),
      row('wb', '-999999', 'Склад WB', qId, qIds.wb!.chrtId!, 2, { inWayToClient: 0, inWayFromClient: 0 }),
      row('ym', '145', 'Маркет Софьино', pId, P, 800, { FIT: 805, FREEZE: 5, AVAILABLE: 800 }),
      row('ym', '300', 'Маркет Санкт-Петербург', pId, P, 7, { FIT: 7, AVAILABLE: 7 }),
      row('ym', '145', 'Маркет Софьино', qId, Q, 1, { FIT: 1, AVAILABLE: 1, DEFECT: 2 }),
    ];
    const stored = await rowsOf<Record<string, unknown> & { read_at: Date }>(pool, 'SELECT * FROM marketplace_fbo_stocks');
    for (const r of stored) {
      expect(r.read_at.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(r.read_at.getTime()).toBeLessThanOrEqual(finishedAt);
    }
    expectSameRows(
      'marketplace_fbo_stocks',
      stored.map(({ read_at: _r, ...r }) => r),
      expected,
    );

    // The API shows exactly the stored rows on their products, every field.
    const { body } = await mp.api('GET', '/api/marketplaces/products?limit=500');
    const shown = (body.products as ListedProduct[]).flatMap((p) => p.fbo.map((f) => ({ sku: p.sku, ...f })));
    const skuOf = new Map([
      [pId, P],
      [qId, Q],
    ]);
    expectSameRows(
      'GET /api/marketplaces/products fbo',
      shown,
      stored.map((r) => ({
        sku: skuOf.get(r.product_id as number),
        marketplace: r.marketplace,
        connectionId: r.connection_id,
        warehouseId: r.warehouse_id,
        warehouseName: r.warehouse_name,
        listingKey: r.listing_key,
        quantity: r.quantity,
        details: r.details,
        readAt: r.read_at.toISOString(),
      })),
    );
    // Not in the seller's stock: P's available is what the ledger says, not the hundreds held by the marketplaces.
    expect(body.products.find((p) => p.sku === P)!.available).toBe(available);

    // Never pushed: a push run after the read changes nothing, and every fake warehouse still has the old value.
    expect((await mp.run('/api/marketplaces/push')).state).toBe('done');
    const after = await ledger();
    expectSameRows('stock_levels', after.levels, before.levels);
    expectSameRows('stock_movements', after.movements, before.movements);
    expectSameRows('stock_pushes', after.pushes, before.pushes);
    expect(await toldByFakes(sandbox.url, P)).toEqual(told);

    // A read replaces the cabinet's rows: stock that left a warehouse disappears.
    await put('/wb/_control/fbo-stocks', { items: [{ chrtId: Number(qIds.wb!.chrtId), quantity: 3 }] });
    // WB's report takes one request per 20 s: the worker waits for its turn rather than collect a 429.
    expect((await mp.run('/api/marketplaces/poll', { marketplace: 'wb', kind: 'fbo' })).state).toBe('done');
    const wbRows = await rowsOf<{ product_id: number; quantity: number }>(
      pool,
      `SELECT product_id, quantity FROM marketplace_fbo_stocks WHERE marketplace = 'wb'`,
    );
    expect(wbRows).toEqual([{ product_id: qId, quantity: 3 }]);
    const wbReports = (await control.requests('/wb/analytics/api/analytics/v1/stocks-report')).requests;
    expect(wbReports.filter((r) => r.status === 429)).toEqual([]);
  }, 120_000);

  it('a failing FBO read is noted in the run, never fails the poll, and keeps the last complete read', async () => {
    const kept = await rowsOf(pool, `SELECT * FROM marketplace_fbo_stocks WHERE marketplace = 'ozon'`);
    expect(kept.length).toBeGreaterThan(0);
    await control.addFault({
      path: '/ozon/v1/analytics/stocks',
      kind: 'status',
      status: 403,
      body: { code: 7, message: 'Api-key has no access to the analytics', details: [] },
    });
    try {
      const run = await mp.run('/api/marketplaces/poll', { marketplace: 'ozon', kind: 'fbo' });
      // The fault was injected (the fake answered 403) …
      expect(Object.values(await control.injected()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // … and survived: the run is done, says the read failed and why; the last rows are kept.
      expect(run.state).toBe('done');
      expect(run.progress['ozon.fbo']).toBe('failed');
      expect(String(run.progress.fboError)).toMatch(/403/);
      expectSameRows('ozon FBO rows', await rowsOf(pool, `SELECT * FROM marketplace_fbo_stocks WHERE marketplace = 'ozon'`), kept);
      // A whole poll with the read due (its last read forgotten) is not failed by it either.
      await pool.query(`DELETE FROM stream_state WHERE source = 'marketplaces' AND stream = 'fbo' AND scope = 'ozon'`);
      const whole = await mp.run('/api/marketplaces/poll', { marketplace: 'ozon' });
      expect(whole.state).toBe('done');
      expect(whole.progress['ozon.fbo']).toBe('failed');
      expect(whole.progress['ozon.orders']).toBe('done');
    } finally {
      await control.clearFaults();
    }
  }, 60_000);

  it('refuses an unknown poll kind naming the field', async () => {
    const res = await mp.api('POST', '/api/marketplaces/poll', { marketplace: 'wb', kind: 'stock' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('kind');
  });
});
