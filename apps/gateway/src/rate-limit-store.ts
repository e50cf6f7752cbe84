import type { Cluster, Redis } from 'ioredis';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';

/** Count a hit in a fixed window: the first hit starts the window (the key's expiry), later ones add to it. */
const HIT = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then
  redis.call('SET', KEYS[1], 1, 'PX', ARGV[1])
  return {1, tonumber(ARGV[1])}
end
return {redis.call('INCR', KEYS[1]), ttl}`;

/**
 * express-rate-limit's counters in Redis, under the deployment's key prefix, so every gateway of a
 * deployment counts into the same bucket per client (an in-memory store gives each process its own,
 * and a client spread over N gateways gets N times the limit). Also the counter of wrong API keys.
 * Scripts go by EVAL (Redis caches them), so a Redis restarted empty needs no reloading step.
 */
export class RedisWindowStore implements Store {
  windowMs = 60_000;
  readonly localKeys = false;

  constructor(
    private readonly redis: Redis | Cluster,
    /** Whole key prefix, e.g. `datasync:gateway:rate:`. */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const [hits, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, String(this.windowMs))) as [number, number];
    return { totalHits: hits, resetTime: new Date(Date.now() + ttl) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [hits, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
    if (hits === null || ttl <= 0) return undefined;
    return { totalHits: Number(hits), resetTime: new Date(Date.now() + ttl) };
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
