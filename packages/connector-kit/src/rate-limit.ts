import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimit {
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

/** Spacing margin: upstreams count in sliding windows and requests arrive with jitter. */
const SPACING_MARGIN = 1.1;

/**
 * A per-upstream request budget, shared by every worker process through Redis (in memory when no
 * Redis is given). `acquire()` waits until one more request fits in every window.
 *
 * The shared windows are fixed (they restart every `durationSeconds`), so on their own they let
 * twice the per-second budget through around a window edge, which an upstream counting a sliding
 * second answers with 429. So each process also spaces its requests evenly by the tightest
 * per-second limit (plus 10%: requests bunch up on their way under load): 5 req/s becomes one request
 * every 220 ms, about 4.55 req/s.
 */
export class UpstreamRateLimiter {
  private readonly limiters: RateLimiterAbstract[];
  private readonly spacingMs: number;
  private nextSlot = 0;

  constructor(
    readonly key: string,
    limits: RateLimit[],
    options: { redis?: Redis | Cluster; prefix?: string } = {},
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
    const gaps = limits.filter((l) => l.durationSeconds <= 1).map((l) => (l.durationSeconds * 1000) / l.points);
    this.spacingMs = gaps.length > 0 ? Math.max(...gaps) * SPACING_MARGIN : 0;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.spacingMs > 0) {
      const now = Date.now();
      const at = Math.max(now, this.nextSlot);
      this.nextSlot = at + this.spacingMs;
      if (at > now) await new Promise((r) => setTimeout(r, at - now));
    }
    // Every window at once: one Redis round trip per request, not one per window, on the path of
    // every upstream request (on a busy machine each round trip is also a wait for a core). Each
    // window is still charged exactly once, whichever of them makes the request wait.
    await Promise.all(this.limiters.map((limiter) => this.take(limiter, signal)));
  }

  private async take(limiter: RateLimiterAbstract, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      try {
        await limiter.consume(this.key, 1);
        return;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        await new Promise((r) => setTimeout(r, Math.max(5, res.msBeforeNext)));
      }
    }
  }
}
