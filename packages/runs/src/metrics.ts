import type { Cluster, Redis } from 'ioredis';
import { upstreamEvents, type RequestEvent } from '@datasync/connector-kit';

/**
 * Cluster-wide counters: every worker process adds to Redis hashes, and the gateway's `/metrics`
 * reads them at scrape time, so one scrape sees the whole deployment (a counter of one process
 * would only see that process). Counters restart from zero only if Redis loses its data, which
 * Prometheus' rate() handles like a process restart.
 */

/** Upper bounds (seconds) of the run duration histogram's buckets. */
export const RUN_DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400];

/** Upper bounds (seconds) of the stock propagation histogram's buckets (order seen → marketplaces told). */
export const PROPAGATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];

export function metricKeys(prefix: string) {
  const k = (name: string) => `${prefix}:metrics:${name}`;
  return {
    /** field `source|outcome` → runs ended */
    runs: k('runs'),
    /** fields `source|outcome|<le>` (cumulative), `source|outcome|sum`, `source|outcome|count` */
    duration: k('run_duration'),
    /** field `source|entity` → records written */
    records: k('records'),
    /** field `upstream|status` → requests answered (or failed without an answer) */
    requests: k('upstream_requests'),
    /** field `upstream|status` → requests retried */
    retries: k('upstream_retries'),
    /** fields `seen|<le>` (cumulative), `seen|sum`, `seen|count`: seen = push or poll */
    propagation: k('stock_propagation'),
  };
}

const swallow = () => {};

export class MetricsRecorder {
  private readonly keys: ReturnType<typeof metricKeys>;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
  ) {
    this.keys = metricKeys(prefix);
  }

  runFinished(source: string, outcome: 'done' | 'failed', durationMs: number): void {
    const seconds = Math.max(0, durationMs) / 1000;
    const base = `${source}|${outcome}`;
    const m = this.redis.multi().hincrby(this.keys.runs, base, 1);
    for (const le of RUN_DURATION_BUCKETS) if (seconds <= le) m.hincrby(this.keys.duration, `${base}|${le}`, 1);
    m.hincrby(this.keys.duration, `${base}|count`, 1).hincrbyfloat(this.keys.duration, `${base}|sum`, seconds);
    void m.exec().catch(swallow);
  }

  recordsWritten(source: string, added: Record<string, number>): void {
    const entries = Object.entries(added).filter(([, n]) => Number.isFinite(n) && n !== 0);
    if (entries.length === 0) return;
    const m = this.redis.multi();
    for (const [entity, n] of entries) m.hincrby(this.keys.records, `${source}|${entity}`, Math.round(n));
    void m.exec().catch(swallow);
  }

  /** An order seen (by a push or a poll) reached every marketplace's stock push after `seconds`. */
  stockPropagation(seenBy: 'push' | 'poll', seconds: number): void {
    const value = Math.max(0, seconds);
    const m = this.redis.multi();
    for (const le of PROPAGATION_BUCKETS) if (value <= le) m.hincrby(this.keys.propagation, `${seenBy}|${le}`, 1);
    m.hincrby(this.keys.propagation, `${seenBy}|count`, 1).hincrbyfloat(this.keys.propagation, `${seenBy}|sum`, value);
    void m.exec().catch(swallow);
  }

  upstreamRequest(event: RequestEvent): void {
    void this.redis.hincrby(this.keys.requests, `${event.upstream}|${event.status}`, 1).catch(swallow);
  }

  upstreamRetry(event: RequestEvent): void {
    void this.redis.hincrby(this.keys.retries, `${event.upstream}|${event.status}`, 1).catch(swallow);
  }
}

/** How many listeners count upstream requests, per Redis prefix: one per process is enough. */
const attached = new Map<string, { count: number; detach: () => void }>();

/**
 * Counts every upstream request and retry of this process's HttpClients (whatever the source) in
 * Redis. Several workers in one process (tests) share one listener; `release` undoes it.
 */
export function countUpstreamRequests(recorder: MetricsRecorder, prefix: string): () => void {
  const existing = attached.get(prefix);
  if (existing) existing.count += 1;
  else {
    const onRequest = (e: RequestEvent) => recorder.upstreamRequest(e);
    const onRetry = (e: RequestEvent) => recorder.upstreamRetry(e);
    upstreamEvents.on('request', onRequest);
    upstreamEvents.on('retry', onRetry);
    attached.set(prefix, {
      count: 1,
      detach: () => {
        upstreamEvents.off('request', onRequest);
        upstreamEvents.off('retry', onRetry);
      },
    });
  }
  let released = false;
  return () => {
    const entry = attached.get(prefix);
    if (released || !entry) return;
    released = true;
    entry.count -= 1;
    if (entry.count === 0) {
      entry.detach();
      attached.delete(prefix);
    }
  };
}

export interface MetricsSnapshot {
  runs: { source: string; outcome: string; value: number }[];
  duration: { source: string; outcome: string; buckets: Record<string, number>; sum: number; count: number }[];
  records: { source: string; entity: string; value: number }[];
  requests: { upstream: string; status: string; value: number }[];
  retries: { upstream: string; status: string; value: number }[];
  propagation: { seen: string; buckets: Record<string, number>; sum: number; count: number }[];
}

const split = (field: string) => field.split('|');

/** Everything the workers counted, for the gateway's `/metrics`. */
export async function readMetrics(redis: Redis | Cluster, prefix: string): Promise<MetricsSnapshot> {
  const keys = metricKeys(prefix);
  const [runs, duration, records, requests, retries, propagation] = await Promise.all(
    [keys.runs, keys.duration, keys.records, keys.requests, keys.retries, keys.propagation].map((k) => redis.hgetall(k)),
  );
  const pairs = (h: Record<string, string> | undefined) => Object.entries(h ?? {}).map(([f, v]) => [split(f), Number(v)] as const);
  const hist = new Map<string, MetricsSnapshot['duration'][number]>();
  for (const [[source = '', outcome = '', part = ''], v] of pairs(duration)) {
    const key = `${source}|${outcome}`;
    const h = hist.get(key) ?? { source, outcome, buckets: {}, sum: 0, count: 0 };
    if (part === 'sum') h.sum = v;
    else if (part === 'count') h.count = v;
    else h.buckets[part] = v;
    hist.set(key, h);
  }
  const seen = new Map<string, MetricsSnapshot['propagation'][number]>();
  for (const [[by = '', part = ''], v] of pairs(propagation)) {
    const h = seen.get(by) ?? { seen: by, buckets: {}, sum: 0, count: 0 };
    if (part === 'sum') h.sum = v;
    else if (part === 'count') h.count = v;
    else h.buckets[part] = v;
    seen.set(by, h);
  }
  return {
    propagation: [...seen.values()],
    runs: pairs(runs).map(([[source = '', outcome = ''], value]) => ({ source, outcome, value })),
    duration: [...hist.values()],
    records: pairs(records).map(([[source = '', entity = ''], value]) => ({ source, entity, value })),
    requests: pairs(requests).map(([[upstream = '', status = ''], value]) => ({ upstream, status, value })),
    retries: pairs(retries).map(([[upstream = '', status = ''], value]) => ({ upstream, status, value })),
  };
}
