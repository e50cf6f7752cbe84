import { z } from 'zod';
import { firstIssue, idText, type PushMessage } from './message';

/**
 * Ozon push notifications (docs.ozon.ru/api/seller #tag/push_types; README "Push notifications"):
 * every message has `message_type`; the shipment ones carry `posting_number` and `seller_id`.
 */
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/, 'must be a number')]);
const time = z.string().max(64);
const product = z.object({ sku: id, quantity: z.number().int().min(0) });
const common = {
  posting_number: z.string().min(1).max(100),
  seller_id: id,
  warehouse_id: id.optional(),
};

const schemas: Record<string, z.ZodType<{ posting_number: string; seller_id: number | string } & Record<string, unknown>>> = {
  TYPE_NEW_POSTING: z.looseObject({
    ...common,
    products: z.array(product).min(1).max(1000),
    // Ozon: may be empty when the order was paid late.
    in_process_at: time.nullable().optional(),
  }),
  TYPE_POSTING_CANCELLED: z.looseObject({
    ...common,
    products: z.array(product).max(1000).optional(),
    old_state: z.string().max(100).optional(),
    new_state: z.string().min(1).max(100),
    changed_state_date: time,
  }),
  TYPE_STATE_CHANGED: z.looseObject({ ...common, new_state: z.string().min(1).max(100), changed_state_date: time }),
  // Dates only, no stock moves; stored and polled all the same (the poll is what the ledger trusts).
  TYPE_CUTOFF_DATE_CHANGED: z.looseObject({ ...common, new_cutoff_date: time.nullable().optional() }),
  TYPE_DELIVERY_DATE_CHANGED: z.looseObject({
    ...common,
    new_delivery_date_begin: time.nullable().optional(),
    new_delivery_date_end: time.nullable().optional(),
  }),
};

const envelope = z.looseObject({ message_type: z.string().min(1).max(100), seller_id: id.optional() });

/** Reads a parsed Ozon push body. */
export function readOzonMessage(body: unknown): PushMessage {
  const head = envelope.safeParse(body);
  if (!head.success) return { kind: 'malformed', message: firstIssue(head.error) };
  const type = head.data.message_type;
  if (type === 'TYPE_PING') return { kind: 'ping' };
  const schema = schemas[type];
  if (!schema)
    return { kind: 'other', messageType: type, sellerId: head.data.seller_id === undefined ? undefined : idText(head.data.seller_id) };
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { kind: 'malformed', message: firstIssue(parsed.error) };
  const m = parsed.data as Record<string, unknown> & { posting_number: string; seller_id: number | string };
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const byType: Record<string, { state: string | null; eventAt: string | null }> = {
    TYPE_NEW_POSTING: { state: 'new', eventAt: text(m.in_process_at) },
    TYPE_POSTING_CANCELLED: { state: text(m.new_state), eventAt: text(m.changed_state_date) },
    TYPE_STATE_CHANGED: { state: text(m.new_state), eventAt: text(m.changed_state_date) },
    TYPE_CUTOFF_DATE_CHANGED: { state: `cutoff ${text(m.new_cutoff_date) ?? ''}`, eventAt: text(m.new_cutoff_date) },
    TYPE_DELIVERY_DATE_CHANGED: {
      state: `delivery ${text(m.new_delivery_date_begin) ?? ''}..${text(m.new_delivery_date_end) ?? ''}`,
      eventAt: text(m.new_delivery_date_begin),
    },
  };
  const { state, eventAt } = byType[type]!;
  return {
    kind: 'event',
    messageType: type,
    sellerId: idText(m.seller_id),
    orderId: m.posting_number,
    state,
    eventAt,
    reads: 'order',
  };
}
