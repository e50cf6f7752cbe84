import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimit {
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

/**
 * A per-upstream request budget, shared by every worker process through Redis (in memory when no
 * Redis is given). `acquire()` waits until one more request fits in every window.
 */
export class UpstreamRateLimiter {
  private readonly limiters: RateLimiterAbstract[];

  constructor(
    readonly key: string,
    limits: RateLimit[],
    options: { redis?: Redis; prefix?: string } = {},
  ) {
    this.limiters = limits.map((l, i) =>
      options.redis
        ? new RateLimiterRedis({
            storeClient: options.redis,
            keyPrefix: `${options.prefix ?? 'datasync'}:rl:${i}`,
            points: l.points,
            duration: l.durationSeconds,
          })
        : new RateLimiterMemory({ keyPrefix: `rl:${i}`, points: l.points, duration: l.durationSeconds }),
    );
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (const limiter of this.limiters) {
      for (;;) {
        signal?.throwIfAborted();
        try {
          await limiter.consume(this.key, 1);
          break;
        } catch (res) {
          if (!(res instanceof RateLimiterRes)) throw res;
          await new Promise((r) => setTimeout(r, Math.max(5, res.msBeforeNext)));
        }
      }
    }
  }
}
