import type { Cluster, Redis } from 'ioredis';

/**
 * For each key: take it for `ms` if it is free (SET NX PX), else answer how long it stays taken.
 * Answers a flat list: 0 for a key taken now, else its remaining ms.
 */
const CLAIM = `
local out = {}
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[1]) then out[i] = 0 else out[i] = math.max(1, redis.call('PTTL', KEYS[i])) end
end
return out
`;

/**
 * "At most once per `ms` per key", shared by every worker process through Redis: Ozon takes one
 * stock update per (product, warehouse) every 30 s and refuses a faster one per item, so a repeat
 * is held back here instead of being sent to collect a `TOO_MANY_REQUESTS`.
 */
export class KeyedCooldown {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly ms: number,
  ) {}

  /** Takes every free key; answers those taken now and, for the others, how long until they are free. */
  async claim(keys: string[]): Promise<{ taken: Set<string>; waitMs: Map<string, number> }> {
    const taken = new Set<string>();
    const waitMs = new Map<string, number>();
    if (keys.length === 0) return { taken, waitMs };
    const out = (await this.redis.eval(CLAIM, keys.length, ...keys.map((k) => `${this.prefix}:cd:${k}`), Math.ceil(this.ms))) as number[];
    keys.forEach((k, i) => (out[i] === 0 ? taken.add(k) : waitMs.set(k, Number(out[i]))));
    return { taken, waitMs };
  }
}
