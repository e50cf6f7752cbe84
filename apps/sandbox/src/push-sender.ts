import { z } from 'zod';
import { Random } from './random';

/**
 * How one marketplace sends its event pushes, as its docs describe it (sources and what is a
 * modelling choice: apps/worker-marketplaces/README.md "Sandbox push mode").
 */
export interface PushProfile {
  /** Marketplace name, for messages. */
  name: string;
  /** An answer slower than this is a failed push (Ozon 5 s; YM 10 s). */
  timeoutMs: number;
  /** The check message sent when a receiver URL is set (Ozon TYPE_PING; YM PING: 1 s timeout). */
  ping: () => unknown;
  pingTimeoutMs: number;
  /** Appended to the configured URL (YM: the seller gives a base URL, the Market posts to `<base>/notification`). */
  path: string;
  /** Re-sends of a failed push, the n-th after `retryDelayMs × 2^(n-1)` (Ozon: growing intervals). */
  retries: number;
  /**
   * Ozon pauses pushes to an endpoint that answers 200 (in time) to fewer than half of them: judged
   * over the last `window` deliveries once there are `window`; null: never paused (YM).
   */
  suspend: { window: number } | null;
}

/** What a test sets with `POST /<prefix>/_control/push`. Unknown fields are refused (400 names them). */
export const pushConfigSchema = z
  .object({
    url: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    /** Share of events sent more than once (seeded); `duplicateNext`: the next n events, whatever the draw. */
    duplicates: z.number().min(0).max(1).default(0),
    duplicateNext: z.number().int().min(0).default(0),
    /** Extra copies of a duplicated event. */
    copies: z.number().int().min(1).max(5).default(1),
    /** Share of events never sent (seeded); `dropNext`: the next n events, whatever the draw. */
    drop: z.number().min(0).max(1).default(0),
    dropNext: z.number().int().min(0).default(0),
    /** Hold events and release each batch newest first: a batch goes at `reorderWindow` events or after `reorderHoldMs`. */
    reorder: z.boolean().default(false),
    reorderWindow: z.number().int().min(2).max(50).default(3),
    reorderHoldMs: z.number().int().min(10).max(10_000).default(300),
    /** A slow receiver: this share of deliveries (`slow`) counts `slowMs` longer than it took (see README). */
    slowMs: z.number().int().min(0).max(120_000).default(0),
    slow: z.number().min(0).max(1).default(1),
    /** Overrides of the documented timeout and re-sends, and the first re-send's wait (doubling after). */
    timeoutMs: z.number().int().min(1).max(60_000).optional(),
    retries: z.number().int().min(0).max(10).optional(),
    retryDelayMs: z.number().int().min(0).max(60_000).default(200),
    /** Whether the marketplace's pause-on-failures applies (Ozon's; default on where documented). */
    suspend: z.boolean().default(true),
    /** Send the marketplace's check message first and refuse the URL if it is not answered 200 in time. */
    ping: z.boolean().default(true),
    /** Seeds the fault draws (default: the account's seed). */
    seed: z.number().int().optional(),
  })
  .strict();
export type PushConfig = z.infer<typeof pushConfigSchema>;

/** One delivery attempt of one copy of an event. */
export interface Delivery {
  copy: number;
  attempt: number;
  /** Global send order (1, 2, …) across the account's deliveries. */
  order: number;
  at: string;
  status: number | null;
  error?: string;
  /** Real round trip, and what the sender counted it as (real + injected slowness). */
  ms: number;
  countedMs: number;
  timedOut: boolean;
  ok: boolean;
  /** The receiver's answer body (JSON when it parsed). */
  answer?: unknown;
}

/** One check message's outcome. */
export interface PingOutcome {
  at: string;
  status: number | null;
  ms: number;
  ok: boolean;
  body?: unknown;
  error?: string;
}

export type EventFate = 'queued' | 'sent' | 'dropped' | 'suspended';
export interface PushEvent {
  seq: number;
  type: string;
  /** The order / posting it is about. */
  key: string;
  createdAt: string;
  body: unknown;
  fate: EventFate;
  duplicated: number;
  deliveries: Delivery[];
}

/**
 * Sends one account's event pushes to the receiver a test configured, with seeded faults
 * (duplicates, reordering, drops, a slow receiver) and a record of every event's fate, so a test
 * can prove a fault was injected before proving DataSync survived it.
 */
