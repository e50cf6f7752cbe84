import type pg from 'pg';
import { v4 as uuidv4 } from 'uuid';
import { UnknownConnectionError } from './connection-ref';
import { lockHolders, storeBatch, type BatchOutcome } from './group-commit-store';
import { QuotaExceededError, type Quotas } from './quota';
import { QueueUnavailableError, type QueueSet, type SubmitResult } from './submit';

/**
 * Group commit of run submissions. Each `submitRun` on its own costs a transaction (BEGIN, two
 * INSERTs, the quota count, COMMIT with its WAL fsync) and a Redis round trip; under load those
 * dominate the gateway (bench figure 4). Here the submissions that arrive within `windowMs` (or
 * while the previous batches are being written) are stored by ONE statement (group-commit-store.ts:
 * connection check, quota, multi-row INSERT of `run_locks` + `sync_runs`, one COMMIT) and their jobs are
 * added with one `Queue.addBulk` per source, job id = run id as before. Nothing is answered before
 * the COMMIT, so a run id answered is still a run that exists; each request still gets its own
 * outcome (a new run, the identical run that holds the lock, a quota or connection refusal).
 */
export interface GroupCommitSettings {
  /** How long the first submission of a batch waits for others (RUN_GROUP_COMMIT_WINDOW_MS; 0: the same event-loop turn only). */
  windowMs: number;
  /** The most submissions one transaction stores (RUN_GROUP_COMMIT_MAX_BATCH); a full batch is written at once. */
  maxBatch: number;
  /** Batches being written at the same time (each holds a pool connection); more submissions wait for the next. */
  maxInFlight?: number;
  /**
   * The batch statement as a named prepared statement (DATABASE_PREPARED_STATEMENTS): Postgres
   * parses and plans its CTEs once per connection instead of once per batch. Off behind a
   * transaction-mode PgBouncer before 1.21.
   */
  prepared?: boolean;
}

export const DEFAULT_GROUP_COMMIT: Required<GroupCommitSettings> = { windowMs: 1, maxBatch: 200, maxInFlight: 4, prepared: true };

