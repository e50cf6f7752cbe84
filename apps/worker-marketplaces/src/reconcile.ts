import type { Marketplace } from '@datasync/queues';
import type { RunContext } from '@datasync/runs';
import { lastFullPoll } from './poll';

/**
 * A scheduled poll of a connection that receives pushes (it has a push secret), within the
 * reconciliation interval of its last full poll: nothing to read, the pushes bring the orders.
 */
export async function reconciledRecently(
  ctx: Pick<RunContext<unknown>, 'pool' | 'runId'> & { connection: { id: string } },
  marketplace: Marketplace,
  reconcileMs: number,
): Promise<boolean> {
  if (reconcileMs <= 0 || marketplace === 'wb') return false;
  const { rows } = await ctx.pool.query<{ scheduled: boolean; pushing: boolean }>(
    `SELECT r.schedule_id IS NOT NULL AS scheduled,
            EXISTS (SELECT 1 FROM connection_push_secrets s WHERE s.connection_id = $2) AS pushing
     FROM sync_runs r WHERE r.id = $1`,
    [ctx.runId, ctx.connection.id],
  );
  if (!rows[0]?.scheduled || !rows[0].pushing) return false;
  const last = await lastFullPoll(ctx, marketplace);
  return last !== undefined && Date.now() - last.getTime() < reconcileMs;
}