export class PushSender {
  private config: PushConfig | null = null;
  private random = new Random(1);
  /** Slowness is drawn as deliveries happen (asynchronously): its own sequence keeps the event draws fixed. */
  private slowRandom = new Random(2);
  private events: PushEvent[] = [];
  private pings: PingOutcome[] = [];
  private held: { event: PushEvent; copy: number }[] = [];
  private holdTimer: NodeJS.Timeout | null = null;
  private timers = new Set<NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private sendOrder = 0;
  /** ok / not of the latest deliveries, for the pause rule. */
  private recent: boolean[] = [];
  private suspended = false;
  /** Bumped by reset/reconfigure so late callbacks of an earlier configuration do nothing. */
  private generation = 0;

  constructor(
    private readonly profile: PushProfile,
    private readonly seed: number,
  ) {}

  reset(): void {
    this.generation += 1;
    this.config = null;
    this.events = [];
    this.pings = [];
    this.held = [];
    this.clearTimers();
    this.sendOrder = 0;
    this.recent = [];
    this.suspended = false;
  }

  /** Sets the receiver (after the documented check message, unless `ping: false`). */
  async configure(config: PushConfig): Promise<{ ok: boolean; ping?: PingOutcome }> {
    this.reset();
    this.random = new Random(config.seed ?? this.seed);
    this.slowRandom = new Random((config.seed ?? this.seed) ^ 0x51_0e);
    if (config.ping) {
      const ping = await this.sendPing(config);
      if (!ping.ok) return { ok: false, ping };
      this.config = config;
      return { ok: true, ping };
    }
    this.config = config;
    return { ok: true };
  }

