import type { Request } from 'express';
import { RateLimitSettings, TokenBucket } from '../rate-limits';

/** Groups whose 4xx answers cost 10 requests (Marketplace groups, Aug-2026 spec). */
export const PENALISED = new Set(['warehouses', 'orders', 'stocks', 'stocks-delete', 'orders-cancel']);

/** Wildberries' rate limits: a token bucket per seller and method group. */
export class WbLimits {
  readonly buckets = new TokenBucket();
  readonly settings = new RateLimitSettings(
    {
      warehouses: { limit: 300, windowMs: 60_000, burst: 20 },
      orders: { limit: 300, windowMs: 60_000, burst: 20 },
      stocks: { limit: 300, windowMs: 60_000, burst: 20 },
      // The reference says 50/min; the Aug-2026 spec (swagger/02-items.yaml) says 10/min, interval 6 s, burst 2.
      'stocks-delete': { limit: 10, windowMs: 60_000, burst: 2 },
      'orders-cancel': { limit: 100, windowMs: 60_000, burst: 20 },
      claims: { limit: 20, windowMs: 60_000, burst: 10 },
      content: { limit: 100, windowMs: 60_000, burst: 5 },
      'goods-return': { limit: 1, windowMs: 60_000, burst: 10 },
      // FBO stock report (swagger/11-analytics.yaml, postV1StocksReportWbWarehouses): 3 a minute, interval 20 s, burst 1.
      'stocks-report': { limit: 3, windowMs: 60_000, burst: 1 },
      ping: { limit: 3, windowMs: 30_000, burst: 3 },
    },
    {},
    () => this.buckets.clear(),
  );
}

/** The limit group a request on `host` counts against. */
export const groupOf = (host: string, req: Request): string => {
  if (req.path === '/ping') return 'ping';
  if (host === 'content') return 'content';
  if (host === 'returns') return 'claims';
  if (host === 'analytics') return req.path.startsWith('/api/analytics/v1/stocks-report/') ? 'stocks-report' : 'goods-return';
  if (req.path.startsWith('/api/v3/stocks')) return req.method === 'DELETE' ? 'stocks-delete' : 'stocks';
  if (/^\/api\/v3\/orders\/\d+\/cancel$/.test(req.path)) return 'orders-cancel';
  if (req.path.startsWith('/api/v3/warehouses')) return 'warehouses';
  return 'orders';
};
