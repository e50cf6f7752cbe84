import { createHmac, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { forbiddenLiteral, guardedLookup, WebhookRefusedError, type Resolver } from './address-guard';

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

export interface WebhookOptions {
  secret?: string;
  timeoutMs: number;
  /** NOTIFY_ALLOW_PRIVATE: deliver to loopback and private addresses too. */
  allowPrivate?: boolean;
  /** How host names are resolved (tests pass a stub); default the system's `dns.lookup`. */
  resolve?: Resolver;
}

/**
 * POSTs one signed JSON body; a non-2xx answer or no answer throws `WebhookError` (BullMQ retries
 * with backoff). A target the address guard refuses throws `WebhookRefusedError` before any
 * connection is made. Redirects are not followed (a 3xx is a failed delivery).
 */
export async function postWebhook(
  url: string,
  payload: { event: string; deliveryId: string; body: unknown },
  options: WebhookOptions,
): Promise<number> {
  const target = new URL(url);
  if (target.username || target.password)
    throw new WebhookRefusedError(`webhook to ${target.host} refused: the URL carries a user name or password`);
  if (!options.allowPrivate) {
    const range = forbiddenLiteral(target);
    if (range) throw new WebhookRefusedError(`webhook to ${target.host} refused: a ${range} address (NOTIFY_ALLOW_PRIVATE is not set)`);
  }
  const body = JSON.stringify(payload.body);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'DataSync-Webhook/1.0',
    [EVENT_HEADER]: payload.event,
    [DELIVERY_HEADER]: payload.deliveryId,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (options.secret) headers[SIGNATURE_HEADER] = signWebhook(options.secret, timestamp, body);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      headers,
      agent: false,
      lookup: guardedLookup({ allowPrivate: options.allowPrivate ?? false, resolve: options.resolve }) as never,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof WebhookRefusedError) reject(new WebhookRefusedError(`webhook to ${target.host} refused: ${err.message}`));
      else reject(new WebhookError(`webhook to ${target.host} failed (${err.code ?? err.name})`));
    });
    req.end(body);
  });
  if (status < 200 || status >= 300) throw new WebhookError(`webhook to ${target.host} answered ${status}`);
  return status;
}
