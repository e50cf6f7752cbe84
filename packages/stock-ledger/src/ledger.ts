import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { bulkUpsert } from '@datasync/connector-kit';
import { withTransaction } from '@datasync/db';
import { stockLevels } from '@datasync/db/tables';
import type { Marketplace } from '@datasync/queues';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * What an order's status means for the ledger (reference §2.3, §3.3, §4.3):
 * - `reserved`: units are held for it (new, awaiting packaging, ready to ship);
 * - `shipped`: the units left the warehouse;
 * - `cancelled`: cancelled before shipment (units go back);
 * - `cancelled_after_ship`: cancelled once shipped (units come back through a return, not here);
 * - `other`: nothing to do (arbitration and the like).
 */
export type Stage = 'reserved' | 'shipped' | 'cancelled' | 'cancelled_after_ship' | 'other';

export interface OrderLine {
  /** Unique within the order (Ozon sku, WB "1" (a task is one unit), YM item id). */
  lineId: string;
  /** The marketplace's key of the good (Ozon offer_id, WB chrtId, YM offerId). */
  marketplaceSku: string;
  quantity: number;
}

/** One order as the marketplace shows it now. */
export interface OrderSnapshot {
  orderId: string;
  status: string;
  substatus?: string | null;
  stage: Stage;
  warehouseId?: string | null;
  createdAt?: Date | null;
  /** When the marketplace changed it (or when we noticed). */
  changedAt: Date;
  lines: OrderLine[];
  raw: unknown;
}

/** One returned line as the marketplace shows it now. */
export interface ReturnSnapshot {
  returnId: string;
  lineId: string;
  orderId?: string | null;
  marketplaceSku: string;
  quantity: number;
  /** Units that come back fit for sale once `received`. */
  restockQuantity: number;
  status: string;
  /** The goods are back in the seller's hands: restock now. */
  received: boolean;
  createdAt?: Date | null;
  changedAt: Date;
  raw: unknown;
}

export interface ApplyOptions {
  /**
   * The first poll of a marketplace: orders already shipped or cancelled and returns already
   * received are history from before DataSync kept the stock; they are recorded, not counted.
   */
  baseline: boolean;
  runId?: string;
  /**
   * The connection (seller cabinet) the events came from: part of every order, line, return and
   * event key, since two cabinets of one marketplace number their orders independently. The
   * environment connection when left out (its event keys are the ones they always were).
   */
  connectionId?: string;
}

/** The implicit environment connection (`@datasync/runs` ENV_CONNECTION_ID). */
const ENV_CONNECTION = '00000000-0000-0000-0000-000000000000';

/** An event key: a stored cabinet's keys carry its id, the environment's keep their old form. */
const eventKeyOf = (connectionId: string, key: string): string => (connectionId === ENV_CONNECTION ? key : `${connectionId}:${key}`);

export interface ApplyResult {
  movements: number;
  /** Products whose stock moved (to push). */
  changed: number[];
  /** Lines whose good is not in the catalogue (recorded, no stock moved). */
  unmapped: number;
}

type LineState = 'none' | 'reserved' | 'consumed' | 'released';
type Step = { kind?: 'reserve' | 'release' | 'consume'; onHand: number; reserved: number; next: LineState };

/** How a line moves from its ledger state to what the order's stage asks for; undefined: nothing to do. */
export function planLine(state: LineState, stage: Stage, quantity: number, baseline: boolean): Step | undefined {
  const target: LineState | undefined =
    stage === 'reserved'
      ? 'reserved'
      : stage === 'shipped' || stage === 'cancelled_after_ship'
        ? 'consumed'
        : stage === 'cancelled'
          ? 'released'
          : undefined;
  if (!target || state === target) return undefined;
  if (state === 'none') {
    if (target === 'reserved') return { kind: 'reserve', onHand: 0, reserved: quantity, next: 'reserved' };
    if (target === 'consumed')
      return baseline
        ? { onHand: 0, reserved: 0, next: 'consumed' }
        : { kind: 'consume', onHand: -quantity, reserved: 0, next: 'consumed' };
    return { onHand: 0, reserved: 0, next: 'released' };
  }
  if (state === 'reserved') {
    if (target === 'consumed') return { kind: 'consume', onHand: -quantity, reserved: -quantity, next: 'consumed' };
    if (target === 'released') return { kind: 'release', onHand: 0, reserved: -quantity, next: 'released' };
  }
  // consumed and released are final for the ledger; goods that come back do so through returns.
  return undefined;
}

