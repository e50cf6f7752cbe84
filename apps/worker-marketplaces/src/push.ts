import type pg from 'pg';
import type { Marketplace } from '@datasync/queues';
import type { RunContext } from '@datasync/runs';
import { dueWithRules, type DueRow } from './allocated-due';
import { refreshWarehouses } from './catalog';
import type { Connector, PushItem, PushOutcome, WarehouseInfo } from './connectors/types';

/** Rounds per run: each re-reads the ledger, so changes made while pushing go out in the same run. */
const MAX_ROUNDS = 8;

/**
 * Pairs (warehouse, counted product with a listing on this marketplace that has a push key) whose
 * wanted value — available = on hand − reserved, never below 0, and never above what the marketplace
 * takes (its listings' `stockMax`: a larger stock is told as the maximum, not refused and left stale) — differs from
 * what the warehouse was last told, leaving out a value that failed for good (tried again once the
 * value changes) and failed items whose retry is not due yet.
 */
async function due(db: pg.Pool, marketplace: Marketplace, connectionId: string, stockMax: number): Promise<DueRow[]> {
  const { rows } = await db.query<DueRow>(
    `SELECT w.warehouse_id, w.name AS warehouse_name, w.campaign_id, l.product_id, ml.push_key,
       LEAST(GREATEST(0, l.on_hand - l.reserved), $2) AS want
     FROM marketplace_warehouses w
     CROSS JOIN stock_levels l
     JOIN marketplace_listings ml ON ml.product_id = l.product_id AND ml.marketplace = w.marketplace AND ml.connection_id = w.connection_id
       AND ml.push_key IS NOT NULL
     LEFT JOIN stock_pushes s ON s.marketplace = w.marketplace AND s.warehouse_id = w.warehouse_id AND s.product_id = l.product_id
       AND s.connection_id = w.connection_id
     WHERE w.marketplace = $1 AND w.connection_id = $3 AND w.active AND l.counted_at IS NOT NULL
       AND s.pushed_value IS DISTINCT FROM LEAST(GREATEST(0, l.on_hand - l.reserved), $2)
       AND NOT (s.error_code IS NOT NULL AND s.error_value = LEAST(GREATEST(0, l.on_hand - l.reserved), $2) AND (NOT s.retryable OR s.next_retry_at > now()))
     ORDER BY w.warehouse_id, l.product_id`,
    [marketplace, stockMax, connectionId],
  );
  return rows;
}

/** Saves what the marketplace accepted (the last-pushed cache) and what it refused, with the next retry. */
async function record(
  tx: pg.PoolClient,
  marketplace: Marketplace,
  connectionId: string,
  warehouseId: string,
  items: PushItem[],
  outcomes: PushOutcome[],
  retryMs: number,
): Promise<void> {
  const value = new Map(items.map((i) => [i.productId, i.value]));
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o): o is Extract<PushOutcome, { retryable: boolean }> => !o.ok && !('heldForMs' in o));
  if (ok.length > 0) {
    await tx.query(
      `INSERT INTO stock_pushes (marketplace, warehouse_id, connection_id, product_id, pushed_value, pushed_at)
       SELECT $1::text, $2::text, $5::uuid, * , now() FROM unnest($3::int[], $4::int[])
       ON CONFLICT (marketplace, warehouse_id, product_id, connection_id) DO UPDATE SET pushed_value = EXCLUDED.pushed_value, pushed_at = now(),
         error_code = NULL, error_message = NULL, error_value = NULL, retryable = false, attempts = 0, next_retry_at = NULL, errored_at = NULL`,
      [marketplace, warehouseId, ok.map((o) => o.productId), ok.map((o) => value.get(o.productId)!), connectionId],
    );
  }
  if (failed.length > 0) {
    // attempts counts failures of the same value; the wait doubles with each, at most 10 minutes.
    await tx.query(
      `INSERT INTO stock_pushes AS s (marketplace, warehouse_id, connection_id, product_id, error_code, error_message, error_value, retryable, attempts, next_retry_at, errored_at)
       SELECT $1::text, $2::text, $9::uuid, u.p, u.c, u.m, u.v, u.r, 1, now() + make_interval(secs => $8::float8 / 1000), now()
       FROM unnest($3::int[], $4::text[], $5::text[], $6::int[], $7::boolean[]) AS u(p, c, m, v, r)
       ON CONFLICT (marketplace, warehouse_id, product_id, connection_id) DO UPDATE SET error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
         error_value = EXCLUDED.error_value, retryable = EXCLUDED.retryable, errored_at = now(),
         attempts = CASE WHEN s.error_value IS NOT DISTINCT FROM EXCLUDED.error_value THEN s.attempts + 1 ELSE 1 END,
         next_retry_at = now() + make_interval(secs => LEAST(600, $8::float8 / 1000 * power(2, CASE WHEN s.error_value IS NOT DISTINCT FROM EXCLUDED.error_value THEN s.attempts ELSE 0 END)))`,
      [
        marketplace,
        warehouseId,
        failed.map((o) => o.productId),
        failed.map((o) => o.code),
        failed.map((o) => o.message.slice(0, 500)),
        failed.map((o) => value.get(o.productId)!),
        failed.map((o) => o.retryable),
        retryMs,
        connectionId,
      ],
    );
  }
}

