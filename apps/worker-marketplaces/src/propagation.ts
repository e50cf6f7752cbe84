import type pg from 'pg';

/**
 * `datasync_stock_propagation_seconds`: from an order being seen (a push received, or a poll's page
 * that moved stock) to every marketplace told (the push runs it started have all ended). The wait
 * is a row per poll that moved stock, naming those runs; each push run that ends takes itself off
 * (atomically, so two ending together cannot both miss the last), and the row is measured once empty.
 */
export interface PropagationMetrics {
  stockPropagation(seenBy: 'push' | 'poll', seconds: number): void;
}

/** Remembers that stock seen at `seenAt` is on its way through `runIds` (the push runs requested). */
export async function awaitPropagation(
  pool: pg.Pool,
  seenBy: 'push' | 'poll',
  seenAt: Date,
  runIds: string[],
  metrics: PropagationMetrics,
): Promise<void> {
  if (runIds.length === 0) return;
  await pool.query('INSERT INTO marketplace_stock_propagation (seen_by, seen_at, run_ids) VALUES ($1, $2, $3::uuid[])', [
    seenBy,
    seenAt,
    runIds,
  ]);
  // A push run may have ended before the row was there to take itself off.
  await settle(pool, metrics);
}

/** A push run ended: takes itself off every wait, and measures the waits left empty. */
export async function propagationDone(pool: pg.Pool, runId: string, metrics: PropagationMetrics): Promise<void> {
  await pool.query('UPDATE marketplace_stock_propagation SET run_ids = array_remove(run_ids, $1::uuid) WHERE $1::uuid = ANY(run_ids)', [
    runId,
  ]);
  await settle(pool, metrics);
}

/**
 * Runs already done come off every wait (one that ended between its own take-off and a wait's
 * insert); the waits left empty are measured and deleted (a row deleted by two at once is returned
 * to one). Waits older than a day (their push failed) are dropped unmeasured.
 */
async function settle(pool: pg.Pool, metrics: PropagationMetrics): Promise<void> {
  await pool.query(
    `UPDATE marketplace_stock_propagation p
     SET run_ids = ARRAY(SELECT r FROM unnest(p.run_ids) r WHERE NOT EXISTS (SELECT 1 FROM sync_runs s WHERE s.id = r AND s.state = 'done'))
     WHERE cardinality(p.run_ids) > 0
       AND EXISTS (SELECT 1 FROM unnest(p.run_ids) r JOIN sync_runs s ON s.id = r WHERE s.state = 'done')`,
  );
  const { rows } = await pool.query<{ seenBy: 'push' | 'poll'; seconds: number }>(
    `DELETE FROM marketplace_stock_propagation WHERE cardinality(run_ids) = 0
     RETURNING seen_by AS "seenBy", extract(epoch FROM clock_timestamp() - seen_at)::float8 AS seconds`,
  );
  for (const r of rows) metrics.stockPropagation(r.seenBy, r.seconds);
  await pool.query(`DELETE FROM marketplace_stock_propagation WHERE created_at < now() - interval '1 day'`);
}