/** Maps a marketplace's key of a good to our product id. */
export type ProductResolver = (marketplaceSku: string) => number | undefined;

/**
 * The product map of one marketplace, from its listings' match keys (the connector's `matchKeys`,
 * e.g. Ozon offer_id then sku, WB chrtId then barcode): a key earlier in its listing's list wins
 * over a later key of another listing.
 */
export async function loadResolver(db: Queryable, marketplace: Marketplace, connectionId = ENV_CONNECTION): Promise<ProductResolver> {
  const map = new Map<string, number>();
  // The cabinet's own listings: another cabinet's ids may name other goods.
  const { rows } = await db.query<{ product_id: number; key: string }>(
    `SELECT l.product_id, k.key FROM marketplace_listings l, unnest(l.match_keys) WITH ORDINALITY AS k(key, rank)
     WHERE l.marketplace = $1 AND l.connection_id = $2 ORDER BY k.rank, l.product_id`,
    [marketplace, connectionId],
  );
  for (const r of rows) if (!map.has(r.key)) map.set(r.key, r.product_id);
  return (sku) => map.get(sku);
}

class Deltas {
  private readonly byProduct = new Map<number, { onHand: number; reserved: number }>();
  movements = 0;
  add(productId: number, onHand: number, reserved: number) {
    const d = this.byProduct.get(productId) ?? { onHand: 0, reserved: 0 };
    d.onHand += onHand;
    d.reserved += reserved;
    this.byProduct.set(productId, d);
    this.movements += 1;
  }
  /** Applies the totals, locking level rows in product order so concurrent pollers never deadlock. */
  async flush(tx: Queryable): Promise<number[]> {
    const ids = [...this.byProduct.keys()].sort((a, b) => a - b);
    if (ids.length === 0) return [];
    await bulkUpsert(
      tx,
      {
        table: stockLevels,
        columns: ['product_id', 'on_hand', 'reserved'],
        // The rows are deltas: added to the stored totals, never written over them.
        update: [],
        alsoSet: [
          'on_hand = stock_levels.on_hand + EXCLUDED.on_hand',
          'reserved = stock_levels.reserved + EXCLUDED.reserved',
          'updated_at = now()',
        ],
      },
      ids.map((id) => ({ product_id: id, on_hand: this.byProduct.get(id)!.onHand, reserved: this.byProduct.get(id)!.reserved })),
    );
    return ids;
  }
}

