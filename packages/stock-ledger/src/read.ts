import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Which seller cabinet said it: the connection's name (`env` for the environment's; null once deleted). */
type Cabinet = { connection: string | null };

export interface PushState extends Cabinet {
  marketplace: string;
  warehouseId: string;
  /** What the marketplace was last told (null: never). */
  pushedValue: number | null;
  pushedAt: string | null;
  error: {
    code: string;
    message: string | null;
    value: number | null;
    retryable: boolean;
    attempts: number;
    nextRetryAt: string | null;
  } | null;
}

export interface ProductView {
  sku: string;
  name: string;
  barcode: string | null;
  /** Per marketplace the product is listed on, its listing's fields (`marketplace_listings.ids`). */
  ids: Record<string, Record<string, string | null>>;
  onHand: number;
  reserved: number;
  /** on hand − open reserves; what every marketplace is told (never below 0). */
  available: number;
  /** Whether a person has set the stock yet; uncounted products are never pushed. */
  counted: boolean;
  pushes: PushState[];
  /** When a complete catalogue read left none of its listings live (null: live). */
  deletedAt: string | null;
}

/** Listings and products a complete catalogue read no longer saw are left out unless `includeDeleted`. */
const productSelect = (includeDeleted: boolean) => `
  SELECT p.id, p.sku, p.name, p.barcode, p.deleted_at,
    COALESCE((SELECT json_object_agg(ml.marketplace, ml.ids ORDER BY ml.marketplace) FROM marketplace_listings ml
      WHERE ml.product_id = p.id${includeDeleted ? '' : ' AND ml.deleted_at IS NULL'}), '{}') AS ids,
    COALESCE(l.on_hand, 0) AS on_hand, COALESCE(l.reserved, 0) AS reserved, l.counted_at,
    COALESCE((SELECT json_agg(json_build_object('marketplace', s.marketplace, 'connection', CASE WHEN s.connection_id = '00000000-0000-0000-0000-000000000000' THEN 'env' ELSE (SELECT c.name FROM connections c WHERE c.id = s.connection_id) END, 'warehouseId', s.warehouse_id, 'pushedValue', s.pushed_value,
        'pushedAt', s.pushed_at, 'error', CASE WHEN s.error_code IS NULL THEN NULL ELSE json_build_object('code', s.error_code,
        'message', s.error_message, 'value', s.error_value, 'retryable', s.retryable, 'attempts', s.attempts, 'nextRetryAt', s.next_retry_at) END)
        ORDER BY s.marketplace, s.connection_id, s.warehouse_id)
      FROM stock_pushes s JOIN marketplace_warehouses w ON w.marketplace = s.marketplace AND w.warehouse_id = s.warehouse_id
        AND w.connection_id = s.connection_id AND w.active
      WHERE s.product_id = p.id), '[]') AS pushes
  FROM marketplace_products p LEFT JOIN stock_levels l ON l.product_id = p.id`;

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  barcode: string | null;
  ids: ProductView['ids'];
  on_hand: number;
  reserved: number;
  counted_at: Date | null;
  pushes: PushState[];
  deleted_at: Date | null;
}

const present = (r: ProductRow): ProductView => ({
  sku: r.sku,
  name: r.name,
  barcode: r.barcode,
  ids: r.ids,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: Math.max(0, r.on_hand - r.reserved),
  counted: r.counted_at !== null,
  pushes: r.pushes,
  deletedAt: r.deleted_at?.toISOString() ?? null,
});

/**
 * `counted`: only products a person has counted (true) or never counted, and so never pushed (false).
 * `includeDeleted`: also products (and listings) a complete catalogue read no longer saw.
 */
