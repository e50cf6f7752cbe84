import type pg from 'pg';
import { withTransaction } from '@datasync/db';
import { backfillKeyOf, enqueueRun } from './backfill';
import { backfillProgress, childrenOf, type BackfillPlan } from './backfill-chain';
import { dedupKeyOf, QueueUnavailableError, type QueueSet } from './submit';

/**
 * Replay: `POST /api/runs/:id/retry` puts a failed run back in the queue under the same id, so it
 * resumes from its own checkpoint (the next day of its window, the next page of its search) with
 * its counts, log and notify targets, rather than starting a new run that would read everything
 * again. A backfill's failed child is retried alone and its parent goes back to waiting for it;
 * retrying the parent retries its failed child.
 */

export class RunNotFoundError extends Error {}

/** The run is not failed (queued, running or done), or an identical run now holds its place. */
export class RunNotRetryableError extends Error {}

type Deps = { pool: pg.Pool; queues: QueueSet };
type Tx = Pick<pg.PoolClient, 'query'>;

interface RetryRow {
  id: string;
  source: string;
  jobName: string;
  params: unknown;
  state: string;
  parentRunId: string | null;
  /** The run's connection (null: from before connections, the environment's). */
  connectionId: string | null;
  childrenTotal: number | null;
  checkpoint: unknown;
  resync: string[];
}

async function lockedRun(tx: Tx, id: string): Promise<RetryRow | undefined> {
  const { rows } = await tx.query<RetryRow>(
    `SELECT id, source, job_name AS "jobName", params, state, parent_run_id AS "parentRunId", children_total AS "childrenTotal",
            checkpoint, COALESCE(resync, '{}') AS resync, connection_id AS "connectionId"
     FROM sync_runs WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

/** Takes the run's dedup lock again; an identical run started while it was failed keeps it (409). */
async function relock(tx: Tx, key: string, runId: string): Promise<void> {
  const { rows } = await tx.query<{ run_id: string }>(
    `INSERT INTO run_locks (dedup_key, run_id) VALUES ($1, $2) ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
     RETURNING run_id`,
    [key, runId],
  );
  if (rows[0]?.run_id !== runId) {
    throw new RunNotRetryableError(`an identical run ${rows[0]?.run_id} is queued or running; follow it instead of retrying ${runId}`);
  }
}

/** Back to the queue: state queued, error and end cleared (checkpoint, counts and progress kept). */
async function requeueRow(tx: Tx, run: RetryRow): Promise<void> {
  await tx.query(`UPDATE sync_runs SET state = 'queued', error = NULL, finished_at = NULL, updated_at = now() WHERE id = $1`, [run.id]);
  // A chunk's lock is its parent's; any other run takes its own again.
  if (!run.parentRunId)
    await relock(tx, dedupKeyOf(run.source, run.jobName, run.params, run.resync, run.connectionId ?? undefined), run.id);
}

/** The parent waits again (running), its lock taken again; answers its failed children to retry. */
async function reopenParent(tx: Tx, parent: RetryRow): Promise<RetryRow[]> {
  const plan = parent.checkpoint as BackfillPlan;
  const children = await childrenOf(tx, parent.id);
  await tx.query(
    `UPDATE sync_runs SET state = 'running', error = NULL, finished_at = NULL, progress = $2, updated_at = now() WHERE id = $1`,
    [parent.id, JSON.stringify(backfillProgress(plan, children))],
  );
  await relock(
    tx,
    backfillKeyOf(parent.source, parent.jobName, parent.params, plan.chunkDays, parent.connectionId ?? undefined),
    parent.id,
  );
  const failed: RetryRow[] = [];
  for (const c of children.filter((c) => c.state === 'failed')) failed.push((await lockedRun(tx, c.id))!);
  return failed;
}

/**
 * Retries a failed run (RunNotFoundError, RunNotRetryableError otherwise). Answers the ids of the
 * runs put back in the queue: the run itself, or a backfill parent's failed children.
 */
export async function retryRun(deps: Deps, id: string): Promise<{ runId: string; requeued: string[] }> {
  const toEnqueue = await withTransaction(deps.pool, async (tx) => {
    const run = await lockedRun(tx, id);
    if (!run) throw new RunNotFoundError(`no run ${id}`);
    if (run.state !== 'failed') throw new RunNotRetryableError(`run ${id} is ${run.state}; only a failed run can be retried`);
    if (run.childrenTotal !== null) {
      const failed = await reopenParent(tx, run);
      for (const child of failed) await requeueRow(tx, child);
      return failed;
    }
    await requeueRow(tx, run);
    if (run.parentRunId) {
      const parent = await lockedRun(tx, run.parentRunId);
      if (parent?.state === 'failed') await reopenParent(tx, parent);
    }
    return [run];
  });
  for (const run of toEnqueue) {
    try {
      // The failed job keeps its id in BullMQ (a job id is added once): remove it, then add afresh.
      await deps.queues.get(run.source).remove(run.id);
      await enqueueRun(deps.queues, {
        runId: run.id,
        source: run.source,
        jobName: run.jobName,
        params: run.params,
        connectionId: run.connectionId,
      });
    } catch (err) {
      // The row is queued: the workers' orphan sweep adds its job if this could not.
      throw new QueueUnavailableError(`run ${run.id} is queued again but its job could not be added yet: ${(err as Error).message}`);
    }
  }
  return { runId: id, requeued: toEnqueue.map((r) => r.id) };
}
