import type pg from 'pg';
import type { Marketplace } from '@datasync/queues';
import { allocateWithRules, listAllocationRules } from '@datasync/stock-ledger';

/** One (warehouse, product) pair to push and the value it should be told. */
export interface DueRow {
  warehouse_id: string;
  warehouse_name: string;
  campaign_id: string | null;
  product_id: number;
  push_key: string;
  want: number;
}

interface PairRow extends Omit<DueRow, 'want'> {
  sku: string;
  available: number;
  pushed_value: number | null;
  error_code: string | null;
  error_value: number | null;
  retryable: boolean | null;
  retry_waiting: boolean | null;
}

/**
 * The due pairs when allocation rules apply to this marketplace (README "Stock allocation rules"),
 * or undefined when none does, so the push keeps its one-query path. Each SKU's available stock is
 * split over the marketplace's active warehouses by `allocate`, then held to the marketplace's
 * maximum; the same filters as the plain path apply (differs from what was last told, not a value
 * that failed for good, no retry due yet).
 */
export async function dueWithRules(
  db: pg.Pool,
  marketplace: Marketplace,
  /** The seller cabinet pushed to: its own warehouses share the pool (each cabinet's split is its own). */
  connectionId: string,
  stockMax: number,
): Promise<DueRow[] | undefined> {
  const rules = await listAllocationRules(db, { marketplace });
  if (rules.length === 0) return undefined;
  const { rows } = await db.query<PairRow>(
    `SELECT w.warehouse_id, w.name AS warehouse_name, w.campaign_id, l.product_id, ml.push_key, p.sku,
       GREATEST(0, l.on_hand - l.reserved) AS available, s.pushed_value, s.error_code, s.error_value, s.retryable,
       s.next_retry_at > now() AS retry_waiting
     FROM marketplace_warehouses w
     CROSS JOIN stock_levels l
     JOIN marketplace_products p ON p.id = l.product_id
     JOIN marketplace_listings ml ON ml.product_id = l.product_id AND ml.marketplace = w.marketplace AND ml.connection_id = w.connection_id
       AND ml.push_key IS NOT NULL
     LEFT JOIN stock_pushes s ON s.marketplace = w.marketplace AND s.warehouse_id = w.warehouse_id AND s.product_id = l.product_id
       AND s.connection_id = w.connection_id
     WHERE w.marketplace = $1 AND w.connection_id = $2 AND w.active AND l.counted_at IS NOT NULL
     ORDER BY w.warehouse_id, l.product_id`,
    [marketplace, connectionId],
  );
  const byProduct = new Map<number, PairRow[]>();
  for (const r of rows) byProduct.set(r.product_id, [...(byProduct.get(r.product_id) ?? []), r]);
  const want = new Map<string, number>();
  for (const pairs of byProduct.values()) {
    const first = pairs[0]!;
    const { result } = allocateWithRules(
      rules,
      first.sku,
      marketplace,
      pairs.map((p) => p.warehouse_id),
      first.available,
    );
    for (const p of pairs) want.set(`${p.warehouse_id}\n${p.product_id}`, Math.min(result.values[p.warehouse_id]!, stockMax));
  }
  return rows.flatMap((r) => {
    const value = want.get(`${r.warehouse_id}\n${r.product_id}`)!;
    if (r.pushed_value === value) return [];
    if (r.error_code !== null && r.error_value === value && (!r.retryable || r.retry_waiting === true)) return [];
    return [
      {
        warehouse_id: r.warehouse_id,
        warehouse_name: r.warehouse_name,
        campaign_id: r.campaign_id,
        product_id: r.product_id,
        push_key: r.push_key,
        want: value,
      },
    ];
  });
}
