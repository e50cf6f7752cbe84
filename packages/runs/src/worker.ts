import os from 'node:os';
import type pg from 'pg';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { oneStatement, UpstreamError, type Statement } from '@datasync/connector-kit';
import { withTransaction } from '@datasync/db';
import { jobLogger, pruneLogs, withRunLog, type Logger } from '@datasync/logger';
import { jobEnvelope, type QueuedSource } from '@datasync/queues';
import { HandedBackError, JobsInHand, type HeldJob } from './drain';
import type { RunLifecycle } from './lifecycle';
import { enqueueRun } from './backfill';
import type { QueueSet } from './submit';
import { onRedisError } from './redis-errors';
import { finishRun, isIdleRun, markHandedBack, markRetrying, markRunning, updateRun, updateRunStatement } from './store';
import { ENV_CONNECTION_ID } from './connection-ref';
import {
  ConnectionGone,
  envOnlyResolver,
  isAuthFailure,
  isFinalConnectionError,
  type ConnectionResolver,
  type RunConnection,
} from './run-connection';
import { mergeProgress } from './progress-merge';

/**
 * What a handler gets for one attempt of a run. `C` is the run's checkpoint: the handler's own
 * resume point, validated by its zod schema before the handler sees it (`withCheckpoint`).
 */
export interface RunContext<P, C = unknown> {
  runId: string;
  params: P;
  /** 1 for the first try. */
  attempt: number;
  log: Logger;
  pool: pg.Pool;
  /** Where the previous attempt stopped (null on a fresh run). */
  checkpoint: C | null;
  /** Counts carried over from earlier attempts; `commitPage` adds to them. */
  counts: Record<string, number>;
  /**
   * Writes one page: `write` runs in a transaction, and the run's counts, progress and checkpoint
   * are saved in the same transaction, so a crash never leaves the checkpoint ahead of the data.
   */
  commitPage<T>(write: (tx: pg.PoolClient) => Promise<T>, update: PageUpdate<C> | ((written: T) => PageUpdate<C>)): Promise<T>;
  /**
   * `commitPage` for a page whose writes are statements run in order. When there is at most one, it
   * and the run's update are sent as ONE statement with no explicit transaction (a statement is
   * atomic on its own): no BEGIN/COMMIT round trips, no time idle in a transaction. Two or more run
   * in one transaction, as `commitPage` does.
   */
  commitStatements(statements: readonly Statement[], update: PageUpdate<C>): Promise<void>;
  /** Reports progress outside a page write (stage changes). */
  progress(progress: Record<string, unknown>): Promise<void>;
  /**
   * Aborted when the worker is stopping (SIGTERM): a handler that can stop throws HandedBackError
   * once its current page is committed (runStream does, after each page), and the job goes back to
   * the queue without spending an attempt. One that does not stop is handed back at the deadline.
   */
  signal: AbortSignal;
  /** The connection (account) this run uses: its id scopes the run's rows, state and rate limits. */
  connection: RunConnection;

  /** The streams this run was asked to read again from the start (`resync`), see ResyncRequest. */
  resync: ResyncRequest;
}

/**
 * A run's `resync` as its handler sees it. A stream is `pending` until the handler has dropped its
 * saved state and calls `dropped(tx, stream)` in that same transaction: a retry or a resumed attempt
 * then continues the fresh pass instead of starting it over again.
 */
export interface ResyncRequest {
  readonly streams: readonly string[];
  pending(stream: string): boolean;
  dropped(tx: pg.PoolClient, stream: string): Promise<void>;
}

export interface PageUpdate<C = unknown> {
  checkpoint: C;
  progress?: Record<string, unknown>;
  /** Added to the run's counts. */
  added?: Record<string, number>;
}

export type Handler<P> = (ctx: RunContext<P>) => Promise<void>;
/** Any source's handlers, by job name (`HandlersOf` in `source.ts` types them per source). */
export type AnyHandlers = Readonly<Record<string, Handler<never>>>;

