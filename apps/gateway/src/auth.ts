import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from '@datasync/logger';
import { closeIfBodyUnread } from './close-unread';
import { ApiError, errorBody } from '@datasync/api-kit';
import type { RedisWindowStore } from './rate-limit-store';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The key from `X-API-Key`, `Authorization: Bearer <key>` (what Prometheus' `authorization`
 * sends), or the password of HTTP basic auth (what a browser sends the dashboard).
 */
function presentedKey(req: Request): string | undefined {
  const header = req.header('x-api-key');
  if (header) return header;
  const bearer = /^Bearer (.+)$/i.exec(req.header('authorization') ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic (.+)$/i.exec(req.header('authorization') ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** Wrong keys counted per client (its address, IPv6 by /56 as the request limiter does). */
export interface AuthFailureLimit {
  store: RedisWindowStore;
  /** Wrong keys a client may present per window (GATEWAY_AUTH_FAILURES_PER_MINUTE). */
  limit: number;
  log: Logger;
}

/**
 * Every route but `/health` needs the key; compared in constant time. With `failures`, a client that
 * presented more than `limit` wrong keys in the window is answered 429 on every request until the
 * window ends, the right key included (else guessing on would still tell it when it hit). Asking
 * without any key (a browser before its password prompt) is a 401 that does not count. If Redis
 * cannot be reached the count is skipped rather than the gateway refusing everyone.
 */
export function requireApiKey(apiKey: string, failures?: AuthFailureLimit) {
  const expected = digest(apiKey);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.path === '/health') return next();
    const key = presentedKey(req);
    const valid = key !== undefined && timingSafeEqual(digest(key), expected);
    if (failures && (valid || key !== undefined)) {
      const client = ipKeyGenerator(req.ip ?? '', 56);
      try {
        const count = valid ? await failures.store.get(client) : await failures.store.increment(client);
        if (count && count.totalHits > failures.limit) {
          const seconds = Math.max(1, Math.ceil(((count.resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
          closeIfBodyUnread(req, res);
          res.setHeader('Retry-After', String(seconds));
          res
            .status(429)
            .json(
              errorBody(
                new ApiError(
                  429,
                  'rate_limited',
                  `Too many wrong API keys from this client (GATEWAY_AUTH_FAILURES_PER_MINUTE=${failures.limit}); try again in ${seconds} s`,
                  undefined,
                  'too many requests',
                ),
              ),
            );
          return;
        }
      } catch (err) {
        failures.log.warn({ err: (err as Error).message }, 'wrong-key count unavailable (Redis); request let through to the key check');
      }
    }
    if (valid) return next();
    closeIfBodyUnread(req, res);
    res.setHeader('WWW-Authenticate', 'Basic realm="DataSync", charset="UTF-8"');
    res
      .status(401)
      .json(
        errorBody(
          new ApiError(401, 'unauthorized', 'An API key is required (X-API-Key header or basic auth password)', undefined, 'unauthorized'),
        ),
      );
  };
}
