import type pg from 'pg';
import { v4 as uuidv4 } from 'uuid';

/**
 * The chain of a backfill, inside the transaction that ends one of its children: a backfill is a
 * parent run (the whole window, no job of its own) and one child run per chunk. Only the first
 * child exists at submission; each next one is inserted when the one before it is done, so the
 * chunks run strictly in order and a crash between "child done" and "next child queued" is covered
 * by the orphan sweep (the next child is a queued row). Kept apart from `backfill.ts` (submission)
 * because `finishRun` (store.ts) calls it and must not import the submit path.
 */

/** The parent's checkpoint: how the window was cut, and every chunk's parameters in order. */
export interface BackfillPlan {
  chunkDays: number;
  chunks: Record<string, unknown>[];
}

export interface ChildEnded {
  parentId: string;
  /** The next chunk's run, inserted as queued in the transaction: enqueue it once committed. */
  next?: { runId: string; source: string; jobName: string; params: unknown; connectionId: string | null };
  /** The parent ended with this child: its last chunk done, or this chunk failed for good. */
  parentEnded?: { state: 'done' | 'failed'; source: string; durationMs: number; endedAt: number };
}

type Tx = Pick<pg.PoolClient, 'query'>;

interface ChildRow {
  id: string;
  state: string;
  counts: Record<string, number>;
  params: { start?: string; end?: string };
}

/** A backfill's progress as `GET /api/runs/:id` shows it: chunks done of total (its `percent` follows from these). */
export function backfillProgress(plan: BackfillPlan, children: Pick<ChildRow, 'state'>[]): Record<string, unknown> {
  return {
    stage: 'backfill',
    total: plan.chunks.length,
    done: children.filter((c) => c.state === 'done').length,
    failed: children.filter((c) => c.state === 'failed').length,
    chunkDays: plan.chunkDays,
  };
}

/** The parent's counts: the sum of its done children's counts (recomputed, so a retried child is never added twice). */
export function sumCounts(all: Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counts of all) for (const [k, v] of Object.entries(counts)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

/** The children of a parent, first chunk first (chunks are disjoint windows, so their start orders them). */
export async function childrenOf(tx: Tx, parentId: string): Promise<ChildRow[]> {
  const { rows } = await tx.query<ChildRow>(
    `SELECT id, state, counts, params FROM sync_runs WHERE parent_run_id = $1 ORDER BY params->>'start', created_at`,
    [parentId],
  );
  return rows;
}

/** Inserts the run of chunk `index` as a queued child (no lock: its parent holds the backfill's). */
export async function insertChild(
  tx: Tx,
  parent: { id: string; source: string; jobName: string; connectionId: string | null },
  params: unknown,
): Promise<NonNullable<ChildEnded['next']>> {
  const runId = uuidv4();
  // A chunk uses its parent's connection (account).
  await tx.query(`INSERT INTO sync_runs (id, source, job_name, params, parent_run_id, connection_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
    runId,
    parent.source,
    parent.jobName,
    JSON.stringify(params),
    parent.id,
    parent.connectionId,
  ]);
  return { runId, source: parent.source, jobName: parent.jobName, params, connectionId: parent.connectionId };
}

/**
 * A child ended (`finishRun`, same transaction): the parent's progress and counts follow; a failed
 * child fails the parent (saying which chunk, and how to retry it alone); the last chunk done ends
 * the parent `done`; otherwise the next chunk's run is inserted.
 */
export async function childEnded(
  tx: Tx,
  parentId: string,
  child: { id: string; state: 'done' | 'failed'; error?: string },
): Promise<ChildEnded> {
  const { rows } = await tx.query<{
    source: string;
    jobName: string;
    state: string;
    checkpoint: BackfillPlan | null;
    connectionId: string | null;
  }>(`SELECT source, job_name AS "jobName", state, checkpoint, connection_id AS "connectionId" FROM sync_runs WHERE id = $1 FOR UPDATE`, [
    parentId,
  ]);
  const parent = rows[0];
  if (!parent?.checkpoint || !Array.isArray(parent.checkpoint.chunks)) return { parentId };
  const plan = parent.checkpoint;
  const children = await childrenOf(tx, parentId);
  const progress = backfillProgress(plan, children);
  const counts = sumCounts(children.filter((c) => c.state === 'done').map((c) => c.counts));
  const live = parent.state === 'running' || parent.state === 'queued';

  const end = async (state: 'done' | 'failed', error: string | null): Promise<ChildEnded> => {
    const ended = await tx.query<{ durationMs: number; endedAt: number }>(
      `UPDATE sync_runs SET state = $2, error = $3, counts = $4, progress = $5, finished_at = now(), updated_at = now()
       WHERE id = $1 AND state IN ('queued', 'running')
       RETURNING (extract(epoch FROM finished_at - COALESCE(started_at, created_at)) * 1000)::float8 AS "durationMs",
         (extract(epoch FROM finished_at) * 1000)::float8 AS "endedAt"`,
      [parentId, state, error, JSON.stringify(counts), JSON.stringify(progress)],
    );
    await tx.query('DELETE FROM run_locks WHERE run_id = $1', [parentId]);
    const row = ended.rows[0];
    return row ? { parentId, parentEnded: { state, source: parent.source, ...row } } : { parentId };
  };

  if (!live) {
    // A parent already ended (failed earlier): keep its figures current, nothing else.
    await tx.query('UPDATE sync_runs SET counts = $2, progress = $3, updated_at = now() WHERE id = $1', [
      parentId,
      JSON.stringify(counts),
      JSON.stringify(progress),
    ]);
    return { parentId };
  }
  if (child.state === 'failed') {
    const index = children.findIndex((c) => c.id === child.id);
    const window = children[index]?.params;
    return end(
      'failed',
      `chunk ${index + 1} of ${plan.chunks.length} (${window?.start}..${window?.end}, run ${child.id}) failed: ${child.error ?? 'unknown error'}; ` +
        `retry it alone with POST /api/runs/${child.id}/retry`,
    );
  }
  if (children.length >= plan.chunks.length && children.every((c) => c.state === 'done')) return end('done', null);

  await tx.query('UPDATE sync_runs SET counts = $2, progress = $3, updated_at = now() WHERE id = $1', [
    parentId,
    JSON.stringify(counts),
    JSON.stringify(progress),
  ]);
  // The next chunk once every earlier one is done (a retried middle chunk is followed by the rest).
  if (children.length < plan.chunks.length && children.every((c) => c.state === 'done')) {
    return {
      parentId,
      next: await insertChild(
        tx,
        { id: parentId, source: parent.source, jobName: parent.jobName, connectionId: parent.connectionId },
        plan.chunks[children.length],
      ),
    };
  }
  return { parentId };
}
