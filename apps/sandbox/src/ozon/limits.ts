import { RateLimitSettings, SlidingWindow } from '../rate-limits';

/**
 * Ozon's rate limits: 50 requests a second per Client-Id, 80 stock pushes a minute, one update of a
 * (product, warehouse) pair per 30 s, the v1 warehouse list once a minute. Sliding windows.
 */
export class OzonLimits {
  readonly window = new SlidingWindow();
  readonly settings = new RateLimitSettings(
    {
      global: { limit: 50, windowMs: 1000 },
      'stocks-push': { limit: 80, windowMs: 60_000 },
      'stock-pair': { limit: 1, windowMs: 30_000 },
      'warehouse-list-v1': { limit: 1, windowMs: 60_000 },
    },
    {},
    () => this.window.clear(),
  );
}
