import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { withTransaction } from '@datasync/db';
import { adjustStock, applyOrders, applyReturns, loadResolver, planLine, type OrderSnapshot } from '@datasync/stock-ledger';
import { mergeCatalogs, ozonStage, wbStage, ymStage } from '@datasync/worker-marketplaces';
import { LISTINGS } from '@datasync/worker-marketplaces/listings';
import { createTestDatabase, type TestDatabase } from '../helpers';

let db: TestDatabase;
let pool: pg.Pool;
let productId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 20 });
  const { rows } = await pool.query<{ id: number }>(`INSERT INTO marketplace_products (sku, name) VALUES ('SKU-1', 'Kettle') RETURNING id`);
  productId = rows[0]!.id;
  // Listed on every marketplace: Ozon offer_id SKU-1, WB chrtId 555, YM offerId SKU-1.
  await pool.query(
    `INSERT INTO marketplace_listings (product_id, marketplace, listing_id, match_keys, ids)
     VALUES ($1, 'ozon', 'SKU-1', '{SKU-1}', '{"offerId":"SKU-1"}'), ($1, 'wb', '555', '{555}', '{"chrtId":"555"}'), ($1, 'ym', 'SKU-1', '{SKU-1}', '{"offerId":"SKU-1"}')`,
    [productId],
  );
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const order = (orderId: string, stage: OrderSnapshot['stage'], quantity = 1, sku = 'SKU-1'): OrderSnapshot => ({
  orderId,
  status: stage,
  stage,
  changedAt: new Date(),
  lines: [{ lineId: '1', marketplaceSku: sku, quantity }],
  raw: {},
});
const level = async () =>
  (await pool.query<{ on_hand: number; reserved: number }>('SELECT on_hand, reserved FROM stock_levels WHERE product_id = $1', [productId]))
    .rows[0]!;
const movements = async () =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM stock_movements WHERE product_id = $1', [productId])).rows[0]!.n);

