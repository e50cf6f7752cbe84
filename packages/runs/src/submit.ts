import { createHash } from 'node:crypto';
import type pg from 'pg';
import { Queue, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { v4 as uuidv4 } from 'uuid';
import { withTransaction } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { defaultJobOptions, type JobCatalog, type NotifyTarget } from '@datasync/queues';
import { QuotaExceededError, type Quotas } from './quota';
import { onRedisError } from './redis-errors';
import { addNotifyTargets, DEFAULT_MAX_NOTIFY_TARGETS, targetAddresses } from './notify-targets';
import type { RunGroupCommit } from './group-commit';
import { assertConnectionOf, connectionOrEnv, ENV_CONNECTION_ID } from './connection-ref';

/** One BullMQ Queue per source of a catalog (the queue is named after the source), with the catalog itself. */
export class QueueSet {
  constructor(
    readonly catalog: JobCatalog,
    private readonly queues: ReadonlyMap<string, Queue>,
  ) {}

  /** The queue of `source`; throws for a source the set was not made for. */
  get(source: string): Queue {
    const queue = this.queues.get(source);
    if (!queue) throw new Error(`no queue for source ${source}`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }
}

/** The catalog's queues under the deployment's key prefix; `jobOptions` overrides the default job options (attempts, backoff). */
export function createQueues(
  catalog: JobCatalog,
  connection: Redis | Cluster,
  prefix: string,
  jobOptions: Partial<JobsOptions> = {},
  log?: Logger,
): QueueSet {
  return new QueueSet(
    catalog,
    new Map(
      catalog.names.map((name) => {
        const queue = new Queue(name, { connection, prefix, defaultJobOptions: { ...defaultJobOptions, ...jobOptions } });
        queue.on('error', onRedisError(log, `queue ${name}`));
        return [name, queue];
      }),
    ),
  );
}

export async function closeQueues(queues: QueueSet): Promise<void> {
  await Promise.all(queues.all().map((q) => q.close()));
}

/** JSON with keys sorted at every level: equal parameters give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The envelope's connection field: left out for the environment connection, so its jobs look as they always did. */
const jobConnection = (connectionId: string) => (connectionId === ENV_CONNECTION_ID ? {} : { connectionId });

/** Rolls the new run back when an identical run holds the lock. */
class LockHeld extends Error {}

/** Another gateway already made the run of this schedule tick. */
class TickTaken extends Error {}

export class QueueUnavailableError extends Error {
  readonly code = 'queue_unavailable';
}

export interface SubmitResult {
  runId: string;
  /** True when an identical run was already queued or running and its id is answered instead. */
  deduplicated: boolean;
  /** A schedule tick whose run another consumer had already made (then `runId` is that run). */
  tickTaken?: boolean;
}

/**
 * The key identical runs share (`run_locks`): source, job and canonical parameters; plus the
 * streams to re-sync when there are any, so runs with different resync sets are not one run.
 */
export function dedupKeyOf(
  source: string,
  jobName: string,
  params: unknown,
  resync: readonly string[] = [],
  connectionId: string = ENV_CONNECTION_ID,
): string {
  const streams = [...new Set(resync)].sort();
  // The environment connection keeps the key it always had; another connection's run is another run.
  const connection = connectionId === ENV_CONNECTION_ID ? '' : `\n${connectionId}`;
  return createHash('sha256')
    .update(`${source}\n${jobName}\n${canonicalJson(params)}${connection}${streams.length > 0 ? `\nresync:${streams.join(',')}` : ''}`)
    .digest('hex');
}

export interface SubmitOptions {
  /** Streams whose saved state the run drops, reading them again from the start (checked against the source's streams by the caller). */
  resync?: readonly string[];
  /** Who hears when the run ends; added to the identical run's targets when deduplicated (NotifyQuotaError beyond the quota). */
  notify?: NotifyTarget[];
  /** The schedule tick this run belongs to: at most one run per (schedule, tick). */
  schedule?: { id: string; tick: Date };
  /**
   * The connection (account) the run uses; the environment connection when left out. Must name a
   * connection of the source (UnknownConnectionError otherwise, nothing stored). `connectionField`
   * is the request field that named it, for that error.
   */
  connectionId?: string;
  connectionField?: string;
}

/**
 * Starts a run: a `sync_runs` row and its dedup lock in one transaction, then a BullMQ job whose id
 * is the run id. An identical sync already queued or running answers that run's id. If the job
 * cannot be enqueued the row is removed again, so no run is left that nothing will process.
 */
export async function submitRun(
  /** With `quotas`, a new run is refused (QuotaExceededError) when its source has as many queued as allowed. */
  /**
   * With `groupCommit`, a plain submission (no schedule tick, no notification targets) is stored
   * and queued in a batch with the others of its window (group-commit.ts): same outcomes, one
   * transaction and one addBulk for the batch.
   */
  deps: { pool: pg.Pool; queues: QueueSet; quotas?: Quotas; settings?: { maxNotifyTargetsPerRun?: number }; groupCommit?: RunGroupCommit },
  source: string,
  jobName: string,
  rawParams: unknown,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  const schema = deps.queues.catalog.payloadSchema(source, jobName);
  if (!schema) throw new Error(`no job ${jobName} in queue ${source}`);
  const params = schema.parse(rawParams) as Record<string, unknown>;
  const resync = [...new Set(options.resync ?? [])].sort();
  const connectionId = connectionOrEnv(options.connectionId);
  // The same sync of two accounts is two runs; the environment connection keeps the key it always had.
  const dedupKey = dedupKeyOf(source, jobName, params, resync, connectionId);
  if (deps.groupCommit && !options.schedule && targetAddresses(options.notify).length === 0) {
    return deps.groupCommit.submit({
      source,
      jobName,
      params,
      resync,
      connectionId,
      connectionField: options.connectionField,
      dedupKey,
      jobConnection: jobConnection(connectionId),
    });
  }
  const runId = uuidv4();

  const maxTargets = deps.settings?.maxNotifyTargetsPerRun ?? DEFAULT_MAX_NOTIFY_TARGETS;
  // Inside the transaction: our lock, or the id of the identical run that holds it.
  const holder = await withTransaction(deps.pool, async (tx) => {
    await assertConnectionOf(tx, source, connectionId, options.connectionField);
    const inserted = await tx.query({
      text: `INSERT INTO sync_runs (id, source, job_name, params, schedule_id, scheduled_for, resync, connection_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (schedule_id, scheduled_for) DO NOTHING`,
      values: [
        runId,
        source,
        jobName,
        JSON.stringify(params),
        options.schedule?.id ?? null,
        options.schedule?.tick ?? null,
        resync,
        connectionId,
      ],
    });
    if (inserted.rowCount === 0) throw new TickTaken();
    const lock = await tx.query({
      text: `INSERT INTO run_locks (dedup_key, run_id) VALUES ($1, $2) ON CONFLICT (dedup_key) DO NOTHING RETURNING run_id`,
      values: [dedupKey, runId],
    });
    if (lock.rowCount !== 1) throw new LockHeld();
    // Only a new run counts against the quota (an identical request still answers the queued run).
    // Not serialised per source: a lock held to COMMIT cut submissions to a fifth (measured), so
    // requests in flight at the same instant may each take the last place; sequential ones never.
    const max = deps.quotas?.maxQueuedRunsPerSource;
    if (max !== undefined) {
      const { rows } = await tx.query<{ n: number }>({
        // Bounded: a full queue costs max + 1 index entries, not the whole backlog.
        text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM sync_runs WHERE source = $1 AND state = 'queued' LIMIT $2) q`,
        values: [source, max + 1],
      });
      // The count includes the row just inserted.
      if (rows[0]!.n > max) {
        throw new QuotaExceededError(
          `${source} already has ${max} runs queued, the most RUN_MAX_QUEUED_PER_SOURCE allows; nothing was queued, try again once some have started`,
          'RUN_MAX_QUEUED_PER_SOURCE',
          max,
        );
      }
    }
    await addNotifyTargets(tx, runId, options.notify, maxTargets);
    return runId;
  }).catch(async (err: unknown) => {
    if (err instanceof TickTaken) return { tickTaken: true as const };
    if (!(err instanceof LockHeld)) throw err;
    // The identical run also tells these targets when it ends. Its lock row is held while they are
    // added: the run's end (which deletes that row, then announces the end) waits for them, or has
    // already happened and a new run is started below. Either way no target misses the event.
    return withTransaction(deps.pool, async (tx) => {
      const { rows } = await tx.query({
        text: 'SELECT run_id FROM run_locks WHERE dedup_key = $1 FOR UPDATE',
        values: [dedupKey],
      });
      const held = (rows[0] as { run_id: string } | undefined)?.run_id;
      if (held) await addNotifyTargets(tx, held, options.notify, maxTargets);
      return held;
    });
  });
  if (typeof holder === 'object') {
    const { rows } = await deps.pool.query('SELECT id FROM sync_runs WHERE schedule_id = $1 AND scheduled_for = $2', [
      options.schedule?.id,
      options.schedule?.tick,
    ]);
    return { runId: (rows[0] as { id: string } | undefined)?.id ?? '', deduplicated: true, tickTaken: true };
  }
  // The other run finished between our two statements: start a new one.
  if (holder === undefined) return submitRun(deps, source, jobName, params, options);
  if (holder !== runId) return { runId: holder, deduplicated: true };

  try {
    await deps.queues
      .get(source)
      .add(
        jobName,
        { runId, params, ...jobConnection(connectionId) },
        { ...deps.queues.catalog.job(source, jobName)?.options, jobId: runId },
      );
  } catch (err) {
    await deps.pool.query('DELETE FROM sync_runs WHERE id = $1', [runId]).catch(() => {});
    throw new QueueUnavailableError(`could not enqueue the run: ${(err as Error).message}`);
  }
  return { runId, deduplicated: false };
}

/**
 * Re-enqueues runs the database says are queued or running but whose job is gone from Redis (a
 * gateway that died between commit and enqueue, a Redis that lost data). Job ids are run ids, so
 * this never duplicates a job that exists.
 */
export async function requeueOrphans(deps: { pool: pg.Pool; queues: QueueSet }, source: string, olderThanMs = 30_000): Promise<number> {
  const { rows } = await deps.pool.query(
    `SELECT id, job_name, params, connection_id FROM sync_runs
     WHERE source = $1 AND state IN ('queued', 'running') AND children_total IS NULL AND updated_at < now() - make_interval(secs => $2::float8 / 1000)
     ORDER BY created_at LIMIT 500`,
    [source, olderThanMs],
  );
  let requeued = 0;
  for (const row of rows as { id: string; job_name: string; params: unknown; connection_id: string | null }[]) {
    const queue = deps.queues.get(source);
    const job = await queue.getJob(row.id);
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
      if (state === 'completed' || state === 'failed') await job.remove().catch(() => {});
    }
    await queue.add(
      row.job_name,
      { runId: row.id, params: row.params, ...jobConnection(row.connection_id ?? ENV_CONNECTION_ID) },
      { ...deps.queues.catalog.job(source, row.job_name)?.options, jobId: row.id },
    );
    requeued += 1;
  }
  return requeued;
}
