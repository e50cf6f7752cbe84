import type pg from 'pg';

/**
 * Lets an identical run be queued again while this one is still running: its `run_locks` row
 * (what deduplicates identical submits) is removed now instead of when it ends. For a run that
 * drains work queued for it (a marketplace's pushed events): it releases, then looks for work once
 * more, so work added before the release is found by that look and work added after it queues a
 * new run; none is left waiting for a run that has already looked.
 */
export async function releaseDedup(pool: Pick<pg.Pool, 'query'>, runId: string): Promise<void> {
  await pool.query('DELETE FROM run_locks WHERE run_id = $1', [runId]);
}
