import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { Random } from './random';
import type { AccountRegistry } from './accounts';

/**
 * Fault injection shared by every fake. A rule matches requests by path prefix (and method) and
 * does one thing to them. Rules come from SANDBOX_FAULTS at start-up, from `POST /_control/faults`
 * while running, or for one request from an `X-Sandbox-Fault` header holding one rule as JSON.
 */
export const faultRuleSchema = z.object({
  /** Matches when the request path (with the fake's prefix, e.g. `/<prefix>/api/items`) starts with it. */
  path: z.string().default('/'),
  method: z.string().toUpperCase().optional(),
  /** Acts only on requests carrying this sandbox account's credentials (`a`, `b`): a 429 storm on one account. */
  account: z.string().min(1).optional(),
  kind: z.enum([
    'status', // answer `status` with `body`/`headers`/`retryAfter` (or a preset's)
    'delay', // add `delayMs` of latency, then answer normally
    'timeout', // never answer (until the client gives up)
    'reset', // destroy the connection without an answer
    'truncate', // answer normally but cut the body in half
    'invalid-json', // answer 200 with a body that is not JSON
    'empty', // answer the page with no items (fakes that page honour it)
    'corrupt', // answer normally, but break `count` items of the page: `field` removed, or set to `value`
  ]),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Seconds, or an HTTP date, for the Retry-After header. */
  retryAfter: z.union([z.number(), z.string()]).optional(),
  /** A named answer a fake registered (`<fake>.<answer>`, e.g. `<fake>.rate-limit`). */
  preset: z.string().optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** corrupt: the dot path inside an item (default `id`; `value.id` for items wrapped in `value`). */
  field: z.string().min(1).default('id'),
  /** corrupt: the value to put there (JSON, any type); absent: the field is removed. */
  value: z.unknown().optional(),
  /** corrupt: how many items of the page (from the middle). */
  count: z.number().int().min(1).default(1),
  /** Let this many matching requests through before the rule starts to act. */
  skip: z.number().int().min(0).default(0),
  /** Act on this many requests, then retire. Unset: forever. */
  times: z.number().int().min(1).optional(),
  /** Act on every n-th matching request only. */
  every: z.number().int().min(1).optional(),
  /** Act on this share of matching requests (seeded, so runs repeat). */
  probability: z.number().min(0).max(1).optional(),
});
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema>;

export interface FaultPreset {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

interface ActiveRule extends FaultRule {
  id: number;
  seen: number;
  applied: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  /** How many requests each rule acted on, retired rules included (until `clear`): proof a fault happened. */
  private readonly injectedById = new Map<number, number>();
  private nextId = 1;
  private readonly presets = new Map<string, FaultPreset>();
  private readonly random: Random;

  constructor(
    seed: number,
    private readonly registry?: AccountRegistry,
  ) {
    this.random = new Random(seed ^ 0x5eed);
  }

  registerPreset(name: string, preset: FaultPreset): void {
    this.presets.set(name, preset);
  }

  add(input: FaultRuleInput): number {
    const rule = faultRuleSchema.parse(input);
    if (rule.preset && !this.presets.has(rule.preset)) throw new Error(`unknown preset ${rule.preset}`);
    const id = this.nextId++;
    this.rules.push({ ...rule, id, seen: 0, applied: 0 });
    this.injectedById.set(id, 0);
    return id;
  }

  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Rule id → requests it acted on, for rules still active and rules that retired after `times`. */
  injected(): Record<number, number> {
    return Object.fromEntries(this.injectedById);
  }

  clear(): void {
    this.rules = [];
    this.injectedById.clear();
  }

  /** Picks the rule that acts on this request, if any, and counts it. */
  private pick(req: Request): FaultRule | undefined {
    const method = req.method;
    const path = req.originalUrl.split('?')[0] ?? '/';
    let account: string | undefined | null = null; // resolved lazily: only rules naming an account need it
    for (const rule of this.rules) {
      if (!path.startsWith(rule.path)) continue;
      if (rule.method && rule.method !== method) continue;
      if (rule.account !== undefined) {
        if (account === null) account = this.registry?.of(req);
        if (account !== rule.account) continue;
      }
      rule.seen += 1;
      if (rule.seen <= rule.skip) continue;
      if (rule.every && (rule.seen - rule.skip) % rule.every !== 0) continue;
      if (rule.probability !== undefined && this.random.next() >= rule.probability) continue;
      rule.applied += 1;
      this.injectedById.set(rule.id, rule.applied);
      if (rule.times !== undefined && rule.applied >= rule.times) {
        this.rules = this.rules.filter((r) => r !== rule);
      }
      return rule;
    }
    return undefined;
  }

