import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-datasync-signature';
export const TIMESTAMP_HEADER = 'x-datasync-timestamp';
export const EVENT_HEADER = 'x-datasync-event';
export const DELIVERY_HEADER = 'x-datasync-delivery';

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): the timestamp is signed with the
 * body, so a captured request cannot be replayed later with a new timestamp.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body and compare in constant time,
 * refusing timestamps more than `toleranceSeconds` away from now.
 */
export function verifyWebhook(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  body: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(ts) || Math.abs(now / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class WebhookError extends Error {}

/** POSTs one signed JSON body; a non-2xx answer or no answer throws (BullMQ retries with backoff). */
export async function postWebhook(
  url: string,
  payload: { event: string; deliveryId: string; body: unknown },
  options: { secret?: string; timeoutMs: number },
): Promise<number> {
  const body = JSON.stringify(payload.body);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'DataSync-Webhook/1.0',
    [EVENT_HEADER]: payload.event,
    [DELIVERY_HEADER]: payload.deliveryId,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (options.secret) headers[SIGNATURE_HEADER] = signWebhook(options.secret, timestamp, body);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new WebhookError(`webhook to ${new URL(url).host} failed (${cause})`);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new WebhookError(`webhook to ${new URL(url).host} answered ${res.status}`);
  return res.status;
}