  /** Stops pushing; events still held are released first (nothing configured is lost silently). */
  disable(): void {
    this.flushHeld();
    this.config = null;
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  /** An event happened on the fake: send it (or not) as configured. Drawn synchronously, so a seed fixes every fate. */
  emit(type: string, key: string, body: unknown): void {
    const config = this.config;
    if (!config) return;
    const event: PushEvent = {
      seq: this.events.length + 1,
      type,
      key,
      createdAt: new Date().toISOString(),
      body,
      fate: 'queued',
      duplicated: 0,
      deliveries: [],
    };
    this.events.push(event);
    // Both draws every time, so one knob's setting does not shift the other's sequence.
    const dropDraw = this.random.next();
    const dupDraw = this.random.next();
    if (this.suspended) return void (event.fate = 'suspended');
    if (config.dropNext > 0 || dropDraw < config.drop) {
      if (config.dropNext > 0) config.dropNext -= 1;
      event.fate = 'dropped';
      return;
    }
    if (config.duplicateNext > 0 || dupDraw < config.duplicates) {
      if (config.duplicateNext > 0) config.duplicateNext -= 1;
      event.duplicated = config.copies;
    }
    for (let copy = 0; copy <= event.duplicated; copy++) {
      if (config.reorder) this.hold(event, copy, config);
      else this.dispatch(event, copy, 1);
    }
  }

  /** The read-back: configuration (headers' values hidden), every event and delivery, and a summary. */
  report() {
    const firstOrder = (e: PushEvent) => e.deliveries.find((d) => d.attempt === 1 && d.copy === 0)?.order;
    const sent = this.events.filter((e) => firstOrder(e) !== undefined);
    const reordered = sent.filter((e) => sent.some((o) => o.seq < e.seq && firstOrder(o)! > firstOrder(e)!)).map((e) => e.seq);
    const deliveries = this.events.flatMap((e) => e.deliveries);
    return {
      enabled: this.enabled,
      marketplace: this.profile.name,
      documented: {
        path: this.profile.path,
        timeoutMs: this.profile.timeoutMs,
        pingTimeoutMs: this.profile.pingTimeoutMs,
        retries: this.profile.retries,
        suspend: this.profile.suspend,
      },
      config: this.config && { ...this.config, headers: Object.fromEntries(Object.keys(this.config.headers).map((k) => [k, '***'])) },
      suspended: this.suspended,
      pending: this.held.length + this.inFlight,
      summary: {
        events: this.events.length,
        sent: this.events.filter((e) => e.fate === 'sent').length,
        dropped: this.events.filter((e) => e.fate === 'dropped').map((e) => e.seq),
        suspended: this.events.filter((e) => e.fate === 'suspended').map((e) => e.seq),
        duplicated: this.events.filter((e) => e.duplicated > 0).map((e) => e.seq),
        reordered,
        deliveries: deliveries.length,
        timedOut: deliveries.filter((d) => d.timedOut).length,
        failed: deliveries.filter((d) => !d.ok).length,
      },
      pings: this.pings,
      events: this.events,
    };
  }

  private hold(event: PushEvent, copy: number, config: PushConfig): void {
    this.held.push({ event, copy });
    if (this.held.length >= config.reorderWindow) return this.flushHeld();
    if (!this.holdTimer) {
      const generation = this.generation;
      this.holdTimer = setTimeout(() => {
        this.holdTimer = null;
        if (generation === this.generation) this.flushHeld();
      }, config.reorderHoldMs);
    }
  }

  /** Releases the held events newest first: the receiver sees them out of order. */
  private flushHeld(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    const batch = this.held.reverse();
    this.held = [];
    for (const h of batch) this.dispatch(h.event, h.copy, 1);
  }

  /** Queues one delivery; deliveries go one at a time, in the order released. */
  private dispatch(event: PushEvent, copy: number, attempt: number): void {
    const generation = this.generation;
    // The configuration it was released under: events released by `disable()` still go out.
    const config = this.config;
    if (!config) return;
    this.inFlight += 1;
    this.chain = this.chain
      .then(async () => {
        if (generation !== this.generation) return;
        // Paused while this waited its turn: never sent (the marketplace keeps it; the poll recovers it).
        if (this.suspended) return void (event.fate = event.deliveries.length === 0 ? 'suspended' : event.fate);
        const d = await this.deliver(config, event.body, this.profile.timeoutMs);
        event.deliveries.push({ copy, attempt, ...d });
        event.fate = 'sent';
        this.judge(d.ok, config);
        if (!d.ok) this.retry(event, copy, attempt, config);
      })
      .finally(() => {
        if (generation === this.generation) this.inFlight -= 1;
      });
  }

  /** The pause rule: fewer than half of the last `window` deliveries answered 200 in time. */
  private judge(ok: boolean, config: PushConfig): void {
    const rule = this.profile.suspend;
    if (!rule || !config.suspend) return;
    this.recent.push(ok);
    if (this.recent.length > rule.window) this.recent.shift();
    if (this.recent.length === rule.window && this.recent.filter(Boolean).length * 2 < rule.window) this.suspended = true;
  }

  private retry(event: PushEvent, copy: number, attempt: number, config: PushConfig): void {
    if (attempt > (config.retries ?? this.profile.retries) || this.suspended) return;
    const generation = this.generation;
    this.inFlight += 1;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (generation !== this.generation) return;
        this.inFlight -= 1;
        this.dispatch(event, copy, attempt + 1);
      },
      config.retryDelayMs * 2 ** (attempt - 1),
    );
    this.timers.add(timer);
  }

  private async deliver(config: PushConfig, body: unknown, documentedTimeout: number, slowable = true) {
    const timeoutMs = config.timeoutMs ?? documentedTimeout;
    const slowed = slowable && config.slowMs > 0 && this.slowRandom.next() < config.slow ? config.slowMs : 0;
    const order = ++this.sendOrder;
    const at = new Date().toISOString();
    const started = performance.now();
    let status: number | null = null;
    let error: string | undefined;
    let answer: unknown;
    try {
      const res = await fetch(config.url.replace(/\/$/, '') + this.profile.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...config.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      const text = await res.text();
      try {
        answer = text === '' ? undefined : JSON.parse(text);
      } catch {
        answer = text;
      }
    } catch (err) {
      error = err instanceof Error ? (err.name === 'TimeoutError' ? 'timeout' : err.message) : String(err);
    }
    const ms = Math.round(performance.now() - started);
    const countedMs = ms + slowed;
    const timedOut = error === 'timeout' || countedMs > timeoutMs;
    return { order, at, status, ...(error ? { error } : {}), ms, countedMs, timedOut, ok: status === 200 && !timedOut, answer };
  }

  /** The check message; a failed one is tried again twice (as a seller presses "check" again) before the URL is refused. */
  private async sendPing(config: PushConfig) {
    let ping: PingOutcome | undefined;
    for (let i = 0; i < 3 && !ping?.ok; i++) {
      const d = await this.deliver(config, this.profile.ping(), config.timeoutMs ?? this.profile.pingTimeoutMs, false);
      ping = { at: d.at, status: d.status, ms: d.ms, ok: d.ok, body: d.answer, ...(d.error ? { error: d.error } : {}) };
      this.pings.push(ping);
    }
    this.sendOrder = 0;
    return ping!;
  }

  private clearTimers(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.inFlight = 0;
    this.chain = Promise.resolve();
  }
}
