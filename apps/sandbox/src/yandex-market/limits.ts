import type { Response } from 'express';
import { RateLimitSettings, SlidingWindow } from '../rate-limits';
import { fail } from './envelope';

/** Resource limits (2026 spec): requests, or SKUs for the stock push, per window. */
const RESOURCES = {
  campaigns: { limit: 1000, windowMs: 3600_000 },
  'orders-v2': { limit: 10_000, windowMs: 3600_000 },
  'orders-v1': { limit: 10_000, windowMs: 3600_000 },
  returns: { limit: 5000, windowMs: 3600_000 },
  'stocks-push': { limit: 100_000, windowMs: 60_000 },
  'stocks-push-v3': { limit: 50, windowMs: 60_000 },
  'stocks-read': { limit: 100_000, windowMs: 60_000 },
  // 100 a minute on the base tier (600 on higher ones; official OpenAPI x-resource-limit-config).
  'offer-mappings': { limit: 100, windowMs: 60_000 },
  warehouses: { limit: 100, windowMs: 3600_000 },
  // GET /v2/warehouses (Market's fulfilment warehouses): 100 an hour (official OpenAPI x-resource-limit-config).
  'fulfillment-warehouses': { limit: 100, windowMs: 3600_000 },
};
type Resource = keyof typeof RESOURCES;

/**
 * Yandex Market's rate limits: a sliding window per resource and campaign (or business), and a cap
 * on parallel requests per principal (`parallel`); `latencyMs` slows every answer down.
 */
export class YmLimits {
  readonly window = new SlidingWindow();
  /** Requests being served, per principal (`api-key` or `oauth`). */
  readonly inFlight = new Map<string, number>();
  readonly settings = new RateLimitSettings(RESOURCES, { parallel: 2, latencyMs: 0 }, () => this.window.clear());

  /** Counts `cost` against a resource; answers 420 and returns false when over. */
  spend(res: Response, resource: Resource, scope: number, cost = 1): boolean {
    if (!this.settings.enabled) return true;
    const rule = this.settings.rule(resource);
    const taken = this.window.take(`${resource}:${scope}`, rule, cost);
    res.setHeader('X-RateLimit-Resource-Limit', String(rule.limit));
    res.setHeader('X-RateLimit-Resource-Remaining', String(taken.remaining));
    res.setHeader('X-RateLimit-Resource-Until', new Date(taken.resetAt).toUTCString());
    if (taken.ok) return true;
    const per = rule.windowMs >= 3600_000 ? `${rule.windowMs / 3600_000} hour` : `${Math.round(rule.windowMs / 60_000)} minute`;
    fail(
      res,
      420,
      'HIT_RATE_LIMIT',
      `Hit rate limit of ${rule.limit} ${resource === 'stocks-push' ? 'skus' : 'requests'} per ${per} for resource ${resource}`,
    );
    return false;
  }
}