export interface RunWorkerOptions {
  /** The source whose queue (named after it) is consumed. */
  source: QueuedSource;
  handlers: AnyHandlers;
  connection: Redis | Cluster;
  prefix: string;
  pool: pg.Pool;
  log: Logger;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Metrics, run logs and the end-of-run event. */
  lifecycle: RunLifecycle;
  /** The jobs in hand, for a drain (`startQueueWorker` passes the one it stops). */
  jobsInHand?: JobsInHand;
  /** The source's queue, for the next chunk of a backfill once a chunk is done. */
  queues: QueueSet;
  /** Opens the connection each run names (default: the environment connection only). */
  connections?: ConnectionResolver;
  /** Records a stored connection's state after a run: failing on an auth refusal, ok when it worked. */
  markConnection?: (connectionId: string, state: { ok: true } | { ok: false; error: string }) => Promise<void>;
}

export const workerName = `${os.hostname()}:${process.pid}`;

/** Short, secret-free text for a run's `error`. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message.slice(0, 2000);
  return String(err).slice(0, 2000);
}

/** Errors another attempt cannot fix: bad payloads, refused credentials, 4xx, blocks. */
function isFinal(err: unknown): boolean {
  if (err instanceof UnrecoverableError) return true;
  if (err instanceof UpstreamError) return !err.retryable;
  return false;
}

function resyncOf(runId: string, asked: readonly string[], done: readonly string[]): ResyncRequest {
  const dropped = new Set(done);
  return {
    streams: asked,
    pending: (stream) => asked.includes(stream) && !dropped.has(stream),
    async dropped(tx, stream) {
      await tx.query(
        `UPDATE sync_runs SET resync_done = array_append(COALESCE(resync_done, '{}'), $2::text) WHERE id = $1 AND NOT ($2 = ANY(COALESCE(resync_done, '{}')))`,
        [runId, stream],
      );
      // A transaction that rolls back fails the attempt too; the next one reads resync_done again.
      dropped.add(stream);
    },
  };
}

/**
 * Consumes one source's queue: takes each job's run, calls the handler for its job name, and keeps
 * `sync_runs` in step (running → done, or queued again between retries, or failed with a clear
 * error once retries are spent or the error is final).
 */
