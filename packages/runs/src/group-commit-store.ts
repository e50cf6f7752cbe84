import type pg from 'pg';
import { ENV_CONNECTION_ID } from './connection-ref';

/** One run of a batch as the statement stores it. */
export interface BatchRow {
  runId: string;
  source: string;
  jobName: string;
  params: Record<string, unknown>;
  resync: string[];
  connectionId: string;
  dedupKey: string;
}

/**
 * What became of each row: `created` (run row and lock stored), `lost` (an identical run holds the
 * lock), `over_quota` (its source has no room left among queued runs), `unknown_connection`.
 */
export type BatchOutcome = 'created' | 'lost' | 'over_quota' | 'unknown_connection';

/**
 * The whole batch in ONE statement, so ONE implicit transaction and one COMMIT (one WAL fsync) and
 * one round trip, and all or nothing: a failure stores none of it.
 *
 * - known: the named connections of their source, share-locked until the commit (as
 *   assertConnectionOf does): a concurrent delete waits for the runs, then sees them.
 * - room / admitted: only new runs count against RUN_MAX_QUEUED_PER_SOURCE; the room is the quota
 *   less the source's queued runs before this statement (bounded count), given in batch order.
 * - locks: ON CONFLICT DO NOTHING waits for a concurrent holder's commit; sorted by dedup key so two
 *   batches never wait on each other's keys in opposite orders (no deadlock).
 * - runs: a run row for each lock won; the lock's foreign key to it is checked at the end of the
 *   statement, when both are in.
 */
const STORE_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[]) WITH ORDINALITY
    AS t(id, source, job_name, params, resync, connection_id, dedup_key, ord)
), known AS (
  SELECT c.id, c.source FROM connections c JOIN input i ON c.id = i.connection_id AND c.source = i.source FOR KEY SHARE OF c
), valid AS (
  SELECT i.* FROM input i
  WHERE i.connection_id = $8::uuid OR EXISTS (SELECT 1 FROM known k WHERE k.id = i.connection_id AND k.source = i.source)
), room AS (
  SELECT s.source,
         $9::int - (SELECT count(*)::int FROM (SELECT 1 FROM sync_runs r WHERE r.source = s.source AND r.state = 'queued' LIMIT $9::int) q)
                 - COALESCE((SELECT x.n FROM unnest($10::text[], $11::int[]) AS x(source, n) WHERE x.source = s.source), 0) AS room
  FROM (SELECT DISTINCT source FROM valid WHERE $9::int IS NOT NULL) s
), admitted AS (
  SELECT v.* FROM (SELECT v.*, row_number() OVER (PARTITION BY v.source ORDER BY v.ord) AS n FROM valid v) v
  LEFT JOIN room r ON r.source = v.source
  WHERE $9::int IS NULL OR v.n <= r.room
), locks AS (
  INSERT INTO run_locks (dedup_key, run_id)
  SELECT dedup_key, id FROM admitted ORDER BY dedup_key
  ON CONFLICT (dedup_key) DO NOTHING
  RETURNING run_id
), runs AS (
  INSERT INTO sync_runs (id, source, job_name, params, resync, connection_id)
  SELECT a.id, a.source, a.job_name, a.params::jsonb, ARRAY(SELECT jsonb_array_elements_text(a.resync::jsonb)), a.connection_id
  FROM admitted a JOIN locks l ON l.run_id = a.id
  RETURNING id
)
SELECT i.id::text AS id,
       CASE WHEN i.id IN (SELECT id FROM runs) THEN 'created'
            WHEN i.id NOT IN (SELECT id FROM valid) THEN 'unknown_connection'
            WHEN i.id NOT IN (SELECT id FROM admitted) THEN 'over_quota'
            ELSE 'lost' END AS outcome
FROM input i`;

/**
 * The prepared statement's name on each connection. Measured (bench figure 4, quiet machine): the
 * gateway's accepted rate rose by 10–15% with it, Postgres no longer planning the CTEs per batch.
 */
export const STORE_BATCH_NAME = 'datasync_store_run_batch';

/** Stores a batch (one statement); the outcome of each row by run id. Throws, having stored nothing, when the statement fails. */
export async function storeBatch(
  db: Pick<pg.Pool, 'query'>,
  rows: BatchRow[],
  options: {
    /** RUN_MAX_QUEUED_PER_SOURCE; no quota when undefined. */
    maxQueuedPerSource?: number;
    /**
     * Per source, how many runs this gateway's other batches in flight may still create: their rows
     * are not visible to this statement's snapshot yet, so the quota's room is reduced by them (one
     * gateway never goes over the quota by its own concurrent batches).
     */
    reservedInFlight?: ReadonlyMap<string, number>;
    /** As a named prepared statement (parsed and planned once per connection); false behind PgBouncer < 1.21 in transaction mode. */
    prepared?: boolean;
  } = {},
): Promise<Map<string, BatchOutcome>> {
  const { maxQueuedPerSource, reservedInFlight = new Map<string, number>(), prepared = false } = options;
  const column = <T>(pick: (r: BatchRow) => T) => rows.map(pick);
  const { rows: outcomes } = await db.query<{ id: string; outcome: BatchOutcome }>({
    ...(prepared ? { name: STORE_BATCH_NAME } : {}),
    text: STORE_BATCH,
    values: [
      column((r) => r.runId),
      column((r) => r.source),
      column((r) => r.jobName),
      column((r) => JSON.stringify(r.params)),
      column((r) => JSON.stringify(r.resync)),
      column((r) => r.connectionId),
      column((r) => r.dedupKey),
      ENV_CONNECTION_ID,
      maxQueuedPerSource ?? null,
      [...reservedInFlight.keys()],
      [...reservedInFlight.values()],
    ],
  });
  return new Map(outcomes.map((o) => [o.id, o.outcome]));
}

/** The run holding each of these dedup keys' locks now (committed); a key whose run has ended is absent. */
export async function lockHolders(db: Pick<pg.Pool, 'query'>, dedupKeys: string[]): Promise<Map<string, string>> {
  if (dedupKeys.length === 0) return new Map();
  const { rows } = await db.query<{ dedup_key: string; run_id: string }>({
    text: 'SELECT dedup_key, run_id::text AS run_id FROM run_locks WHERE dedup_key = ANY($1::text[])',
    values: [dedupKeys],
  });
  return new Map(rows.map((r) => [r.dedup_key, r.run_id]));
}
