import type pg from 'pg';
import { v4 as uuidv4 } from 'uuid';
import { withTransaction } from '@datasync/db';
import type { NotifyTarget } from '@datasync/queues';
import { backfillProgress, insertChild, type BackfillPlan } from './backfill-chain';
import { assertConnectionOf, connectionOrEnv, ENV_CONNECTION_ID } from './connection-ref';
import { addNotifyTargets, DEFAULT_MAX_NOTIFY_TARGETS } from './notify-targets';
import { dedupKeyOf, QueueUnavailableError, type QueueSet, type SubmitResult } from './submit';

/**
 * Submitting a backfill: a window longer than one run may load (a job's `backfill.maxDays`), or
 * one a caller asks to cut, becomes a parent run and child runs of at most `chunkDays` days each,
 * run one after another (`backfill-chain.ts` moves the chain on as each child ends).
 *
 * Our own chaining rather than BullMQ's FlowProducer: a flow runs siblings in parallel (order needs
 * a nesting as deep as the chunk count), leaves its parent waiting forever when a child fails
 * unless it fails the whole tree, and its links live in Redis only, while our runs, dedup locks,
 * retries and the orphan sweep all live in `sync_runs`. Here the order is one row inserted in the
 * transaction that ends the previous child, and `POST /api/runs/:id/retry` of a failed child is
 * an ordinary retry of one run.
 */

const DAY_MS = 86_400_000;
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Days in [start, end], both included. */
export const windowDays = (start: string, end: string): number => Math.round((dayMs(end) - dayMs(start)) / DAY_MS) + 1;

/** [start, end] cut into consecutive windows of at most `days` days, in order. */
export function splitWindow(start: string, end: string, days: number): { start: string; end: string }[] {
  if (!Number.isInteger(days) || days < 1) throw new Error(`chunk size must be a positive whole number of days, not ${days}`);
  const out: { start: string; end: string }[] = [];
  for (let from = dayMs(start); from <= dayMs(end); from += days * DAY_MS) {
    out.push({ start: isoDay(from), end: isoDay(Math.min(from + (days - 1) * DAY_MS, dayMs(end))) });
  }
  return out;
}

/** The dedup key of a backfill: its parameters and how it is cut (so a cut window and a plain run are not one). */
export const backfillKeyOf = (source: string, jobName: string, params: unknown, chunkDays: number, connectionId?: string): string =>
  dedupKeyOf(source, jobName, { params, backfillChunkDays: chunkDays }, [], connectionId);

/** Adds a run's job (job id = run id) with the job's own options. */
export async function enqueueRun(
  queues: QueueSet,
  run: { runId: string; source: string; jobName: string; params: unknown; connectionId?: string | null },
): Promise<void> {
  // The job names its connection only when it is not the environment's (as submitRun's jobs do).
  const connection = run.connectionId && run.connectionId !== ENV_CONNECTION_ID ? { connectionId: run.connectionId } : {};
  await queues
    .get(run.source)
    .add(
      run.jobName,
      { runId: run.runId, params: run.params, ...connection },
      { ...queues.catalog.job(run.source, run.jobName)?.options, jobId: run.runId },
    );
}

/** Rolls the new backfill back when an identical one holds the lock. */
class BackfillHeld extends Error {}

/**
 * The parent row (running at once: it has no job, its children do), its dedup lock, notify targets
 * and its first child, in one transaction; then the first child's job. An identical backfill
 * queued or running answers that parent's id (with the new targets added to it). If the job
 * cannot be added, the rows go again.
 */
export async function submitBackfill(
  deps: { pool: pg.Pool; queues: QueueSet; settings?: { maxNotifyTargetsPerRun?: number } },
  source: string,
  jobName: string,
  params: Record<string, unknown> & { start: string; end: string },
  options: { chunkDays: number; notify?: NotifyTarget[]; connectionId?: string; connectionField?: string },
): Promise<SubmitResult> {
  const connectionId = connectionOrEnv(options.connectionId);
  const windows = splitWindow(params.start, params.end, options.chunkDays);
  const plan: BackfillPlan = { chunkDays: options.chunkDays, chunks: windows.map((w) => ({ ...params, ...w })) };
  const parentId = uuidv4();
  const key = backfillKeyOf(source, jobName, params, options.chunkDays, connectionId);
  const maxTargets = deps.settings?.maxNotifyTargetsPerRun ?? DEFAULT_MAX_NOTIFY_TARGETS;
  const first = await withTransaction(deps.pool, async (tx) => {
    await assertConnectionOf(tx, source, connectionId, options.connectionField);
    await tx.query(
      `INSERT INTO sync_runs (id, source, job_name, params, state, started_at, children_total, checkpoint, progress, connection_id)
       VALUES ($1, $2, $3, $4, 'running', now(), $5, $6, $7, $8)`,
      [
        parentId,
        source,
        jobName,
        JSON.stringify(params),
        plan.chunks.length,
        JSON.stringify(plan),
        JSON.stringify(backfillProgress(plan, [])),
        connectionId,
      ],
    );
    const lock = await tx.query('INSERT INTO run_locks (dedup_key, run_id) VALUES ($1, $2) ON CONFLICT (dedup_key) DO NOTHING', [
      key,
      parentId,
    ]);
    if (lock.rowCount !== 1) throw new BackfillHeld();
    await addNotifyTargets(tx, parentId, options.notify, maxTargets);
    return insertChild(tx, { id: parentId, source, jobName, connectionId }, plan.chunks[0]);
  }).catch(async (err: unknown) => {
    if (!(err instanceof BackfillHeld)) throw err;
    return withTransaction(deps.pool, async (tx) => {
      const { rows } = await tx.query<{ run_id: string }>('SELECT run_id FROM run_locks WHERE dedup_key = $1 FOR UPDATE', [key]);
      const held = rows[0]?.run_id;
      if (held) await addNotifyTargets(tx, held, options.notify, maxTargets);
      return held;
    });
  });
  // The identical backfill ended between our two statements: start this one.
  if (first === undefined) return submitBackfill(deps, source, jobName, params, options);
  if (typeof first === 'string') return { runId: first, deduplicated: true };
  try {
    await enqueueRun(deps.queues, first);
  } catch (err) {
    // The children go with their parent (ON DELETE CASCADE), the lock with its run.
    await deps.pool.query('DELETE FROM sync_runs WHERE id = $1', [parentId]).catch(() => {});
    throw new QueueUnavailableError(`could not enqueue the backfill's first chunk: ${(err as Error).message}`);
  }
  return { runId: parentId, deduplicated: false };
}
