import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { defaultJobOptions } from '@datasync/queues';
import { closeQueues, createQueues, createRedis, RunGroupCommit, submitRun } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import type { Bench } from './bench';
import { startCeiling } from './ceiling-process';
import { percentile, round, type Figure, type Sizes } from './figures';
import { cpuSeconds } from './stack';

/**
 * Figure 4: sync submissions through the gateway over HTTP against its framework's ceiling (a bare
 * Express route in a process of its own that only calls Queue.add, express-ceiling.ts), hit the
 * same way; BullMQ's own Queue.add and submitRun in the bench process are shown besides.
 */
export async function submitFigure(b: Bench, sizes: Sizes): Promise<Figure> {
  const { requests, connections } = sizes.submit;
  const { job, route, params } = b.scenario.sync;
  let nextDataSet = 50_000_000;
  const hammer = (base: string, amount: number) =>
    autocannon({
      url: `${base}${route}`,
      method: 'POST',
      connections,
      amount,
      // autocannon notices the end of an `amount` run at its next sample tick; the default 1 s tick
      // rounds the duration up to whole seconds (4,000 requests always read as ~998/s).
      sampleInt: 10,
      headers: { 'content-type': 'application/json' },
      // A data set of its own per request: each is a new run (no dedupe shortcut).
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(params(nextDataSet++)) }) }],
    });
  // Each server: a warm-up of 200, then the measured run, its CPU read from /proc.
  const measure = async (base: string, pid: number) => {
    await hammer(base, Math.min(200, requests));
    const cpuBefore = cpuSeconds(pid);
    const result = await hammer(base, requests);
    const cpuMs = ((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, result['2xx']);
    return { result, cpuMs, perSecond: result['2xx'] / result.duration };
  };
  const ceilingProcess = await startCeiling({
    REDIS_URL: b.redisUrl,
    REDIS_PREFIX: b.prefix,
    CEILING_QUEUE: `${b.source}-ceiling`,
    CEILING_JOB: job,
    CEILING_ROUTE: route,
  });
  let gateway: Awaited<ReturnType<typeof measure>>;
  let ceiling: Awaited<ReturnType<typeof measure>>;
  try {
    gateway = await measure(b.gatewayUrl, b.gateway.pid);
    ceiling = await measure(ceilingProcess.url, ceilingProcess.pid);
  } finally {
    await ceilingProcess.stop();
  }
  const http = gateway.result;
  const accepted = http['2xx'];

  const redis = createRedis({ REDIS_URL: b.redisUrl });
  const queue = new Queue(`${b.source}-raw-bench`, { connection: redis, prefix: b.prefix, defaultJobOptions });
  const rawAdd = async (amount: number) => {
    const latencies: number[] = [];
    let left = amount;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (left > 0) {
          left -= 1;
          const t = process.hrtime.bigint();
          const runId = randomUUID();
          await queue.add(job, { runId, params: params(nextDataSet++) }, { jobId: runId });
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((x, y) => x - y);
    return { perSecond: amount / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), seconds };
  };
  // What the route does without HTTP: submitRun with the gateway's group commit (a batch of
  // sync_runs + run_locks in one transaction, then one addBulk).
  const queues = createQueues(catalog, redis, `${b.prefix}-direct`);
  const groupCommit = new RunGroupCommit({ pool: b.pool, queues });
  const direct = async (amount: number) => {
    let left = amount;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (left > 0) {
          left -= 1;
          await submitRun({ pool: b.pool, queues, groupCommit }, b.source, job, params(nextDataSet++));
        }
      }),
    );
    return amount / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  try {
    await rawAdd(Math.min(200, requests));
    const raw = await rawAdd(requests);
    await direct(Math.min(200, requests));
    const viaSubmitRun = await direct(requests);
    const httpRate = gateway.perSecond;
    const ratio = httpRate / ceiling.perSecond;
    const failed = (r: typeof http) => r.non2xx + r.errors;
    return {
      id: 4,
      title: `Gateway submission: ${requests.toLocaleString('en')} sync requests (POST, one new run each), ${connections} connections, vs a bare Express route that only calls Queue.add`,
      metrics: [
        { name: 'gateway accepted', value: round(httpRate, 0), unit: 'req/s' },
        { name: 'gateway latency p99', value: http.latency.p99, unit: `ms (p50 ${http.latency.p50})` },
        { name: 'ceiling: bare Express + Queue.add', value: round(ceiling.perSecond, 0), unit: 'req/s' },
        { name: 'ceiling latency p99', value: ceiling.result.latency.p99, unit: `ms (p50 ${ceiling.result.latency.p50})` },
        { name: 'gateway CPU per accepted request', value: round(gateway.cpuMs, 2), unit: 'ms' },
        { name: 'ceiling CPU per request', value: round(ceiling.cpuMs, 2), unit: 'ms' },
        { name: 'raw Queue.add in process (no HTTP)', value: round(raw.perSecond, 0), unit: `jobs/s (p99 ${round(raw.p99, 1)} ms)` },
        { name: 'submitRun in process (no HTTP)', value: round(viaSubmitRun, 0), unit: 'runs/s' },
        { name: 'gateway / ceiling', value: round(ratio, 3), unit: '×', target: '≥ 0.70', ok: ratio >= 0.7 },
        { name: 'gateway / raw Queue.add', value: round(httpRate / raw.perSecond, 3), unit: '×' },
        { name: 'non-2xx answers (gateway)', value: failed(http), unit: 'req', target: '0', ok: failed(http) === 0 },
        { name: 'non-2xx answers (ceiling)', value: failed(ceiling.result), unit: 'req', target: '0', ok: failed(ceiling.result) === 0 },
      ],
      details: {
        http: { accepted, seconds: http.duration, latency: http.latency, non2xx: http.non2xx, errors: http.errors },
        ceiling: {
          accepted: ceiling.result['2xx'],
          seconds: ceiling.result.duration,
          latency: ceiling.result.latency,
          non2xx: ceiling.result.non2xx,
          errors: ceiling.result.errors,
          cpuMs: ceiling.cpuMs,
        },
        raw,
        submitRunPerSecond: viaSubmitRun,
        gatewayCpuMs: gateway.cpuMs,
      },
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await closeQueues(queues);
    redis.disconnect();
  }
}