async function movement(
  tx: Queryable,
  m: {
    productId: number;
    kind: string;
    onHand: number;
    reserved: number;
    eventKey: string;
    marketplace: Marketplace;
    connectionId: string;
    orderId?: string | null;
    returnId?: string;
    runId?: string;
  },
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, event_key, marketplace, order_id, return_id, run_id, connection_id)
     VALUES ($1, $2::stock_movement_kind, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_key) DO NOTHING RETURNING id`,
    [
      m.productId,
      m.kind,
      m.onHand,
      m.reserved,
      eventKeyOf(m.connectionId, m.eventKey),
      m.marketplace,
      m.orderId ?? null,
      m.returnId ?? null,
      m.runId ?? null,
      m.connectionId,
    ],
  );
  return inserted.rowCount === 1;
}

/**
 * Records a page of orders and moves the ledger for each line whose stage changed, in the caller's
 * transaction. Every movement has a unique event key (marketplace, order, line, transition), so
 * polling the same orders again moves nothing.
 */
export async function applyOrders(
  tx: Queryable,
  marketplace: Marketplace,
  orders: OrderSnapshot[],
  resolve: ProductResolver,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const deltas = new Deltas();
  let unmapped = 0;
  const connectionId = options.connectionId ?? ENV_CONNECTION;
  const sorted = [...orders].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  for (const o of sorted) {
    await tx.query(
      `INSERT INTO marketplace_orders (marketplace, order_id, status, substatus, stage, warehouse_id, created_at, changed_at, raw, connection_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT (marketplace, order_id, connection_id) DO UPDATE SET status = EXCLUDED.status, substatus = EXCLUDED.substatus, stage = EXCLUDED.stage,
         warehouse_id = COALESCE(EXCLUDED.warehouse_id, marketplace_orders.warehouse_id), created_at = COALESCE(EXCLUDED.created_at, marketplace_orders.created_at),
         changed_at = CASE WHEN marketplace_orders.status IS DISTINCT FROM EXCLUDED.status OR marketplace_orders.substatus IS DISTINCT FROM EXCLUDED.substatus
           THEN EXCLUDED.changed_at ELSE marketplace_orders.changed_at END,
         raw = EXCLUDED.raw, updated_at = now()`,
      [
        marketplace,
        o.orderId,
        o.status,
        o.substatus ?? null,
        o.stage,
        o.warehouseId ?? null,
        o.createdAt ?? null,
        o.changedAt,
        JSON.stringify(o.raw ?? {}),
        connectionId,
      ],
    );
    const status = o.substatus ? `${o.status}/${o.substatus}` : o.status;
    await tx.query(
      `INSERT INTO marketplace_order_status_history (marketplace, order_id, status, changed_at, connection_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [marketplace, o.orderId, status, o.changedAt, connectionId],
    );
    for (const line of o.lines) {
      const { rows } = await tx.query<{ ledger_state: LineState; product_id: number | null; quantity: number }>(
        `INSERT INTO marketplace_order_items (marketplace, order_id, line_id, product_id, marketplace_sku, quantity, connection_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (marketplace, order_id, line_id, connection_id) DO UPDATE SET product_id = COALESCE(marketplace_order_items.product_id, EXCLUDED.product_id)
         RETURNING ledger_state, product_id, quantity`,
        [marketplace, o.orderId, line.lineId, resolve(line.marketplaceSku) ?? null, line.marketplaceSku, line.quantity, connectionId],
      );
      const item = rows[0]!;
      if (item.product_id === null) {
        unmapped += 1;
        continue;
      }
      // The quantity a line was reserved with is what its release or consumption moves.
      const step = planLine(item.ledger_state, o.stage, item.quantity, options.baseline);
      if (!step) continue;
      if (step.kind) {
        const fresh = await movement(tx, {
          productId: item.product_id,
          kind: step.kind,
          onHand: step.onHand,
          reserved: step.reserved,
          eventKey: `${marketplace}:order:${o.orderId}:${line.lineId}:${step.kind}`,
          marketplace,
          connectionId,
          orderId: o.orderId,
          runId: options.runId,
        });
        if (fresh) deltas.add(item.product_id, step.onHand, step.reserved);
      }
      await tx.query(
        `UPDATE marketplace_order_items SET ledger_state = $4 WHERE marketplace = $1 AND order_id = $2 AND line_id = $3 AND connection_id = $5`,
        [marketplace, o.orderId, line.lineId, step.next, connectionId],
      );
    }
  }
  const changed = await deltas.flush(tx);
  return { movements: deltas.movements, changed, unmapped };
}

/**
 * Records a page of returns and restocks each line once it is back with the seller (event key
 * marketplace + return + line), in the caller's transaction.
 */
export async function applyReturns(
  tx: Queryable,
  marketplace: Marketplace,
  returns: ReturnSnapshot[],
  resolve: ProductResolver,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const deltas = new Deltas();
  let unmapped = 0;
  const connectionId = options.connectionId ?? ENV_CONNECTION;
  const sorted = [...returns].sort((a, b) => (`${a.returnId}:${a.lineId}` < `${b.returnId}:${b.lineId}` ? -1 : 1));
  for (const r of sorted) {
    // The order line the return belongs to names the product most reliably (WB returns carry no size id).
    let productId = resolve(r.marketplaceSku);
    if (productId === undefined && r.orderId) {
      const { rows } = await tx.query<{ product_id: number | null }>(
        `SELECT product_id FROM marketplace_order_items WHERE marketplace = $1 AND order_id = $2 AND connection_id = $3 AND product_id IS NOT NULL ORDER BY line_id LIMIT 1`,
        [marketplace, r.orderId, connectionId],
      );
      productId = rows[0]?.product_id ?? undefined;
    }
    const { rows } = await tx.query<{ restocked: boolean; product_id: number | null }>(
      `INSERT INTO marketplace_returns (marketplace, return_id, line_id, order_id, product_id, marketplace_sku, quantity, status, created_at, changed_at, raw, connection_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
       ON CONFLICT (marketplace, return_id, line_id, connection_id) DO UPDATE SET status = EXCLUDED.status, quantity = EXCLUDED.quantity,
         product_id = COALESCE(marketplace_returns.product_id, EXCLUDED.product_id), changed_at = EXCLUDED.changed_at, raw = EXCLUDED.raw, updated_at = now()
       RETURNING restocked, product_id`,
      [
        marketplace,
        r.returnId,
        r.lineId,
        r.orderId ?? null,
        productId ?? null,
        r.marketplaceSku,
        r.quantity,
        r.status,
        r.createdAt ?? null,
        r.changedAt,
        JSON.stringify(r.raw ?? {}),
        connectionId,
      ],
    );
    const row = rows[0]!;
    if (row.product_id === null) {
      unmapped += 1;
      continue;
    }
    if (!r.received || row.restocked) continue;
    if (!options.baseline && r.restockQuantity > 0) {
      const fresh = await movement(tx, {
        productId: row.product_id,
        kind: 'restock',
        onHand: r.restockQuantity,
        reserved: 0,
        eventKey: `${marketplace}:return:${r.returnId}:${r.lineId}:restock`,
        marketplace,
        connectionId,
        orderId: r.orderId,
        returnId: r.returnId,
        runId: options.runId,
      });
      if (fresh) deltas.add(row.product_id, r.restockQuantity, 0);
    }
    // A baseline return was received before DataSync kept the stock: handled, never counted.
    await tx.query(
      `UPDATE marketplace_returns SET restocked = true WHERE marketplace = $1 AND return_id = $2 AND line_id = $3 AND connection_id = $4`,
      [marketplace, r.returnId, r.lineId, connectionId],
    );
  }
  const changed = await deltas.flush(tx);
  return { movements: deltas.movements, changed, unmapped };
}