/**
 * Pushes one cabinet (a connection of one marketplace): every due pair, per warehouse of that cabinet, in batches of the marketplace's limit (the
 * HTTP client keeps to its request budget and backs off on 429/420). Returns counts.
 */
export async function pushMarketplace(
  ctx: RunContext<unknown>,
  connector: Connector,
  retryMs: number,
  connectionId: string,
): Promise<{ pushed: number; failed: number; requests: number }> {
  const marketplace = connector.marketplace;
  const { rows: known } = await ctx.pool.query(
    'SELECT 1 FROM marketplace_warehouses WHERE marketplace = $1 AND connection_id = $2 LIMIT 1',
    [marketplace, connectionId],
  );
  if (known.length === 0) await refreshWarehouses(ctx.pool, connector, connectionId);
  const totals = { pushed: 0, failed: 0, requests: 0 };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Allocation rules, when any applies to this marketplace, split the stock; otherwise every warehouse gets available.
    const rows =
      (await dueWithRules(ctx.pool, marketplace, connectionId, connector.listing.stockMax)) ??
      (await due(ctx.pool, marketplace, connectionId, connector.listing.stockMax));
    if (rows.length === 0) break;
    let heldForMs = Infinity;
    const byWarehouse = new Map<string, { warehouse: WarehouseInfo; items: PushItem[] }>();
    for (const r of rows) {
      const entry = byWarehouse.get(r.warehouse_id) ?? {
        warehouse: { warehouseId: r.warehouse_id, name: r.warehouse_name, campaignId: r.campaign_id ?? undefined, active: true, raw: {} },
        items: [],
      };
      entry.items.push({ productId: r.product_id, pushKey: r.push_key, value: r.want });
      byWarehouse.set(r.warehouse_id, entry);
    }
    for (const { warehouse, items } of byWarehouse.values()) {
      for (let i = 0; i < items.length; i += connector.batchSize) {
        const batch = items.slice(i, i + connector.batchSize);
        const outcomes = await connector.push(warehouse, batch);
        const pushed = outcomes.filter((o) => o.ok).length;
        const held = outcomes.flatMap((o) => ('heldForMs' in o ? [o.heldForMs] : []));
        if (held.length > 0) heldForMs = Math.min(heldForMs, ...held);
        if (held.length === outcomes.length) continue;
        totals.requests += 1;
        totals.pushed += pushed;
        totals.failed += outcomes.length - pushed - held.length;
        await ctx.commitPage((tx) => record(tx, marketplace, connectionId, warehouse.warehouseId, batch, outcomes, retryMs), {
          checkpoint: null,
          progress: { [`${marketplace}.pushed`]: totals.pushed, [`${marketplace}.failed`]: totals.failed },
          added: {
            [`${marketplace}.pushed`]: pushed,
            ...(outcomes.length - held.length > pushed ? { [`${marketplace}.failed`]: outcomes.length - held.length - pushed } : {}),
          },
        });
      }
    }
    // Pairs the marketplace takes no update for yet (Ozon: 30 s each): wait for the first, then another round.
    if (heldForMs !== Infinity && round < MAX_ROUNDS - 1) {
      ctx.log.info({ marketplace, waitMs: heldForMs }, 'repeat updates held back until the marketplace takes them');
      await new Promise((r) => setTimeout(r, heldForMs));
    }
  }
  ctx.log[totals.requests > 0 ? 'info' : 'debug']({ marketplace, ...totals }, 'stock pushed');
  return totals;
}
