import type { z } from 'zod';

/** What a push says, once read: the receiver's one view of an Ozon message or a YM notification. */
export type PushMessage =
  /** A connection check (Ozon TYPE_PING, YM PING): answered, not stored. */
  | { kind: 'ping' }
  /** A type that moves no stock (chats, reviews, products): acknowledged, not stored. */
  | { kind: 'other'; messageType: string; sellerId?: string }
  | {
      kind: 'event';
      messageType: string;
      /** Ozon seller_id, YM campaignId: must be the connection's. */
      sellerId: string;
      /** Ozon posting number, YM order id. */
      orderId: string;
      /** The order's (or return's) new state as the push says it; part of the dedup key. */
      state: string | null;
      /** The event's own time as sent; part of the dedup key. */
      eventAt: string | null;
      /** What the targeted poll reads again. */
      reads: 'order' | 'returns';
    }
  | { kind: 'malformed'; message: string };

/** The first problem of a failed parse, naming the field (`products.0.sku: expected number`). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid message';
  const field = issue.path.length ? issue.path.join('.') : '(body)';
  return `${field}: ${issue.message}`;
}

/** Ozon and YM send int64 ids as JSON numbers; a numeric string is taken too. */
export const idText = (v: number | string): string => String(v);
