import { isConnectionId, peekConnection, readPushSecret, samePushSecret } from '@datasync/connections';
import { keyRingOf, type GatewayDeps, type RouteInput, type RouteResult } from '@datasync/api-kit';
import { submitRun } from '@datasync/runs';
import { ipAllowed } from './allow-list';
import type { PushDialect, Refusal } from './dialects';

/** Bodies above this are refused unread (Ozon's and YM's order messages are a few KiB). */
export const PUSH_BODY_LIMIT = 256 * 1024;

/**
 * One push from a marketplace: authenticated by the connection's push secret (in the path) and its
 * optional IP allow-list, parsed, checked against the connection's seller, stored raw once under its
 * dedup key, and answered at once; a new event queues the targeted poll of its connection (one run
 * at a time: pushes arriving meanwhile ride along). A refusal is answered in the marketplace's own
 * error format, stores nothing and is logged in one line (never the path: it holds the secret).
 */
export async function receivePush(dialect: PushDialect, input: RouteInput, deps: GatewayDeps): Promise<RouteResult> {
  const now = new Date();
  const connectionId = input.params.connectionId ?? '';
  const safeId = isConnectionId(connectionId) ? connectionId : '(malformed)';
  const refuse = (status: number, refusal: Refusal, message: string): RouteResult => {
    deps.log.warn({ marketplace: dialect.marketplace, connectionId: safeId, status, reason: message, ip: input.ip }, 'push refused');
    return { status, body: dialect.error(refusal, message) };
  };
  try {
    if (input.bodyTooLarge || !input.rawBody) return refuse(413, 'too-large', `body larger than ${PUSH_BODY_LIMIT} bytes`);
    const ring = keyRingOf(deps);
    const connection = isConnectionId(connectionId)
      ? await peekConnection(deps.pool, ring, { source: 'marketplaces', connectionId })
      : undefined;
    const stored =
      connection && connection.settings.marketplace === dialect.marketplace
        ? await readPushSecret(deps.pool, ring, connectionId)
        : undefined;
    // One answer for all three: an outsider learns nothing about which connections exist.
    if (!connection || stored === undefined || !samePushSecret(input.params.secret ?? '', stored))
      return refuse(403, 'refused', 'push refused: unknown connection or wrong push secret');
    const allowList = connection.settings.pushAllowIps as string[] | undefined;
    if (!ipAllowed(input.ip, allowList)) return refuse(403, 'refused', `push refused: address ${input.ip ?? '?'} is not in pushAllowIps`);

    let body: unknown;
    try {
      body = JSON.parse(input.rawBody.toString('utf8'));
    } catch {
      return refuse(400, 'malformed', '(body): not JSON');
    }
    // PostgreSQL jsonb cannot hold a NUL character.
    if (JSON.stringify(body).includes('\\u0000')) return refuse(400, 'malformed', '(body): must not contain a NUL character');
    const message = dialect.read(body);
    if (message.kind === 'malformed') return refuse(400, 'malformed', message.message);
    if (message.kind === 'ping') return { body: dialect.ok(message, now) };
    const sellerId = message.sellerId;
    if (sellerId !== undefined && !(await dialect.sellerIs(sellerId, connection, deps.pool)))
      return refuse(403, 'refused', `push refused: seller ${sellerId} is not this connection's cabinet`);
    if (message.kind === 'other') return { body: dialect.ok(message, now) };

    const dedupKey = [
      dialect.marketplace,
      connectionId,
      message.messageType,
      message.orderId,
      message.state ?? '',
      message.eventAt ?? '',
    ].join('|');
    const { rows } = await deps.pool.query(
      `INSERT INTO marketplace_push_events (marketplace, connection_id, message_type, order_id, state, event_at, dedup_key, body, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
      [
        dialect.marketplace,
        connectionId,
        message.messageType,
        message.orderId,
        message.state,
        message.eventAt,
        dedupKey,
        JSON.stringify(body),
        now,
      ],
    );
    // A duplicate is no fault of the sender's: acknowledged, stored once, polled once.
    if (rows.length === 0) return { body: dialect.ok(message, now) };
    try {
      await submitRun(deps, 'marketplaces', 'marketplaces.pushed', { marketplace: dialect.marketplace }, { connectionId });
    } catch (err) {
      // The event is stored: the next push's run, or the reconciliation poll, reads it.
      deps.log.warn({ marketplace: dialect.marketplace, connectionId, err: (err as Error).message }, 'targeted poll not queued');
    }
    return { body: dialect.ok(message, now) };
  } catch (err) {
    deps.log.error({ marketplace: dialect.marketplace, connectionId: safeId, err: (err as Error).message }, 'push receiver failed');
    return { status: 500, body: dialect.error('internal', 'the receiver failed; send again later') };
  }
}
