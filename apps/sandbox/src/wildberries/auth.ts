import type { NextFunction, Request, Response } from 'express';
import { WB_CATEGORY_BITS, type WbCategory, type WbTokens } from './data';
import { gateway } from './envelope';
import { groupOf, PENALISED, type WbLimits } from './limits';

/**
 * The WB gateway in front of every host: the raw token in `Authorization`, its category bit for the
 * host's `category` (any token may ping), no writes with a read-only token, then the rate limits.
 */
export const hostGuard =
  (host: string, category: WbCategory, limits: WbLimits, seller: { sellerId: string; tokens: WbTokens }) =>
  (req: Request, res: Response, next: NextFunction) => {
    const origin = `s2s-api-auth-${host}`;
    const raw = (req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
    if (raw === '') return gateway(res, 401, origin, 'empty Authorization header');
    const known = Object.values(seller.tokens).includes(raw);
    if (!known) return gateway(res, 401, origin, 'token is malformed or not recognised');
    const payload = JSON.parse(Buffer.from(raw.split('.')[1] ?? '', 'base64url').toString()) as { s: number };
    if (req.path !== '/ping' && (payload.s & (1 << WB_CATEGORY_BITS[category])) === 0) {
      return gateway(res, 401, origin, `token scope not allowed for this API route: ${category}`);
    }
    const writes = ['PUT', 'PATCH', 'DELETE'].includes(req.method);
    if (writes && (payload.s & (1 << WB_CATEGORY_BITS.readOnly)) !== 0) {
      return gateway(res, 401, origin, 'read-only token scope not allowed for this API route');
    }
    if (limits.settings.enabled) {
      const group = groupOf(host, req);
      const rule = limits.settings.rule(group);
      const key = `${seller.sellerId}:${group}`;
      const taken = limits.buckets.take(key, rule);
      if (!taken.ok) {
        const now = Date.now();
        res.setHeader('X-Ratelimit-Retry', String(Math.max(1, Math.ceil((taken.retryAt - now) / 1000))));
        res.setHeader('X-Ratelimit-Limit', String(rule.burst ?? rule.limit));
        res.setHeader('X-Ratelimit-Reset', String(Math.max(1, Math.ceil((taken.resetAt - now) / 1000))));
        return gateway(res, 429, origin, `limited by ${group}`);
      }
      res.setHeader('X-Ratelimit-Remaining', String(taken.remaining));
      if (PENALISED.has(group)) {
        // A 4xx costs 10 requests in Marketplace groups (Aug-2026 spec).
        res.on('finish', () => {
          if (res.statusCode >= 400 && res.statusCode < 500) limits.buckets.charge(key, rule, 9);
        });
      }
    }
    next();
  };
