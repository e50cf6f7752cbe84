import type pg from 'pg';
import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Registry, type MetricValueWithName } from 'prom-client';
import { PROPAGATION_BUCKETS, readMetrics, RUN_DURATION_BUCKETS } from '@datasync/runs';

/**
 * A histogram whose buckets were counted elsewhere (by the workers, in Redis): prom-client has no
 * way to set a Histogram's buckets, so this serves precomputed ones in the same exposition format.
 */
interface PrecomputedSeries {
  labels: Record<string, string>;
  buckets: Record<string, number>;
  sum: number;
  count: number;
}

class PrecomputedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private data: PrecomputedSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[] = RUN_DURATION_BUCKETS,
  ) {}

  set(data: PrecomputedSeries[]): void {
    this.data = data;
  }

  reset(): void {
    this.data = [];
  }

  async get() {
    const values: MetricValueWithName<string>[] = [];
    for (const h of this.data) {
      const labels = h.labels;
      for (const le of this.bounds)
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: h.buckets[String(le)] ?? 0 });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: h.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: h.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export interface GatewayMetrics {
  /** The Prometheus text of the whole deployment, read now. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * `/metrics`: counters the workers keep in Redis (runs, durations, records, upstream requests and
 * retries), queue depths from BullMQ and the runs in progress from Postgres, all read at scrape
 * time, so any gateway answers for the whole deployment. Plus this gateway's process metrics.
 */
export function createGatewayMetrics(deps: { pool: pg.Pool; redis: Redis | Cluster; prefix: string; queues: Queue[] }): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'datasync_gateway_' });
  const runs = new Counter({
    name: 'datasync_runs_total',
    help: 'Runs ended, by source and outcome (done, failed)',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const duration = new PrecomputedHistogram('datasync_run_duration_seconds', 'Run duration from first start to end, by source and outcome');
  registry.registerMetric(duration as never);
  const propagation = new PrecomputedHistogram(
    'datasync_stock_propagation_seconds',
    'Time from an order being seen (by a push from the marketplace, or by a poll) to every marketplace told the new stock (the push runs ended)',
    PROPAGATION_BUCKETS,
  );
  registry.registerMetric(propagation as never);
  const records = new Counter({
    name: 'datasync_records_written_total',
    help: 'Records written, by source and entity',
    labelNames: ['source', 'entity'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'datasync_upstream_requests_total',
    help: 'Upstream HTTP requests by upstream and status (or error code)',
    labelNames: ['upstream', 'status'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'datasync_upstream_retries_total',
    help: 'Upstream HTTP requests retried, by upstream and the status that caused it',
    labelNames: ['upstream', 'status'],
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'datasync_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
  });
  const scheduleStates = new Gauge({
    name: 'datasync_schedules',
    help: 'Schedules by state (a paused one stopped after failing runs)',
    labelNames: ['state'],
    registers: [registry],
  });
  const active = new Gauge({
    name: 'datasync_runs_in_progress',
    help: 'Runs queued or running now, by source and state',
    labelNames: ['source', 'state'],
    registers: [registry],
  });

  const setCounter = <L extends string>(
    c: Counter<L>,
    rows: (Record<L, string> & { value: number })[],
    label: (r: Record<L, string>) => Record<L, string>,
  ) => {
    c.reset();
    for (const r of rows) c.inc(label(r), r.value);
  };

  return {
    async scrape() {
      const [snapshot, counts, inProgress, schedules] = await Promise.all([
        readMetrics(deps.redis, deps.prefix),
        Promise.all(
          deps.queues.map(async (q) => [q.name, await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')] as const),
        ),
        deps.pool.query<{ source: string; state: string; n: number }>(
          `SELECT source, state::text AS state, count(*)::int AS n FROM sync_runs WHERE state IN ('queued', 'running') GROUP BY 1, 2`,
        ),
        deps.pool.query<{ active: number; paused: number }>(
          `SELECT count(*) FILTER (WHERE enabled)::int AS active, count(*) FILTER (WHERE NOT enabled)::int AS paused FROM schedules`,
        ),
      ]);
      setCounter(runs, snapshot.runs, (r) => ({ source: r.source, outcome: r.outcome }));
      duration.set(snapshot.duration.map((h) => ({ ...h, labels: { source: h.source, outcome: h.outcome } })));
      propagation.set(snapshot.propagation.map((h) => ({ ...h, labels: { seen: h.seen } })));
      setCounter(records, snapshot.records, (r) => ({ source: r.source, entity: r.entity }));
      setCounter(requests, snapshot.requests, (r) => ({ upstream: r.upstream, status: r.status }));
      setCounter(retries, snapshot.retries, (r) => ({ upstream: r.upstream, status: r.status }));
      depth.reset();
      for (const [queue, c] of counts) {
        // BullMQ counts prioritized jobs apart from waiting ones; both are waiting to a reader.
        depth.set({ queue, state: 'waiting' }, (c.waiting ?? 0) + (c.prioritized ?? 0));
        for (const state of ['active', 'delayed', 'failed'] as const) depth.set({ queue, state }, c[state] ?? 0);
      }
      scheduleStates.set({ state: 'active' }, schedules.rows[0]?.active ?? 0);
      scheduleStates.set({ state: 'paused' }, schedules.rows[0]?.paused ?? 0);
      active.reset();
      for (const r of inProgress.rows) active.set({ source: r.source, state: r.state }, r.n);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
