import type pg from 'pg';
import { allocate, type AllocationResult } from './allocate';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Where a rule applies: null for "every" (stored as ''). */
export interface RuleScope {
  sku: string | null;
  marketplace: string | null;
  warehouseId: string | null;
}

export interface RuleSettings {
  bufferUnits: number | null;
  bufferPercent: number | null;
  cap: number | null;
  excluded: boolean | null;
  weight: number | null;
}

export type AllocationRule = RuleScope & RuleSettings & { updatedAt: string };

const ruleSelect = `SELECT NULLIF(sku, '') AS sku, NULLIF(marketplace, '') AS marketplace, NULLIF(warehouse_id, '') AS "warehouseId",
  buffer_units AS "bufferUnits", buffer_percent AS "bufferPercent", cap, excluded, weight, to_json(updated_at)#>>'{}' AS "updatedAt"
  FROM stock_allocation_rules`;

export async function listAllocationRules(db: Queryable, filter: { sku?: string; marketplace?: string } = {}): Promise<AllocationRule[]> {
  const { rows } = await db.query<AllocationRule>(
    `${ruleSelect} WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR marketplace IN ($2, ''))
     ORDER BY marketplace, sku, warehouse_id`,
    [filter.sku ?? null, filter.marketplace ?? null],
  );
  return rows;
}

/** Creates or replaces the rule of one scope (every setting: one not given is cleared). */
export async function putAllocationRule(db: Queryable, rule: RuleScope & RuleSettings): Promise<AllocationRule> {
  const { rows } = await db.query<AllocationRule>(
    `WITH saved AS (
       INSERT INTO stock_allocation_rules (sku, marketplace, warehouse_id, buffer_units, buffer_percent, cap, excluded, weight)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (sku, marketplace, warehouse_id) DO UPDATE SET buffer_units = EXCLUDED.buffer_units,
         buffer_percent = EXCLUDED.buffer_percent, cap = EXCLUDED.cap, excluded = EXCLUDED.excluded, weight = EXCLUDED.weight, updated_at = now()
       RETURNING *)
     ${ruleSelect.replace('FROM stock_allocation_rules', 'FROM saved')}`,
    [
      rule.sku ?? '',
      rule.marketplace ?? '',
      rule.warehouseId ?? '',
      rule.bufferUnits,
      rule.bufferPercent,
      rule.cap,
      rule.excluded,
      rule.weight,
    ],
  );
  return rows[0]!;
}