export async function listProducts(
  db: Queryable,
  q: { search?: string; counted?: boolean; includeDeleted?: boolean; limit: number; offset: number },
): Promise<{ total: number; products: ProductView[] }> {
  const where = `WHERE ($1::text IS NULL OR p.sku ILIKE '%' || $1 || '%' OR p.name ILIKE '%' || $1 || '%')
    AND ($2::boolean IS NULL OR (EXISTS (SELECT 1 FROM stock_levels c WHERE c.product_id = p.id AND c.counted_at IS NOT NULL)) = $2)
    ${q.includeDeleted ? '' : 'AND p.deleted_at IS NULL'}`;
  const filter = [q.search ?? null, q.counted ?? null];
  const [rows, total] = await Promise.all([
    db.query<ProductRow>(`${productSelect(q.includeDeleted ?? false)} ${where} ORDER BY p.sku LIMIT $3 OFFSET $4`, [
      ...filter,
      q.limit,
      q.offset,
    ]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM marketplace_products p ${where}`, filter),
  ]);
  return { total: total.rows[0]!.n, products: rows.rows.map(present) };
}

/** The product by SKU, deleted or not (`deletedAt` says); `includeDeleted` false leaves its deleted listings out of `ids`. */
export async function findProduct(db: Queryable, sku: string, includeDeleted = true): Promise<(ProductView & { id: number }) | undefined> {
  const { rows } = await db.query<ProductRow>(`${productSelect(includeDeleted)} WHERE p.sku = $1`, [sku]);
  return rows[0] ? { ...present(rows[0]), id: rows[0].id } : undefined;
}

export interface MovementView {
  id: string;
  kind: string;
  onHandDelta: number;
  reservedDelta: number;
  marketplace: string | null;
  orderId: string | null;
  returnId: string | null;
  reason: string | null;
  createdAt: string;
}

/**
 * A product's movements, newest first; `before` (a movement id) pages back through older ones. The
 * order is by the table's bigint id (`m.id`): `ORDER BY id` would sort the text `id` column of the
 * output, putting movement 62 after 100.
 */
export async function recentMovements(db: Queryable, productId: number, limit = 50, before?: string): Promise<MovementView[]> {
  const { rows } = await db.query<MovementView>(
    `SELECT id::text, kind::text, on_hand_delta AS "onHandDelta", reserved_delta AS "reservedDelta", marketplace, order_id AS "orderId",
       return_id AS "returnId", reason, to_json(created_at)#>>'{}' AS "createdAt"
     FROM stock_movements m WHERE product_id = $1 AND ($3::bigint IS NULL OR m.id < $3) ORDER BY m.id DESC LIMIT $2`,
    [productId, limit, before ?? null],
  );
  return rows;
}

export interface WarehouseView extends Cabinet {
  marketplace: string;
  warehouseId: string;
  name: string;
  /** Whether stock is pushed there (see MarketplaceWarehouse.active). */
  active: boolean;
}

export async function listWarehouses(db: Queryable): Promise<WarehouseView[]> {
  const { rows } = await db.query<WarehouseView>(
    `SELECT marketplace, CASE WHEN w.connection_id = '00000000-0000-0000-0000-000000000000' THEN 'env' ELSE (SELECT c.name FROM connections c WHERE c.id = w.connection_id) END AS connection, warehouse_id AS "warehouseId", name, active
     FROM marketplace_warehouses w ORDER BY marketplace, connection_id, warehouse_id`,
  );
  return rows;
}

export interface OrderFilter {
  marketplace?: string;
  stage?: string;
  sku?: string;
  since?: Date;
  limit: number;
}

export interface OrderView extends Cabinet {
  marketplace: string;
  orderId: string;
  status: string;
  substatus: string | null;
  stage: string;
  warehouseId: string | null;
  createdAt: string | null;
  changedAt: string | null;
  items: { lineId: string; sku: string | null; marketplaceSku: string; quantity: number; ledgerState: string }[];
}

export async function listOrders(db: Queryable, f: OrderFilter): Promise<OrderView[]> {
  const { rows } = await db.query<OrderView>(
    `SELECT o.marketplace, CASE WHEN o.connection_id = '00000000-0000-0000-0000-000000000000' THEN 'env' ELSE (SELECT c.name FROM connections c WHERE c.id = o.connection_id) END AS connection, o.order_id AS "orderId", o.status, o.substatus, o.stage, o.warehouse_id AS "warehouseId",
       to_json(o.created_at)#>>'{}' AS "createdAt", to_json(o.changed_at)#>>'{}' AS "changedAt",
       COALESCE((SELECT json_agg(json_build_object('lineId', i.line_id, 'sku', p.sku, 'marketplaceSku', i.marketplace_sku, 'quantity', i.quantity,
           'ledgerState', i.ledger_state) ORDER BY i.line_id)
         FROM marketplace_order_items i LEFT JOIN marketplace_products p ON p.id = i.product_id
         WHERE i.marketplace = o.marketplace AND i.order_id = o.order_id AND i.connection_id = o.connection_id), '[]') AS items
     FROM marketplace_orders o
     WHERE ($1::text IS NULL OR o.marketplace = $1) AND ($2::text IS NULL OR o.stage = $2)
       AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM marketplace_order_items i JOIN marketplace_products p ON p.id = i.product_id
             WHERE i.marketplace = o.marketplace AND i.order_id = o.order_id AND i.connection_id = o.connection_id AND p.sku = $3))
       AND ($4::timestamptz IS NULL OR o.changed_at >= $4)
     ORDER BY o.changed_at DESC NULLS LAST, o.order_id DESC LIMIT $5`,
    [f.marketplace ?? null, f.stage ?? null, f.sku ?? null, f.since ?? null, f.limit],
  );
  return rows;
}

export interface ReturnView extends Cabinet {
  marketplace: string;
  returnId: string;
  lineId: string;
  orderId: string | null;
  sku: string | null;
  marketplaceSku: string;
  quantity: number;
  status: string;
  restocked: boolean;
  createdAt: string | null;
  changedAt: string | null;
}

export async function listReturns(
  db: Queryable,
  f: { marketplace?: string; sku?: string; restocked?: boolean; since?: Date; limit: number },
): Promise<ReturnView[]> {
  const { rows } = await db.query<ReturnView>(
    `SELECT r.marketplace, CASE WHEN r.connection_id = '00000000-0000-0000-0000-000000000000' THEN 'env' ELSE (SELECT c.name FROM connections c WHERE c.id = r.connection_id) END AS connection, r.return_id AS "returnId", r.line_id AS "lineId", r.order_id AS "orderId", p.sku, r.marketplace_sku AS "marketplaceSku",
       r.quantity, r.status, r.restocked, to_json(r.created_at)#>>'{}' AS "createdAt", to_json(r.changed_at)#>>'{}' AS "changedAt"
     FROM marketplace_returns r LEFT JOIN marketplace_products p ON p.id = r.product_id
     WHERE ($1::text IS NULL OR r.marketplace = $1) AND ($2::text IS NULL OR p.sku = $2) AND ($3::boolean IS NULL OR r.restocked = $3)
       AND ($4::timestamptz IS NULL OR r.changed_at >= $4)
     ORDER BY r.changed_at DESC NULLS LAST, r.return_id DESC LIMIT $5`,
    [f.marketplace ?? null, f.sku ?? null, f.restocked ?? null, f.since ?? null, f.limit],
  );
  return rows;
}
