import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { fail, MESSAGES } from './envelope';

export const rateLimitSchema = z.object({
  enabled: z.boolean().default(false),
  perSecond: z.number().int().min(1).default(5),
  perMinute: z.number().int().min(1).default(200),
  /** Whom a limit counts: the client IP (as the docs say) or the Authorization header. */
  by: z.enum(['ip', 'token']).default('ip'),
  /** Send Retry-After (seconds) with 429; the real header is unknown. */
  retryAfter: z.boolean().default(true),
});
export type RateLimitSettings = z.infer<typeof rateLimitSchema>;

/**
 * §2.6: 5 requests a second and 200 a minute per client, as sliding windows. Off by default for
 * speed; `POST /yclients/_control/rate-limit` switches it. Rejected requests do not count.
 */
export class RateLimiter {
  settings: RateLimitSettings = rateLimitSchema.parse({});
  private hits = new Map<string, number[]>();

  configure(input: unknown): RateLimitSettings {
    this.settings = rateLimitSchema.parse({ ...this.settings, ...(input as object) });
    this.hits.clear();
    return this.settings;
  }

  reset(): void {
    this.settings = rateLimitSchema.parse({});
    this.hits.clear();
  }

  /** Seconds until a request from `key` would be let through; 0 = now (and it is counted). */
  take(key: string, now = Date.now()): number {
    const list = (this.hits.get(key) ?? []).filter((t) => now - t < 60_000);
    this.hits.set(key, list);
    const { perSecond, perMinute } = this.settings;
    const lastSecond = list.filter((t) => now - t < 1000);
    let waitMs = 0;
    if (lastSecond.length >= perSecond) waitMs = Math.max(waitMs, lastSecond[lastSecond.length - perSecond]! + 1000 - now);
    if (list.length >= perMinute) waitMs = Math.max(waitMs, list[list.length - perMinute]! + 60_000 - now);
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    list.push(now);
    return 0;
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (!this.settings.enabled) return next();
      const key = this.settings.by === 'ip' ? (req.ip ?? 'unknown') : (req.header('authorization') ?? 'anonymous');
      const wait = this.take(key);
      if (wait === 0) return next();
      if (this.settings.retryAfter) res.setHeader('Retry-After', String(wait));
      fail(res, 429, MESSAGES.rateLimited);
    };
  }
}
