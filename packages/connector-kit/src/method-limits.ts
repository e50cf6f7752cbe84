import type { Cluster, Redis } from 'ioredis';

/**
 * One documented limit of an upstream method (or method group): at most `points` per sliding
 * `windowMs`, optionally at least `spacingMs` between two requests (WB's "interval"), and a 4xx
 * answer costing `penalty4xx` points in all (WB: "a 4XX counts as 10 requests").
 */
export interface MethodLimit {
  /** Shares one log between groups (Ozon's 50 a second over every method); default per group. */
  key?: string;
  points: number;
  windowMs: number;
  spacingMs?: number;
  penalty4xx?: number;
}

/** A method group: which requests it covers and the limits that apply to them (all must hold). */
export interface MethodGroup {
  name: string;
  /** `METHOD /path` regular expression, matched against e.g. `PUT /api/v3/stocks/658434`. */
  match: RegExp;
  limits: MethodLimit[];
  /** Points a request costs (YM counts its stock push by SKUs); 1 by default. */
  cost?: (request: LimitedRequest) => number;
}

export interface LimitedRequest {
  method: string;
  url: string;
  data?: unknown;
}

/**
 * What an HttpClient asks before each request (and tells after each answer). UpstreamRateLimiter
 * ignores the request; MethodLimiter picks the method's group by it.
 */
export interface RequestLimiter {
  acquire(signal?: AbortSignal, request?: LimitedRequest): Promise<void>;
  settle?(request: LimitedRequest, status: number): Promise<void>;
}

/**
 * Margins for the way from our claim to the upstream's clock: a request claimed at t may arrive a
 * little later than one claimed after it, so each window is held 5% longer and each spacing 10%.
 */
const WINDOW_MARGIN = 1.05;
const SPACING_MARGIN = 1.1;

/**
 * Atomic claim over several sliding-window logs (one sorted set per limit, scored by Redis' own
 * clock, members `<ms>:<seq>:<cost>`): if every limit has room for `cost` and its spacing has
 * passed, records the request in all of them and answers 0; otherwise answers how many ms to wait.
 * KEYS: per limit, its log and its "last request" key. ARGV: cost, force (1: record without
 * checking, for a penalty), then per limit points, windowMs, spacingMs.
 */
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local force = ARGV[2] == '1'
local n = #KEYS / 2
local wait = 0
if not force then
  for i = 1, n do
    local log, last = KEYS[2 * i - 1], KEYS[2 * i]
    local points, window, spacing = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
    local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
    local used = 0
    for j = 1, #entries, 2 do used = used + tonumber(string.match(entries[j], ':(%d+)$')) end
    if used + cost > points then
      local freed = 0
      for j = 1, #entries, 2 do
        freed = freed + tonumber(string.match(entries[j], ':(%d+)$'))
        if used - freed + cost <= points then
          wait = math.max(wait, tonumber(entries[j + 1]) + window - now + 1)
          break
        end
      end
    end
    if spacing > 0 then
      local prev = redis.call('GET', last)
      if prev and now < tonumber(prev) + spacing then wait = math.max(wait, tonumber(prev) + spacing - now) end
    end
  end
  if wait > 0 then return wait end
end
for i = 1, n do
  local log, last = KEYS[2 * i - 1], KEYS[2 * i]
  local window, spacing = tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local seq = redis.call('INCR', log .. ':seq')
  redis.call('PEXPIRE', log .. ':seq', window)
  redis.call('ZADD', log, now, now .. ':' .. seq .. ':' .. cost)
  redis.call('PEXPIRE', log, window)
  if spacing > 0 and not force then redis.call('SET', last, now, 'PX', spacing) end
end
return 0
`;

type Claimer = (keys: string[], args: (string | number)[]) => Promise<number>;

/**
 * Per-method request budgets shared by every worker process through Redis: each request waits
 * until every limit of its method group has room in its sliding window (a log of the last window's
 * requests, so no window edge lets a second budget through) and its spacing has passed. A 4xx
 * answer in a group with a penalty is charged the extra points afterwards.
 *
 * Why not rate-limiter-flexible's RateLimiterRedis (used for the other sources): it counts fixed
 * windows, which let a whole minute's budget out at once and twice across an edge; the marketplaces
 * document per-method sliding limits with a minimum interval, which this Lua script keeps exactly.
 */
export class MethodLimiter implements RequestLimiter {
  private readonly claim: Claimer;

  constructor(
    /** Names the account in the keys (a hash of the credentials: never the secret itself). */
    private readonly scope: string,
    private readonly groups: MethodGroup[],
    options: { redis: Redis | Cluster; prefix: string },
  ) {
    const { redis, prefix } = options;
    this.claim = async (keys, args) =>
      Number(await redis.eval(CLAIM, keys.length, ...keys.map((k) => `${prefix}:ml:${scope}:${k}`), ...args));
  }

  /** The group a request belongs to (undefined: no documented limit of its own). */
  groupOf(request: LimitedRequest): MethodGroup | undefined {
    const line = `${request.method.toUpperCase()} ${request.url.split('?')[0]}`;
    return this.groups.find((g) => g.match.test(line));
  }

  private args(group: MethodGroup, cost: number, force: boolean): [string[], (string | number)[]] {
    const keys = group.limits.flatMap((l, i) => [l.key ?? `${group.name}:${i}`, `${l.key ?? `${group.name}:${i}`}:last`]);
    const args = [
      cost,
      force ? 1 : 0,
      ...group.limits.flatMap((l) => [l.points, Math.ceil(l.windowMs * WINDOW_MARGIN), Math.ceil((l.spacingMs ?? 0) * SPACING_MARGIN)]),
    ];
    return [keys, args];
  }

  async acquire(signal?: AbortSignal, request?: LimitedRequest): Promise<void> {
    const group = request && this.groupOf(request);
    if (!group) return;
    const cost = group.cost?.(request!) ?? 1;
    const [keys, args] = this.args(group, cost, false);
    for (;;) {
      signal?.throwIfAborted();
      const wait = await this.claim(keys, args);
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, Math.max(5, Math.min(wait, 5_000))));
    }
  }

  async settle(request: LimitedRequest, status: number): Promise<void> {
    if (status < 400 || status >= 500) return;
    const group = this.groupOf(request);
    const penalty = group?.limits.reduce((m, l) => Math.max(m, l.penalty4xx ?? 0), 0) ?? 0;
    if (!group || penalty <= 1) return;
    const [keys, args] = this.args(group, penalty - 1, true);
    await this.claim(keys, args);
  }
}

/** A request body as an object (axios has already serialised it on a retry). */
export function requestBody(request: LimitedRequest): Record<string, unknown> {
  let data = request.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      return {};
    }
  }
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}
