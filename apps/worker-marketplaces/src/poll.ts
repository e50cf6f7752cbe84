import { z } from 'zod';
import type { Marketplace } from '@datasync/queues';
import { readStreamState, saveStreamState, type RunContext, type StreamKey } from '@datasync/runs';
import { applyOrders, applyReturns, loadResolver, type ApplyResult } from '@datasync/stock-ledger';
import type { Connector, OrdersPage, ReturnsPage } from './connectors/types';

export type PollKind = 'orders' | 'returns';

export interface PollSettings {
  overlapMs: number;
  firstPollDays: number;
}

/** A poll's stream state (`stream_state`, source `marketplaces`, stream = kind, scope = marketplace). */
const savedCursor = z.object({
  /** When the poll that saved it started: the next one asks from here minus the overlap. */
  since: z.string(),
  /** The connector's own position, if it keeps one between polls (none does now: each re-reads by date). */
  position: z.unknown().optional(),
});
type SavedCursor = z.infer<typeof savedCursor>;

/** Per marketplace and connection (seller cabinet): two cabinets never share a cursor. */
const cursorKey = (marketplace: Marketplace, kind: PollKind, connectionId: string): StreamKey => ({
  source: 'marketplaces',
  stream: kind,
  scope: marketplace,
  connectionId,
});

/**
 * One poll of one kind: asks the marketplace for what changed since the saved cursor (minus an
 * overlap), and writes each page (orders or returns, ledger movements, and, with the last page,
 * the new cursor) in one transaction with the run's checkpoint. Returns the products whose stock moved.
 */
export async function pollKind(
  ctx: RunContext<unknown>,
  connector: Connector,
  kind: PollKind,
  settings: PollSettings,
  /** Filled with when the first page that moved stock was written (the order "seen" by the poll). */
  seen: { at?: Date } = {},
): Promise<Set<number>> {
  const marketplace = connector.marketplace;
  const connectionId = ctx.connection.id;
  const startedAt = new Date();
  const saved = await readStreamState(ctx.pool, cursorKey(marketplace, kind, connectionId), savedCursor);
  const baseline = saved === undefined;
  const since = baseline
    ? new Date(startedAt.getTime() - settings.firstPollDays * 86_400_000)
    : new Date(Date.parse(saved.since) - settings.overlapMs);
  const resolve = await loadResolver(ctx.pool, marketplace, connectionId);
  const changed = new Set<number>();
  ctx.log.debug({ marketplace, kind, since: since.toISOString(), baseline }, 'poll started');

  let pages: AsyncGenerator<OrdersPage | ReturnsPage>;
  if (kind === 'orders') {
    const { rows: open } = await ctx.pool.query<{ orderId: string; marketplaceSku: string; createdAt: Date | null }>(
      `SELECT o.order_id AS "orderId", i.marketplace_sku AS "marketplaceSku", o.created_at AS "createdAt" FROM marketplace_orders o
       JOIN marketplace_order_items i ON i.marketplace = o.marketplace AND i.order_id = o.order_id AND i.connection_id = o.connection_id
       WHERE o.marketplace = $1 AND o.connection_id = $2 AND o.stage = 'reserved'`,
      [marketplace, connectionId],
    );
    const created = open.map((o) => o.createdAt?.getTime()).filter((t): t is number => t !== undefined);
    const oldestOpen = created.length > 0 ? new Date(Math.min(...created)) : null;
    pages = connector.orders({
      cursor: saved?.position,
      since,
      open: open.map(({ orderId, marketplaceSku }) => ({ orderId, marketplaceSku })),
      oldestOpen,
    });
  } else {
    pages = connector.returns({ cursor: saved?.position, since });
  }

  for await (const page of pages) {
    const isOrders = 'orders' in page;
    const size = isOrders ? page.orders.length : page.returns.length;
    const next: SavedCursor | undefined = page.cursor === undefined ? undefined : { since: startedAt.toISOString(), position: page.cursor };
    const result = await ctx.commitPage(
      async (tx): Promise<ApplyResult> => {
        const applied = isOrders
          ? await applyOrders(tx, marketplace, page.orders, resolve, { baseline, runId: ctx.runId, connectionId })
          : await applyReturns(tx, marketplace, page.returns, resolve, { baseline, runId: ctx.runId, connectionId });
        if (next) await saveStreamState(tx, cursorKey(marketplace, kind, connectionId), next);
        return applied;
      },
      (applied) => ({
        checkpoint: { marketplace, kind, cursor: next ?? saved ?? null },
        progress: { [`${marketplace}.${kind}`]: next ? 'done' : 'paging' },
        added: {
          [`${marketplace}.${kind}`]: size,
          movements: applied.movements,
          ...(applied.unmapped ? { unmapped: applied.unmapped } : {}),
        },
      }),
    );
    for (const id of result.changed) changed.add(id);
    if (result.changed.length > 0) seen.at ??= new Date();
  }
  return changed;
}

/**
 * When the connection's last full orders poll of `marketplace` started (its saved cursor), or
 * undefined before the first: what the reconciliation interval counts from.
 */
export async function lastFullPoll(
  ctx: Pick<RunContext<unknown>, 'pool'> & { connection: { id: string } },
  marketplace: Marketplace,
): Promise<Date | undefined> {
  const saved = await readStreamState(ctx.pool, cursorKey(marketplace, 'orders', ctx.connection.id), savedCursor);
  return saved ? new Date(saved.since) : undefined;
}
