/**
 * Per-source quotas: how many schedules a source may have and how many of its runs may wait in the
 * queue. A flood of distinct requests (or thousands of schedules at the minimum interval) is refused
 * instead of filling Redis and Postgres with work nothing will reach for hours.
 */
export interface Quotas {
  /** Runs of one source in state `queued` at once (RUN_MAX_QUEUED_PER_SOURCE). */
  maxQueuedRunsPerSource: number;
}

/** A quota is full; nothing was stored. `setting` names the variable that sets it. */
export class QuotaExceededError extends Error {
  readonly code = 'quota_exceeded';
  constructor(
    message: string,
    readonly setting: string,
    readonly limit: number,
  ) {
    super(message);
    this.name = 'QuotaExceededError';
  }
}

/**
 * A transaction-scoped advisory lock on one quota of one source, so two gateways counting at the same
 * moment cannot both take the last place (the count and the insert are serialised per source). Used
 * for schedules, which are created rarely; not for runs, where it would cost most of the throughput.
 */
export const quotaLockSql = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;
