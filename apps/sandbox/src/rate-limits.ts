import type { Request, Response, Router } from 'express';
import { z } from 'zod';

/**
 * Per-endpoint rate limits of the marketplace fakes: on by default with the documented values, as
 * the real APIs enforce them, so our own tests catch a client that exceeds them. A test about
 * something else may switch them off or change them, saying why, through
 * `POST /<prefix>/_control/rate-limits`.
 */
export interface LimitRule {
  /** Requests (or points, e.g. SKUs) allowed per window; for a token bucket, refills per window. */
  limit: number;
  windowMs: number;
  /** Token bucket only: capacity (WB "burst"). */
  burst?: number;
}

export interface Taken {
  ok: boolean;
  remaining: number;
  /** When the oldest counted hit leaves the window (sliding) or the bucket is full again (bucket). */
  resetAt: number;
  /** When a retry can succeed. */
  retryAt: number;
}

/** Counts cost within a sliding window, per key (e.g. Client-Id + method). */
export class SlidingWindow {
  private hits = new Map<string, { at: number; cost: number }[]>();

  take(key: string, rule: LimitRule, cost = 1, now = Date.now()): Taken {
    const list = (this.hits.get(key) ?? []).filter((h) => now - h.at < rule.windowMs);
    this.hits.set(key, list);
    const used = list.reduce((s, h) => s + h.cost, 0);
    const resetAt = (list[0]?.at ?? now) + rule.windowMs;
    if (used + cost > rule.limit) return { ok: false, remaining: Math.max(0, rule.limit - used), resetAt, retryAt: resetAt };
    list.push({ at: now, cost });
    return { ok: true, remaining: rule.limit - used - cost, resetAt, retryAt: now };
  }

  clear(): void {
    this.hits.clear();
  }
}

/** A token bucket per key: `burst` capacity, refilled at `limit` tokens per `windowMs` (WB's model). */
export class TokenBucket {
  private buckets = new Map<string, { tokens: number; at: number }>();

  private fill(key: string, rule: LimitRule, now: number) {
    const capacity = rule.burst ?? rule.limit;
    const rate = rule.limit / rule.windowMs;
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(key, b);
    return { b, capacity, rate };
  }

  take(key: string, rule: LimitRule, cost = 1, now = Date.now()): Taken {
    const { b, capacity, rate } = this.fill(key, rule, now);
    const ok = b.tokens >= cost;
    if (ok) b.tokens -= cost;
    const retryAt = ok ? now : now + Math.ceil((cost - b.tokens) / rate);
    return { ok, remaining: Math.floor(b.tokens), resetAt: now + Math.ceil((capacity - b.tokens) / rate), retryAt };
  }

  /** Extra cost after the fact (WB charges a 4xx as 10 requests); may drive the bucket below zero. */
  charge(key: string, rule: LimitRule, cost: number, now = Date.now()): void {
    this.fill(key, rule, now).b.tokens -= cost;
  }

  clear(): void {
    this.buckets.clear();
  }
}

const ruleUpdate = z.object({
  limit: z.number().int().min(1).optional(),
  windowMs: z.number().int().min(1).optional(),
  burst: z.number().int().min(1).optional(),
});
const settingsUpdate = z.object({
  enabled: z.boolean().optional(),
  rules: z.record(z.string(), ruleUpdate).optional(),
  options: z.record(z.string(), z.number().int().min(0)).optional(),
});

/** What a fake's rate limiting does right now; `options` hold fake-specific knobs (YM `parallel`). */
export class RateLimitSettings {
  enabled = false;
  rules: Record<string, LimitRule> = {};
  options: Record<string, number> = {};

  constructor(
    private readonly defaults: Record<string, LimitRule>,
    private readonly defaultOptions: Record<string, number> = {},
    private readonly onChange: () => void = () => {},
  ) {
    this.reset();
  }

  rule(name: string): LimitRule {
    const rule = this.rules[name];
    if (!rule) throw new Error(`no rate-limit rule ${name}`);
    return rule;
  }

  reset(): void {
    this.enabled = true;
    this.rules = Object.fromEntries(Object.entries(this.defaults).map(([k, v]) => [k, { ...v }]));
    this.options = { ...this.defaultOptions };
    this.onChange();
  }

  snapshot() {
    return { enabled: this.enabled, rules: this.rules, options: this.options };
  }

  /**
   * `GET|POST <path>`: read or change the settings. POST body
   * `{enabled?: boolean, rules?: {<name>: {limit?, windowMs?, burst?}}, options?: {<name>: number}}`;
   * counters restart on every change.
   */
  mount(router: Router, path = '/_control/rate-limits'): void {
    router.get(path, (_req: Request, res: Response) => {
      res.json(this.snapshot());
    });
    router.post(path, (req: Request, res: Response) => {
      const body = settingsUpdate.safeParse(req.body ?? {});
      if (!body.success) {
        res.status(400).json({ error: 'invalid rate-limit settings', issues: body.error.issues });
        return;
      }
      const unknown = [
        ...Object.keys(body.data.rules ?? {}).filter((k) => !this.rules[k]),
        ...Object.keys(body.data.options ?? {}).filter((k) => !(k in this.options)),
      ];
      if (unknown.length > 0) {
        res.status(400).json({ error: `unknown rule or option: ${unknown.join(', ')}`, known: this.snapshot() });
        return;
      }
      if (body.data.enabled !== undefined) this.enabled = body.data.enabled;
      for (const [k, v] of Object.entries(body.data.rules ?? {})) {
        const rule = this.rule(k);
        this.rules[k] = {
          ...rule,
          ...(v.limit !== undefined && { limit: v.limit }),
          ...(v.windowMs !== undefined && { windowMs: v.windowMs }),
          ...(v.burst !== undefined && { burst: v.burst }),
        };
      }
      Object.assign(this.options, body.data.options ?? {});
      this.onChange();
      res.json(this.snapshot());
    });
  }
}