/** Removes the rule of one scope; false when there was none. */
export async function deleteAllocationRule(db: Queryable, scope: RuleScope): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM stock_allocation_rules WHERE sku = $1 AND marketplace = $2 AND warehouse_id = $3`, [
    scope.sku ?? '',
    scope.marketplace ?? '',
    scope.warehouseId ?? '',
  ]);
  return (rowCount ?? 0) > 0;
}

/** The settings one warehouse ends up with, and the rules they came from (most specific first). */
export interface ResolvedWarehouse {
  warehouseId: string;
  weight: number | null;
  cap: number | null;
  excluded: boolean;
  rules: RuleScope[];
}

export interface ResolvedAllocation {
  buffer: { units: number | null; percent: number | null };
  /** The rule the buffer came from (null: none). */
  bufferRule: RuleScope | null;
  warehouses: ResolvedWarehouse[];
}

const scopeOf = (r: RuleScope): RuleScope => ({ sku: r.sku, marketplace: r.marketplace, warehouseId: r.warehouseId });

/**
 * Which settings apply to one SKU on one marketplace's warehouses. Each setting comes from the most
 * specific rule that sets it: (sku, marketplace, warehouse) > (sku, marketplace, every warehouse) >
 * (every SKU, marketplace, warehouse) > (every SKU, marketplace) > global. Buffers are pool
 * settings, so only rules without a warehouse carry them (the API refuses one on a warehouse rule).
 */
export function resolveAllocation(
  rules: readonly AllocationRule[],
  sku: string,
  marketplace: string,
  warehouseIds: readonly string[],
): ResolvedAllocation {
  const at = (s: string | null, m: string | null, w: string | null) =>
    rules.find((r) => r.sku === s && r.marketplace === m && r.warehouseId === w);
  const poolChain = [at(sku, marketplace, null), at(null, marketplace, null), at(null, null, null)].filter((r) => r !== undefined);
  const bufferRule = poolChain.find((r) => r.bufferUnits !== null || r.bufferPercent !== null) ?? null;
  const warehouses = warehouseIds.map((warehouseId): ResolvedWarehouse => {
    const chain = [
      at(sku, marketplace, warehouseId),
      at(sku, marketplace, null),
      at(null, marketplace, warehouseId),
      at(null, marketplace, null),
      at(null, null, null),
    ].filter((r) => r !== undefined);
    const pick = <K extends 'weight' | 'cap' | 'excluded'>(key: K) => chain.find((r) => r[key] !== null)?.[key] ?? null;
    return { warehouseId, weight: pick('weight'), cap: pick('cap'), excluded: pick('excluded') ?? false, rules: chain.map(scopeOf) };
  });
  return {
    buffer: { units: bufferRule?.bufferUnits ?? null, percent: bufferRule?.bufferPercent ?? null },
    bufferRule: bufferRule ? scopeOf(bufferRule) : null,
    warehouses,
  };
}

/** Resolves the rules and allocates `available`: what each warehouse is told, before the marketplace's own maximum. */
export function allocateWithRules(
  rules: readonly AllocationRule[],
  sku: string,
  marketplace: string,
  warehouseIds: readonly string[],
  available: number,
): ResolvedAllocation & { result: AllocationResult } {
  const resolved = resolveAllocation(rules, sku, marketplace, warehouseIds);
  return { ...resolved, result: allocate({ available, buffer: resolved.buffer, warehouses: resolved.warehouses }) };
}

export interface ProductAllocation {
  marketplace: string;
  /** The seller cabinet (connection) whose warehouses share this pool. */
  connectionId: string;
  available: number;
  /** Units the buffer keeps back, and the pool left to split. */
  buffer: number;
  pool: number;
  weighted: boolean;
  bufferRule: RuleScope | null;
  warehouses: (ResolvedWarehouse & { value: number })[];
}

/**
 * Per SKU, per marketplace it has a pushed listing on, the allocation over that marketplace's active
 * warehouses (what `GET /api/marketplaces/products` shows).
 */
export async function productAllocations(db: Queryable, skus: readonly string[]): Promise<Map<string, ProductAllocation[]>> {
  const out = new Map<string, ProductAllocation[]>(skus.map((s) => [s, []]));
  if (skus.length === 0) return out;
  const [rules, pairs] = await Promise.all([
    listAllocationRules(db),
    db.query<{ sku: string; marketplace: string; connectionId: string; available: number; warehouses: string[] }>(
      `SELECT p.sku, ml.marketplace, ml.connection_id AS "connectionId", GREATEST(0, COALESCE(l.on_hand, 0) - COALESCE(l.reserved, 0)) AS available,
         array_agg(w.warehouse_id ORDER BY w.warehouse_id) AS warehouses
       FROM marketplace_products p
       JOIN marketplace_listings ml ON ml.product_id = p.id AND ml.push_key IS NOT NULL
       JOIN marketplace_warehouses w ON w.marketplace = ml.marketplace AND w.connection_id = ml.connection_id AND w.active
       LEFT JOIN stock_levels l ON l.product_id = p.id
       WHERE p.sku = ANY($1::text[])
       GROUP BY p.sku, ml.marketplace, ml.connection_id, l.on_hand, l.reserved ORDER BY p.sku, ml.marketplace, ml.connection_id`,
      [skus],
    ),
  ]);
  for (const r of pairs.rows) {
    const a = allocateWithRules(rules, r.sku, r.marketplace, r.warehouses, r.available);
    out.get(r.sku)!.push({
      marketplace: r.marketplace,
      connectionId: r.connectionId,
      available: r.available,
      buffer: a.result.buffer,
      pool: a.result.pool,
      weighted: a.result.weighted,
      bufferRule: a.bufferRule,
      warehouses: a.warehouses.map((w) => ({ ...w, value: a.result.values[w.warehouseId]! })),
    });
  }
  return out;
}
