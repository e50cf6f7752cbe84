import type pg from 'pg';
import type { Statement } from '@datasync/connector-kit';
import { withTransaction } from '@datasync/db';
import { childEnded, type ChildEnded } from './backfill-chain';
import { progressMergeSql } from './progress-merge';

export type RunState = 'queued' | 'running' | 'done' | 'failed';

export interface RunRecord {
  id: string;
  source: string;
  jobName: string;
  params: unknown;
  state: RunState;
  progress: Record<string, unknown>;
  counts: Record<string, number>;
  checkpoint: unknown;
  error: string | null;
  attempts: number;
  worker: string | null;
  /** The schedule that started it, if one did. */
  scheduleId: string | null;
  /** The schedule tick it belongs to (kept when the schedule is deleted): set means a schedule started it. */
  scheduledFor: Date | null;
  /** The backfill this run is a chunk of. */
  parentRunId: string | null;
  /** Set on a backfill's parent: how many chunks (child runs) its window has. */
  childrenTotal: number | null;
  /** Streams the run reads again from the start, and those it has already reset. */
  resync: string[];
  resyncDone: string[];
  /** The connection (account) the run uses; null for runs from before connections (the environment's). */
  connectionId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

const COLUMNS = `id, source, job_name AS "jobName", params, state, progress, counts, checkpoint, error, attempts,
  worker, schedule_id AS "scheduleId", scheduled_for AS "scheduledFor",
  parent_run_id AS "parentRunId", children_total AS "childrenTotal", COALESCE(resync, '{}') AS resync, COALESCE(resync_done, '{}') AS "resyncDone", connection_id AS "connectionId", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt"`;

type Q = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The child runs of a backfill, oldest (first chunk) first. */
export async function listChildren(db: Q, parentId: string): Promise<RunRecord[]> {
  const { rows } = await db.query({
    text: `SELECT ${COLUMNS} FROM sync_runs WHERE parent_run_id = $1 ORDER BY created_at, id`,
    values: [parentId],
  });
  return rows as RunRecord[];
}

export async function getRun(db: Q, id: string): Promise<RunRecord | undefined> {
  const { rows } = await db.query({ text: `SELECT ${COLUMNS} FROM sync_runs WHERE id = $1`, values: [id] });
  return rows[0] as RunRecord | undefined;
}

/** Who started a run: a person or program through the API (`manual`), or a schedule's tick. */
export type RunTrigger = 'manual' | 'schedule';

export interface RunFilter {
  source?: string;
  state?: RunState;
  trigger?: RunTrigger;
  /** Also list idle runs (scheduled runs that ended having found nothing); hidden by default. */
  includeIdle?: boolean;
  limit: number;
  /** Only runs created before this one (paging, newest first). */
  before?: Date;
}

/**
 * A scheduled run that ended reporting `progress.idle` (a poll that found nothing, a push with
 * nothing to push): routine, so lists leave it out unless asked. Kept in step with `isIdleRun`.
 */
const IDLE_SQL = `(scheduled_for IS NOT NULL AND state = 'done' AND progress @> '{"idle": true}')`;

export function runTrigger(run: Pick<RunRecord, 'scheduledFor'>): RunTrigger {
  return run.scheduledFor ? 'schedule' : 'manual';
}

export function isIdleRun(run: Pick<RunRecord, 'scheduledFor' | 'state' | 'progress'>): boolean {
  return run.scheduledFor !== null && run.state === 'done' && run.progress.idle === true;
}

export async function listRuns(db: Q, filter: RunFilter): Promise<RunRecord[]> {
  const { rows } = await db.query({
    text: `SELECT ${COLUMNS} FROM sync_runs
           WHERE ($1::text IS NULL OR source = $1) AND ($2::run_state IS NULL OR state = $2)
             AND ($3::timestamptz IS NULL OR created_at < $3)
             AND ($5::text IS NULL OR (scheduled_for IS NOT NULL) = ($5 = 'schedule'))
             AND ($6::boolean OR NOT ${IDLE_SQL})
           ORDER BY created_at DESC, id DESC LIMIT $4`,
    values: [
      filter.source ?? null,
      filter.state ?? null,
      filter.before ?? null,
      filter.limit,
      filter.trigger ?? null,
      filter.includeIdle ?? false,
    ],
  });
  return rows as RunRecord[];
}

/** Takes a queued (or retaken running) run; answers undefined when it is already finished. */
export async function markRunning(db: Q, id: string, attempt: number, worker: string): Promise<RunRecord | undefined> {
  const { rows } = await db.query({
    text: `UPDATE sync_runs SET state = 'running', attempts = $2, worker = $3,
             started_at = COALESCE(started_at, now()), updated_at = now()
           WHERE id = $1 AND state IN ('queued', 'running') RETURNING ${COLUMNS}`,
    values: [id, attempt, worker],
  });
  return rows[0] as RunRecord | undefined;
}

export interface RunUpdate {
  /** Merged into the stored progress (`mergeProgress`): send what changed, not a snapshot. */
  progress?: Record<string, unknown>;
  /**
   * Added to the stored counts by the database (each key summed), not written as a snapshot: pages
   * of one attempt committed at the same time (concurrent lanes) each add their own. Under READ
   * COMMITTED an UPDATE that waited for the row lock computes the sum from the newest committed
   * row, so no addition is lost.
   */
  added?: Record<string, number>;
  checkpoint?: unknown;
}

/** Saves progress, counts and checkpoint; inside the page's transaction when given its client. */
export async function updateRun(db: Q, id: string, update: RunUpdate): Promise<void> {
  const { text, values } = updateRunStatement(id, update);
  await db.query({ text, values: [...values] });
}

/**
 * The statement `updateRun` runs, to send with a page's own writes (`oneStatement`: one round trip).
 * It locks the run's row until the commit: send it as the page's LAST write, so lanes of one run
 * queue on that row only between it and their commit.
 */
export function updateRunStatement(id: string, update: RunUpdate): Statement {
  const added = update.added && Object.keys(update.added).length > 0 ? update.added : undefined;
  return {
    text: `UPDATE sync_runs SET progress = CASE WHEN $2::jsonb IS NULL THEN progress ELSE ${progressMergeSql('$2::jsonb')} END,
             counts = CASE WHEN $3::jsonb IS NULL THEN counts ELSE COALESCE(counts, '{}'::jsonb) || (
               SELECT jsonb_object_agg(d.key, COALESCE((counts ->> d.key)::numeric, 0) + d.value::numeric)
               FROM jsonb_each_text($3::jsonb) AS d) END,
             checkpoint = CASE WHEN $4::boolean THEN $5::jsonb ELSE checkpoint END, updated_at = now()
           WHERE id = $1`,
    values: [
      id,
      update.progress ? JSON.stringify(update.progress) : null,
      added ? JSON.stringify(added) : null,
      'checkpoint' in update,
      update.checkpoint === undefined ? null : JSON.stringify(update.checkpoint),
    ],
  };
}

export interface FinishedRun {
  source: string;
  /** From the first start (or from the submit, for a run that never started) to now. */
  durationMs: number;
  /** When it ended (epoch ms): a run retried after failing ends again, and each end is announced. */
  endedAt?: number;
  /** For a backfill's child: what its end means for the parent (the next chunk to enqueue, or the parent's end). */
  backfill?: ChildEnded;
}

/**
 * Ends a run and releases its dedup lock, in one transaction. Answers the ended run, or undefined
 * when it had already ended (so a run's end is announced once).
 */
export async function finishRun(
  pool: pg.Pool,
  id: string,
  outcome: { state: 'done' | 'failed'; error?: string; counts?: Record<string, number>; progress?: Record<string, unknown> },
): Promise<FinishedRun | undefined> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query({
      text: `UPDATE sync_runs SET state = $2, error = $3, counts = COALESCE($4::jsonb, counts),
               progress = COALESCE($5::jsonb, progress), finished_at = now(), updated_at = now()
             WHERE id = $1 AND state IN ('queued', 'running')
             RETURNING source, parent_run_id AS "parentRunId", (extract(epoch FROM finished_at) * 1000)::float8 AS "endedAt",
               (extract(epoch FROM finished_at - COALESCE(started_at, created_at)) * 1000)::float8 AS "durationMs"`,
      values: [
        id,
        outcome.state,
        outcome.error ?? null,
        outcome.counts ? JSON.stringify(outcome.counts) : null,
        outcome.progress ? JSON.stringify(outcome.progress) : null,
      ],
    });
    await tx.query({ text: 'DELETE FROM run_locks WHERE run_id = $1', values: [id] });
    const ended = rows[0] as (FinishedRun & { parentRunId: string | null }) | undefined;
    if (!ended) return undefined;
    const { parentRunId, ...finished } = ended;
    // The parent moves on in the same transaction: the next chunk exists as soon as this one is done.
    if (parentRunId) finished.backfill = await childEnded(tx, parentRunId, { id, state: outcome.state, error: outcome.error });
    return finished;
  });
}

/** Back to queued between attempts, with the error that will be retried. */
export async function markRetrying(db: Q, id: string, error: string): Promise<void> {
  await db.query({
    text: `UPDATE sync_runs SET state = 'queued', error = $2, updated_at = now() WHERE id = $1 AND state = 'running'`,
    values: [id, error],
  });
}

/** Back to queued after a drain handed the job back (no error: nothing failed, the attempt is not spent). */
export async function markHandedBack(db: Q, id: string): Promise<void> {
  await db.query(`UPDATE sync_runs SET state = 'queued', updated_at = now() WHERE id = $1 AND state = 'running'`, [id]);
}