/** Storing a batch of runs failed (Postgres unreachable, a statement refused): none of them was stored or queued. */
export class RunStoreUnavailableError extends Error {
  readonly code = 'run_store_unavailable';
  constructor(cause: unknown) {
    super(`could not store the run, nothing was queued: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'RunStoreUnavailableError';
  }
}

/** What a batch submission needs: the already-parsed parameters and the request's dedup key. */
export interface BatchedSubmission {
  source: string;
  jobName: string;
  params: Record<string, unknown>;
  resync: string[];
  connectionId: string;
  connectionField?: string;
  dedupKey: string;
  /** The job envelope's connection part (empty for the environment connection). */
  jobConnection: { connectionId?: string };
}

interface Pending extends BatchedSubmission {
  resolve(result: SubmitResult): void;
  reject(err: unknown): void;
}

/** A leader is the first submission of its dedup key in the batch; later ones with the same key follow its outcome. */
interface Leader {
  first: Pending;
  followers: Pending[];
  runId: string;
}

export class RunGroupCommit {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private inFlight = 0;
  /** Per source, the runs the batches in flight may create (reserved against the quota's room). */
  private readonly reserved = new Map<string, number>();
  /** Batches written and submissions they held, since the start (how much was grouped). */
  readonly stats = { batches: 0, submissions: 0 };
  readonly settings: Required<GroupCommitSettings>;

  constructor(
    private readonly deps: { pool: pg.Pool; queues: QueueSet; quotas?: Quotas },
    settings: Partial<GroupCommitSettings> = {},
  ) {
    this.settings = { ...DEFAULT_GROUP_COMMIT, ...settings };
  }

  /** Resolves once the run is committed and queued (or the identical run is found); rejects with this request's own error. */
  submit(submission: BatchedSubmission): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...submission, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight >= this.settings.maxInFlight) return; // the batch in flight picks these up when it ends
    if (this.pending.length >= this.settings.maxBatch) {
      this.flushNow();
      return;
    }
    if (this.timer) return;
    const flush = () => {
      this.timer = undefined;
      this.flush();
    };
    this.timer = this.settings.windowMs > 0 ? setTimeout(flush, this.settings.windowMs) : setImmediate(flush);
  }

  private flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    this.flush();
  }

  /** Writes batches while there are submissions waiting and a batch may start. */
  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.settings.maxInFlight) {
      const batch = this.pending.splice(0, this.settings.maxBatch);
      this.stats.batches += 1;
      this.stats.submissions += batch.length;
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        // These waited at least as long as a window already: written at once.
        if (this.pending.length > 0) this.flushNow();
      });
    }
  }

  /** Stores one batch and answers each of its submissions; never rejects. */
  private async write(batch: Pending[]): Promise<void> {
    const leaders = new Map<string, Leader>();
    for (const p of batch) {
      const leader = leaders.get(p.dedupKey);
      if (leader) leader.followers.push(p);
      else leaders.set(p.dedupKey, { first: p, followers: [], runId: uuidv4() });
    }
    let outcomes: Map<string, BatchOutcome>;
    let holders: Map<string, string>;
    const mine = new Map<string, number>();
    for (const { first } of leaders.values()) mine.set(first.source, (mine.get(first.source) ?? 0) + 1);
    const others = new Map(this.reserved);
    for (const [source, n] of mine) this.reserved.set(source, (this.reserved.get(source) ?? 0) + n);
    try {
      outcomes = await storeBatch(
        this.deps.pool,
        [...leaders.values()].map(({ first: p, runId }) => ({ ...p, runId })),
        { maxQueuedPerSource: this.deps.quotas?.maxQueuedRunsPerSource, reservedInFlight: others, prepared: this.settings.prepared },
      );
      // Those that lost the lock, or found no room, answer the identical run if one holds the key.
      const elsewhere = [...leaders.values()].filter((l) => ['lost', 'over_quota'].includes(outcomes.get(l.runId)!));
      holders = await lockHolders(
        this.deps.pool,
        elsewhere.map((l) => l.first.dedupKey),
      );
    } catch (err) {
      const error = new RunStoreUnavailableError(err);
      for (const p of batch) p.reject(error);
      return;
    } finally {
      // Committed (visible to the next statements) or failed: no longer reserved.
      for (const [source, n] of mine) {
        const left = (this.reserved.get(source) ?? 0) - n;
        if (left > 0) this.reserved.set(source, left);
        else this.reserved.delete(source);
      }
    }
    const created = [...leaders.values()].filter((l) => outcomes.get(l.runId) === 'created');
    const unqueued = await this.enqueue(created);
    for (const leader of leaders.values()) {
      const all = [leader.first, ...leader.followers];
      const outcome = outcomes.get(leader.runId);
      const holder = holders.get(leader.first.dedupKey);
      if (outcome === 'created') {
        const notQueued = unqueued.get(leader.runId);
        if (notQueued) for (const p of all) p.reject(notQueued);
        else {
          leader.first.resolve({ runId: leader.runId, deduplicated: false });
          for (const p of leader.followers) p.resolve({ runId: leader.runId, deduplicated: true });
        }
      } else if (outcome === 'unknown_connection') {
        for (const p of all) p.reject(new UnknownConnectionError(p.connectionId, p.source, p.connectionField));
      } else if (holder !== undefined) {
        for (const p of all) p.resolve({ runId: holder, deduplicated: true });
      } else if (outcome === 'over_quota') {
        const max = this.deps.quotas?.maxQueuedRunsPerSource;
        for (const p of all)
          p.reject(
            new QuotaExceededError(
              `${p.source} already has ${max} runs queued, the most RUN_MAX_QUEUED_PER_SOURCE allows; nothing was queued, try again once some have started`,
              'RUN_MAX_QUEUED_PER_SOURCE',
              max!,
            ),
          );
      } else {
        // The identical run ended between our insert and our read: its lock is free again, ask anew.
        for (const p of all) this.submit(p).then(p.resolve, p.reject);
      }
    }
  }

  /** One addBulk per source; the runs of a source whose add failed are deleted again (no row without a job), with the error to answer. */
  private async enqueue(created: Leader[]): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    if (created.length === 0) return failed;
    const bySource = new Map<string, Leader[]>();
    for (const l of created) bySource.set(l.first.source, [...(bySource.get(l.first.source) ?? []), l]);
    await Promise.all(
      [...bySource].map(async ([source, leaders]) => {
        try {
          await this.deps.queues.get(source).addBulk(
            leaders.map(({ first: p, runId }) => ({
              name: p.jobName,
              data: { runId, params: p.params, ...p.jobConnection },
              opts: { ...this.deps.queues.catalog.job(source, p.jobName)?.options, jobId: runId },
            })),
          );
        } catch (err) {
          const error = new QueueUnavailableError(`could not enqueue the run: ${(err as Error).message}`);
          for (const l of leaders) failed.set(l.runId, error);
        }
      }),
    );
    if (failed.size > 0)
      await this.deps.pool.query('DELETE FROM sync_runs WHERE id = ANY($1::uuid[])', [[...failed.keys()]]).catch(() => {});
    return failed;
  }
}