export function createRunWorker(options: RunWorkerOptions): Worker {
  const def = { queue: options.source.name, source: options.source.name, jobs: options.source.jobs };
  const { lifecycle } = options;
  const jobsInHand = options.jobsInHand ?? new JobsInHand();
  // The run's log is written out before the run is seen to end, so a reader finds its last lines.
  const finish = async (runId: string, outcome: Parameters<typeof finishRun>[2]) => {
    await lifecycle.logs.flush();
    const finished = await finishRun(options.pool, runId, outcome);
    await lifecycle.ended(runId, outcome.state, finished);
    // A backfill's chunk: its parent ended with it, or the next chunk (already a queued row) gets its job.
    const chain = finished?.backfill;
    if (chain?.parentEnded) await lifecycle.ended(chain.parentId, chain.parentEnded.state, chain.parentEnded);
    if (chain?.next) {
      await enqueueRun(options.queues, chain.next).catch((err: Error) =>
        options.log.warn({ err: err.message, runId: chain.next!.runId }, 'next backfill chunk not enqueued; the orphan sweep will'),
      );
    }
  };

  /** What a job answers BullMQ: `idle` marks a scheduled run that found nothing (dropped from the queue's lists). */
  type Outcome = { idle: boolean } | undefined;
  const process = async (job: Job, token?: string): Promise<Outcome> => {
    const envelope = jobEnvelope.safeParse(job.data);
    if (!envelope.success) throw new UnrecoverableError(`job ${job.id} has no valid run envelope`);
    const { runId } = envelope.data;
    const held = jobsInHand.hold(job, token, () => markHandedBack(options.pool, runId));
    // Every line logged while this job is in hand also goes to the run's log (after redaction).
    try {
      const run = withRunLog(runId, lifecycle.logs.sink(runId), () =>
        processRun(job, runId, envelope.data.params, envelope.data.connectionId ?? ENV_CONNECTION_ID, held),
      );
      // A job handed back at the drain deadline ends here, its handler abandoned (the process exits).
      return await Promise.race([run, held.forced]);
    } finally {
      jobsInHand.release(held);
      await lifecycle.logs.flush();
    }
  };

  const resolve = options.connections ?? envOnlyResolver;
  const mark = async (connection: RunConnection, state: { ok: true } | { ok: false; error: string }, log: Logger) => {
    if (connection.id === ENV_CONNECTION_ID || !options.markConnection) return;
    await options
      .markConnection(connection.id, state)
      .catch((err: Error) => log.warn({ err: err.message }, 'could not record the connection state'));
  };

  const processRun = async (job: Job, runId: string, rawParams: unknown, connectionId: string, held: HeldJob): Promise<Outcome> => {
    const attempt = job.attemptsMade + 1;
    const log = jobLogger(options.log, { queue: def.queue, jobId: runId, source: def.source, attempt });
    // Log retention at each run too: a worker that never sees midnight would otherwise keep every file.
    pruneLogs(log);

    const schema = Object.hasOwn(def.jobs, job.name) ? def.jobs[job.name]?.params : undefined;
    const handler = (options.handlers as Record<string, Handler<unknown> | undefined>)[job.name];
    const params = schema?.safeParse(rawParams);
    if (!schema || !handler || !params?.success) {
      const error = !handler ? `no handler for job ${job.name}` : 'invalid job parameters';
      log.error({ err: error }, 'run failed');
      await finish(runId, { state: 'failed', error });
      throw new UnrecoverableError(error);
    }

    const run = await markRunning(options.pool, runId, attempt, workerName);
    if (!run) {
      log.warn('run is already finished or unknown; skipping');
      return undefined;
    }
    let connection: RunConnection;
    try {
      connection = await resolve({ source: def.source, connectionId, runId });
    } catch (err) {
      const error = err instanceof ConnectionGone ? err.message : `connection ${connectionId} could not be opened: ${describe(err)}`;
      // Deleted, unreadable under the key ring, or a worker without one: no retry changes that.
      if (isFinalConnectionError(err) || attempt >= (job.opts.attempts ?? 1)) {
        log.error({ err: error, connectionId }, 'run failed');
        await finish(runId, { state: 'failed', error });
        throw new UnrecoverableError(error);
      }
      // Postgres briefly away: the next attempt opens it again.
      log.warn({ err: error, connectionId }, 'run attempt failed; will retry');
      await markRetrying(options.pool, runId, `attempt ${attempt} failed: ${error}`);
      throw err;
    }
    const counts: Record<string, number> = { ...run.counts };
    let progress: Record<string, unknown> = { ...run.progress };
    let savedCheckpoint: unknown = run.checkpoint ?? null;
    const started = Date.now();
    // A schedule's tick is routine; its end is told at info when it did something.
    log[run.scheduledFor ? 'debug' : 'info'](
      { params: params.data, connection: { id: connection.id, name: connection.name }, resumeFrom: run.checkpoint ?? null },
      'run started',
    );

    // A page's update travels as what the page changed: the database adds the counts and merges the
    // progress (`mergeProgress`), and `committed` does the same in memory once it is committed, so
    // pages of concurrent lanes never overwrite each other's (a snapshot written by one would undo
    // what another did meanwhile).
    const committed = ({ added, checkpoint, progress: changed }: PageUpdate<unknown>): void => {
      for (const [k, v] of Object.entries(added ?? {})) counts[k] = (counts[k] ?? 0) + v;
      // Merged into what the attempt holds now (another lane may have reported since this page was sent).
      if (changed) progress = mergeProgress(progress, changed);
      savedCheckpoint = checkpoint;
      if (added) lifecycle.metrics.recordsWritten(def.source, added);
      void job.updateProgress(progress).catch(() => {});
    };

    const ctx: RunContext<unknown, unknown> = {
      runId,
      params: params.data,
      attempt,
      log,
      pool: options.pool,
      checkpoint: run.checkpoint ?? null,
      counts,
      signal: jobsInHand.signal,
      connection,
      async commitPage(write, update) {
        const { result, page } = await held.commit(() =>
          withTransaction(options.pool, async (tx) => {
            const written = await write(tx);
            const page = typeof update === 'function' ? update(written) : update;
            // Last in the transaction: the run's row is locked only from here to the commit.
            await updateRun(tx, runId, page);
            return { result: written, page };
          }),
        );
        committed(page);
        return result;
      },
      async commitStatements(statements, update) {
        const runUpdate = updateRunStatement(runId, update);
        await held.commit(async () => {
          if (statements.length <= 1) {
            // Autocommit: the page's rows, its stream state and the run's checkpoint commit together or not at all.
            // The run's update goes FIRST into the one statement: Postgres runs a statement's
            // data-modifying WITH parts last-written first, so it runs last and the run's row is
            // locked only from then to the commit, not while the page's rows are written (lanes of
            // one run would otherwise queue on it for their whole page).
            const one = oneStatement([runUpdate, ...statements])!;
            await options.pool.query({ text: one.text, values: [...one.values] });
            return;
          }
          await withTransaction(options.pool, async (tx) => {
            for (const s of [...statements, runUpdate]) await tx.query({ text: s.text, values: [...s.values] });
          });
        });
        committed(update);
      },
      async progress(update) {
        if (held.handedBack) return;
        progress = mergeProgress(progress, update);
        // What changed only: the database merges it the same way (a snapshot could undo a concurrent lane's).
        await updateRun(options.pool, runId, { progress: update });
        void job.updateProgress(progress).catch(() => {});
      },
      resync: resyncOf(runId, run.resync, run.resyncDone),
    };

    // Handed back (drain): the run waits in the queue again with this attempt unspent.
    const handBack = async (): Promise<never> => {
      await held.handBack();
      log.info({ durationMs: Date.now() - started, counts, resumeFrom: savedCheckpoint }, 'run handed back');
      throw new WaitingError('handed back: the worker is stopping');
    };
    try {
      // Taken as the drain began: straight back to the queue, nothing started.
      if (ctx.signal.aborted) throw new HandedBackError();
      await handler(ctx);
    } catch (err) {
      if (err instanceof HandedBackError || !held.finishing()) return handBack();
      const message = isAuthFailure(err) ? `connection ${connection.name} (${connection.id}): ${describe(err)}` : describe(err);
      if (isAuthFailure(err)) await mark(connection, { ok: false, error: describe(err) }, log);
      const attempts = job.opts.attempts ?? 1;
      if (isFinal(err) || attempt >= attempts) {
        log.error({ err: message, durationMs: Date.now() - started, counts }, 'run failed');
        await finish(runId, { state: 'failed', error: message, counts });
        throw new UnrecoverableError(message);
      }
      log.warn({ err: message, durationMs: Date.now() - started }, 'run attempt failed; will retry');
      await markRetrying(options.pool, runId, `attempt ${attempt} of ${attempts} failed: ${message}`);
      throw err;
    }
    if (!held.finishing()) return handBack();
    const idle = isIdleRun({ scheduledFor: run.scheduledFor, state: 'done', progress });
    // A scheduled run that found nothing is routine: debug, not info, so the terminal stays readable.
    log[idle ? 'debug' : 'info']({ durationMs: Date.now() - started, counts }, 'run done');
    await finish(runId, { state: 'done', counts });
    await mark(connection, { ok: true }, log);
    return { idle };
  };

  const worker = new Worker(def.queue, process, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: 5,
    autorun: true,
  });
  // Idle scheduled runs would bury the others in Bull Board's completed list; sync_runs keeps them.
  worker.on('completed', (job, result: Outcome) => {
    if (result?.idle) void job.remove().catch(() => {});
  });
  // A job failed outside the processor (stalled too often): the run must not stay "running".
  worker.on('failed', (job, err) => {
    if (!job?.id) return;
    if (/stalled/i.test(err.message)) {
      void finish(job.id, { state: 'failed', error: describe(err) }).catch(() => {});
    }
  });
  worker.on('error', onRedisError(options.log, `${def.source} worker`));
  return worker;
}
