import type { Marketplace } from '@datasync/queues';
import { releaseDedup, type RunContext } from '@datasync/runs';
import { applyOrders, loadResolver } from '@datasync/stock-ledger';
import type { Connector } from './connectors/types';
import { pollKind, type PollSettings } from './poll';

/** Events read per round; a burst larger than this is taken in several rounds of the same run. */
const ROUND = 200;

interface PendingEvent {
  id: string;
  orderId: string;
  messageType: string;
  receivedAt: Date;
}

const RETURN_TYPES = new Set(['ORDER_RETURN_CREATED', 'ORDER_RETURN_STATUS_UPDATED']);

/**
 * The targeted poll after pushes (`marketplaces.pushed`): the connection's events not polled yet
 * are read in rounds until none is left (pushes arriving while it runs ride along: their submit is
 * deduplicated onto this run, until it releases the dedup before its last look); each round reads the orders they name with the marketplace's
 * get-one method and writes them through the same `applyOrders` as the full poll, in one
 * transaction with the events marked polled, so the ledger's event keys make any repeat harmless.
 * A return event polls returns the usual way. Answers the products whose stock moved and when the
 * earliest of their events was received.
 */
export async function pollPushed(
  ctx: RunContext<unknown>,
  connector: Connector,
  settings: PollSettings,
): Promise<{ changed: Set<number>; seenAt?: Date; events: number }> {
  const marketplace: Marketplace = connector.marketplace;
  const connectionId = ctx.connection.id;
  const changed = new Set<number>();
  let seenAt: Date | undefined;
  let events = 0;
  let returns = false;
  let released = false;
  for (;;) {
    const { rows } = await ctx.pool.query<PendingEvent>(
      `SELECT id::text, order_id AS "orderId", message_type AS "messageType", received_at AS "receivedAt"
       FROM marketplace_push_events WHERE connection_id = $1 AND marketplace = $2 AND polled_at IS NULL ORDER BY id LIMIT ${ROUND}`,
      [connectionId, marketplace],
    );
    if (rows.length === 0) {
      // Pushes that came while this run was queued or running rode along (their submit was
      // deduplicated onto it): release the dedup, then look once more (releaseDedup says why).
      if (released) break;
      await releaseDedup(ctx.pool, ctx.runId);
      released = true;
      continue;
    }
    events += rows.length;
    const orderIds = [...new Set(rows.filter((r) => !RETURN_TYPES.has(r.messageType)).map((r) => r.orderId))];
    returns ||= rows.some((r) => RETURN_TYPES.has(r.messageType));
    const snapshots = orderIds.length > 0 && connector.ordersByIds ? await connector.ordersByIds(orderIds) : [];
    const resolve = await loadResolver(ctx.pool, marketplace, connectionId);
    const applied = await ctx.commitPage(
      async (tx) => {
        const result = await applyOrders(tx, marketplace, snapshots, resolve, { baseline: false, runId: ctx.runId, connectionId });
        await tx.query('UPDATE marketplace_push_events SET polled_at = now(), poll_run_id = $2 WHERE id = ANY($1::bigint[])', [
          rows.map((r) => r.id),
          ctx.runId,
        ]);
        return result;
      },
      (result) => ({
        checkpoint: null,
        progress: { [`${marketplace}.pushed`]: 'reading' },
        added: { [`${marketplace}.pushed`]: rows.length, [`${marketplace}.orders`]: snapshots.length, movements: result.movements },
      }),
    );
    if (applied.changed.length > 0) {
      for (const p of applied.changed) changed.add(p);
      const earliest = new Date(Math.min(...rows.map((r) => r.receivedAt.getTime())));
      if (!seenAt || earliest < seenAt) seenAt = earliest;
    }
  }
  if (returns) {
    const moved = await pollKind(ctx, connector, 'returns', settings);
    for (const p of moved) changed.add(p);
  }
  return { changed, seenAt, events };
}
