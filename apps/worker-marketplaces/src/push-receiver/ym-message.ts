import { z } from 'zod';
import { firstIssue, idText, type PushMessage } from './message';

/**
 * Yandex Market API notifications (`POST <url>/notification`, partner-api push-notifications
 * reference sendNotification; README "Push notifications"): `notificationType`, and for the order
 * ones `campaignId` and `orderId`.
 */
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/, 'must be a number')]);
const time = z.string().min(1).max(64);
const item = z.object({ offerId: z.string().min(1).max(255), count: z.number().int().min(0) });
const order = { campaignId: id, orderId: id };

type Reads = 'order' | 'returns';
const types: Record<
  string,
  { schema: z.ZodType<Record<string, unknown>>; state: (m: Record<string, unknown>) => string | null; at: string; reads: Reads }
> = {
  ORDER_CREATED: {
    schema: z.looseObject({ ...order, createdAt: time, items: z.array(item).max(1000) }),
    state: () => 'CREATED',
    at: 'createdAt',
    reads: 'order',
  },
  ORDER_CANCELLED: {
    schema: z.looseObject({ ...order, cancelledAt: time, items: z.array(item).max(1000).optional() }),
    state: () => 'CANCELLED',
    at: 'cancelledAt',
    reads: 'order',
  },
  ORDER_STATUS_UPDATED: {
    schema: z.looseObject({ ...order, status: z.string().min(1).max(100), substatus: z.string().max(100).optional(), updatedAt: time }),
    state: (m) => `${String(m.status)}/${typeof m.substatus === 'string' ? m.substatus : ''}`,
    at: 'updatedAt',
    reads: 'order',
  },
  ORDER_UPDATED: {
    schema: z.looseObject({ ...order, updatedAt: time, updateType: z.string().max(100).optional() }),
    state: (m) => (typeof m.updateType === 'string' ? m.updateType : null),
    at: 'updatedAt',
    reads: 'order',
  },
  ORDER_CANCELLATION_REQUEST: {
    schema: z.looseObject({ ...order, requestedAt: time }),
    state: () => 'CANCELLATION_REQUESTED',
    at: 'requestedAt',
    reads: 'order',
  },
  ORDER_RETURN_CREATED: {
    schema: z.looseObject({
      ...order,
      returnId: id,
      createdAt: time,
      returnType: z.string().max(100).optional(),
      items: z.array(item).max(1000).optional(),
    }),
    state: (m) => `return ${idText(m.returnId as number)} created`,
    at: 'createdAt',
    reads: 'returns',
  },
  ORDER_RETURN_STATUS_UPDATED: {
    schema: z.looseObject({ ...order, returnId: id, updatedAt: time, statuses: z.looseObject({}).optional() }),
    state: (m) => `return ${idText(m.returnId as number)} ${JSON.stringify(m.statuses ?? {})}`,
    at: 'updatedAt',
    reads: 'returns',
  },
};

/** Types the receiver acknowledges without storing (nothing of the stock ledger's). */
const OTHER = new Set([
  'GOODS_FEEDBACK_CREATED',
  'GOODS_FEEDBACK_COMMENT_CREATED',
  'CHAT_CREATED',
  'CHAT_MESSAGE_SENT',
  'CHAT_ARBITRAGE_STARTED',
  'CHAT_ARBITRAGE_FINISHED',
]);

const envelope = z.looseObject({ notificationType: z.string().min(1).max(100), campaignId: id.optional() });

/** Reads a parsed YM notification body. */
export function readYmMessage(body: unknown): PushMessage {
  const head = envelope.safeParse(body);
  if (!head.success) return { kind: 'malformed', message: firstIssue(head.error) };
  const type = head.data.notificationType;
  if (type === 'PING') return { kind: 'ping' };
  if (OTHER.has(type)) return { kind: 'other', messageType: type };
  const spec = types[type];
  // YM's WRONG_EVENT_FORMAT is "incorrect notification type".
  if (!spec) return { kind: 'malformed', message: `notificationType: unknown type ${type}` };
  const parsed = spec.schema.safeParse(body);
  if (!parsed.success) return { kind: 'malformed', message: firstIssue(parsed.error) };
  const m = parsed.data;
  return {
    kind: 'event',
    messageType: type,
    sellerId: idText(m.campaignId as number | string),
    orderId: idText(m.orderId as number | string),
    state: spec.state(m),
    eventAt: m[spec.at] as string,
    reads: spec.reads,
  };
}