  middleware() {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (req.path.includes('/_control')) return next();
      let rule: FaultRule | undefined;
      const header = req.header('x-sandbox-fault');
      if (header) {
        try {
          rule = faultRuleSchema.parse(JSON.parse(header));
        } catch {
          res.status(400).json({ error: 'X-Sandbox-Fault must hold one fault rule as JSON' });
          return;
        }
      } else {
        rule = this.pick(req);
      }
      if (!rule) return next();
      await this.apply(rule, req, res, next);
    };
  }

  private async apply(rule: FaultRule, req: Request, res: Response, next: NextFunction): Promise<void> {
    switch (rule.kind) {
      case 'delay':
        await sleep(rule.delayMs ?? 1000);
        return next();
      case 'timeout':
        // Hold the request open; answer late if the client is still there.
        await sleep(rule.delayMs ?? 120_000);
        if (!res.headersSent && !req.socket.destroyed) res.status(504).json({ error: 'sandbox timeout' });
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'invalid-json':
        res.status(200).type('application/json').send('{"status": "ok", "result": {"items": [');
        return;
      case 'truncate': {
        const send = res.send.bind(res);
        res.send = (body?: unknown) => {
          const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString() : JSON.stringify(body);
          return send(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        };
        return next();
      }
      case 'empty':
        res.locals.sandboxEmptyPage = true;
        return next();
      case 'corrupt': {
        // res.json ends in res.send with the JSON text, as do fakes that send JSON text themselves.
        const send = res.send.bind(res);
        res.send = (body?: unknown) => {
          if (typeof body !== 'string') return send(body);
          try {
            return send(JSON.stringify(corruptItems(JSON.parse(body), rule)));
          } catch {
            return send(body);
          }
        };
        return next();
      }
      case 'status': {
        const preset = rule.preset ? this.presets.get(rule.preset) : undefined;
        const status = rule.status ?? preset?.status ?? 500;
        for (const [k, v] of Object.entries({ ...preset?.headers, ...rule.headers })) res.setHeader(k, v);
        if (rule.retryAfter !== undefined) res.setHeader('Retry-After', String(rule.retryAfter));
        const body = rule.body ?? preset?.body ?? { error: `sandbox fault ${status}` };
        res.status(status);
        if (typeof body === 'string') res.type(preset?.contentType ?? 'text/plain').send(body);
        else res.json(body);
        return;
      }
    }
  }
}

/** The page's item list: the longest array of objects in the body (`data`, `results`, `result.items`, the body itself). */
function itemsOf(body: unknown): Record<string, unknown>[] | undefined {
  let best: Record<string, unknown>[] | undefined;
  const visit = (v: unknown, depth: number) => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) && v.length > (best?.length ?? 0)) {
        best = v as Record<string, unknown>[];
      }
      return;
    }
    for (const child of Object.values(v)) visit(child, depth + 1);
  };
  visit(body, 0);
  return best;
}

/** The (freshly parsed) body with `rule.count` items from the middle of its page broken at `rule.field`. */
function corruptItems(body: unknown, rule: FaultRule): unknown {
  const items = itemsOf(body);
  if (!items) return body;
  const path = rule.field.split('.');
  const from = Math.max(0, Math.floor(items.length / 2) - Math.floor(rule.count / 2));
  for (const item of items.slice(from, from + rule.count)) {
    let target: Record<string, unknown> | undefined = item;
    for (const key of path.slice(0, -1)) {
      const next: unknown = target?.[key];
      target = next !== null && typeof next === 'object' ? (next as Record<string, unknown>) : undefined;
    }
    if (!target) continue;
    const last = path[path.length - 1]!;
    if (rule.value === undefined) delete target[last];
    else target[last] = rule.value;
  }
  return body;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