describe('stock ledger', () => {
  it('concurrent pollers of three marketplaces, and the same order applied at once by several, move stock exactly once each', async () => {
    await adjustStock(pool, { productId, onHand: 100, reason: 'opening count' });
    const resolvers = { ozon: await loadResolver(pool, 'ozon'), wb: await loadResolver(pool, 'wb'), ym: await loadResolver(pool, 'ym') };
    const sku = { ozon: 'SKU-1', wb: '555', ym: 'SKU-1' } as const;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      const m = (['ozon', 'wb', 'ym'] as const)[i % 3]!;
      jobs.push(
        withTransaction(pool, (tx) => applyOrders(tx, m, [order(`o-${i}`, 'reserved', 2, sku[m])], resolvers[m], { baseline: false })),
      );
    }
    // The same Ozon order seen by ten polls at once.
    for (let i = 0; i < 10; i++) {
      jobs.push(withTransaction(pool, (tx) => applyOrders(tx, 'ozon', [order('dup', 'reserved', 3)], resolvers.ozon, { baseline: false })));
    }
    // And a person counting stock meanwhile.
    jobs.push(adjustStock(pool, { productId, delta: -10, reason: 'damaged' }));
    const results = await Promise.allSettled(jobs);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await level()).toEqual({ on_hand: 90, reserved: 30 * 2 + 3 });
    expect(await movements()).toBe(1 + 30 + 1 + 1);
    const { rows } = await pool.query<{ sum: string }>('SELECT sum(reserved_delta) AS sum FROM stock_movements WHERE product_id = $1', [
      productId,
    ]);
    expect(Number(rows[0]!.sum)).toBe(63);
  });

  it('moves a line along its life: reserve, consume, and a return restocks once', async () => {
    const resolve = await loadResolver(pool, 'ym');
    const before = await level();
    const apply = (o: OrderSnapshot) => withTransaction(pool, (tx) => applyOrders(tx, 'ym', [o], resolve, { baseline: false }));
    await apply(order('life', 'reserved', 4));
    await apply(order('life', 'shipped', 4));
    await apply(order('life', 'cancelled_after_ship', 4));
    expect(await level()).toEqual({ on_hand: before.on_hand - 4, reserved: before.reserved });
    const ret = {
      returnId: 'r1',
      lineId: 'SKU-1',
      orderId: 'life',
      marketplaceSku: 'SKU-1',
      quantity: 4,
      restockQuantity: 3,
      status: 'PICKED',
      received: true,
      changedAt: new Date(),
      raw: {},
    };
    for (let i = 0; i < 3; i++) await withTransaction(pool, (tx) => applyReturns(tx, 'ym', [ret], resolve, { baseline: false }));
    expect(await level()).toEqual({ on_hand: before.on_hand - 4 + 3, reserved: before.reserved });
    // An order the first poll finds already shipped is history: recorded, not counted.
    await withTransaction(pool, (tx) => applyOrders(tx, 'ym', [order('old', 'shipped', 5)], resolve, { baseline: true }));
    expect(await level()).toEqual({ on_hand: before.on_hand - 1, reserved: before.reserved });
    // An unknown good is recorded without a movement.
    const unknown = await withTransaction(pool, (tx) =>
      applyOrders(tx, 'ym', [order('x', 'reserved', 1, 'NOPE')], resolve, { baseline: false }),
    );
    expect(unknown).toMatchObject({ movements: 0, unmapped: 1 });
  });

  it('plans each transition from the ledger state and the stage', () => {
    expect(planLine('none', 'reserved', 2, false)).toMatchObject({ kind: 'reserve', reserved: 2, onHand: 0 });
    expect(planLine('reserved', 'shipped', 2, false)).toMatchObject({ kind: 'consume', reserved: -2, onHand: -2 });
    expect(planLine('reserved', 'cancelled', 2, false)).toMatchObject({ kind: 'release', reserved: -2, onHand: 0 });
    expect(planLine('none', 'shipped', 2, false)).toMatchObject({ kind: 'consume', reserved: 0, onHand: -2 });
    expect(planLine('none', 'shipped', 2, true)).toEqual({ onHand: 0, reserved: 0, next: 'consumed' });
    expect(planLine('consumed', 'cancelled', 2, false)).toBeUndefined();
    expect(planLine('released', 'reserved', 2, false)).toBeUndefined();
    expect(planLine('reserved', 'other', 2, false)).toBeUndefined();
  });

  it('reads each marketplace status as a stage', () => {
    expect(ozonStage({ status: 'awaiting_packaging' })).toBe('reserved');
    expect(ozonStage({ status: 'delivering' })).toBe('shipped');
    expect(ozonStage({ status: 'cancelled', cancellation: { cancelled_after_ship: true } })).toBe('cancelled_after_ship');
    expect(ozonStage({ status: 'cancelled', cancellation: { cancelled_after_ship: false } })).toBe('cancelled');
    expect(wbStage('new', 'waiting')).toBe('reserved');
    expect(wbStage('confirm', 'canceled_by_client')).toBe('cancelled');
    expect(wbStage('complete', 'sold')).toBe('shipped');
    expect(wbStage('complete', 'declined_by_client')).toBe('cancelled_after_ship');
    expect(ymStage('PROCESSING', 'READY_TO_SHIP')).toBe('reserved');
    expect(ymStage('PROCESSING', 'SHIPPED')).toBe('shipped');
    expect(ymStage('DELIVERED', 'DELIVERY_SERVICE_DELIVERED')).toBe('shipped');
    expect(ymStage('CANCELLED', 'USER_CHANGED_MIND')).toBe('cancelled');
  });

  it('joins the three catalogues into one row per SKU: by article, then by barcode', () => {
    const rows = mergeCatalogs(
      [
        {
          marketplace: 'ozon',
          sku: 'A-1',
          join: 'sku',
          name: 'Tee, S',
          barcodes: ['460001'],
          ids: { offerId: 'A-1', productId: '11', sku: '21' },
        },
        { marketplace: 'ym', sku: 'A-1', join: 'sku', name: 'Tee, S', barcodes: ['460001'], ids: { offerId: 'A-1', marketSku: '31' } },
        {
          marketplace: 'wb',
          sku: 'A-S',
          join: 'barcode',
          name: 'Tee, S',
          barcodes: ['460001'],
          ids: { nmId: '41', chrtId: '51', barcode: '460001', vendorCode: 'A' },
        },
        {
          marketplace: 'wb',
          sku: 'CAP',
          join: 'barcode',
          name: 'Cap',
          barcodes: ['460009'],
          ids: { nmId: '42', chrtId: '52', barcode: '460009', vendorCode: 'CAP' },
        },
      ],
      LISTINGS,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        sku: 'A-1',
        barcode: '460001',
        listings: {
          ozon: expect.objectContaining({ productId: '11' }),
          ym: expect.objectContaining({ marketSku: '31' }),
          wb: expect.objectContaining({ chrtId: '51' }),
        },
      }),
      // Listed on WB only: no Ozon or YM listing (the API shows their ids as null).
      expect.objectContaining({ sku: 'CAP', listings: { wb: expect.objectContaining({ chrtId: '52' }) } }),
    ]);
  });
});