export interface StockAdjustment {
  productId: number;
  /** Add this many units (negative removes). */
  delta?: number;
  /** Or: the counted stock on hand; the movement is the difference. */
  onHand?: number;
  reason: string;
}

/** An adjustment that would leave less than nothing on hand; nothing was written. */
export class StockBelowZeroError extends Error {
  constructor(
    readonly onHand: number,
    readonly delta: number,
  ) {
    super(`on hand is ${onHand}; removing ${-delta} would leave ${onHand + delta}`);
    this.name = 'StockBelowZeroError';
  }
}

/** The most on hand a SKU can hold: `stock_levels.on_hand` is an int4. */
export const MAX_ON_HAND = 2_147_483_647;

/** An adjustment that would take on hand past MAX_ON_HAND; nothing was written. */
export class StockAboveLimitError extends Error {
  constructor(
    readonly onHand: number,
    readonly delta: number,
  ) {
    super(`on hand is ${onHand}; adding ${delta} would make ${onHand + delta}, more than the ${MAX_ON_HAND} a SKU can hold`);
    this.name = 'StockAboveLimitError';
  }
}

export interface StockLevelRow {
  productId: number;
  onHand: number;
  reserved: number;
  available: number;
  movementId: string | null;
}

/**
 * A person's change to on-hand stock, with a reason, as one ledger movement. The level row is
 * locked for the read-modify-write, so a count (`onHand`) is exact even while pollers move stock.
 */
export async function adjustStock(pool: pg.Pool, a: StockAdjustment): Promise<StockLevelRow> {
  return withTransaction(pool, async (tx) => {
    await tx.query('INSERT INTO stock_levels (product_id) VALUES ($1) ON CONFLICT DO NOTHING', [a.productId]);
    const { rows } = await tx.query<{ on_hand: number; reserved: number }>(
      'SELECT on_hand, reserved FROM stock_levels WHERE product_id = $1 FOR UPDATE',
      [a.productId],
    );
    const current = rows[0]!;
    const delta = a.onHand !== undefined ? a.onHand - current.on_hand : (a.delta ?? 0);
    if (current.on_hand + delta < 0) throw new StockBelowZeroError(current.on_hand, delta);
    if (current.on_hand + delta > MAX_ON_HAND) throw new StockAboveLimitError(current.on_hand, delta);
    let movementId: string | null = null;
    if (delta !== 0) {
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO stock_movements (product_id, kind, on_hand_delta, event_key, reason) VALUES ($1, 'adjustment', $2, $3, $4) RETURNING id::text`,
        [a.productId, delta, `manual:${randomUUID()}`, a.reason],
      );
      movementId = inserted.rows[0]!.id;
    }
    const updated = await tx.query<{ on_hand: number; reserved: number }>(
      `UPDATE stock_levels SET on_hand = on_hand + $2, counted_at = COALESCE(counted_at, now()), updated_at = now() WHERE product_id = $1 RETURNING on_hand, reserved`,
      [a.productId, delta],
    );
    const level = updated.rows[0]!;
    return {
      productId: a.productId,
      onHand: level.on_hand,
      reserved: level.reserved,
      available: level.on_hand - level.reserved,
      movementId,
    };
  });
}
