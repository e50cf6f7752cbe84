import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { defaultJobOptions } from '@datasync/queues';
import { closeQueues, createQueues, createRedis, submitRun } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import type { Bench } from './bench';
import { percentile, round, type Figure, type Sizes } from './figures';
import { cpuSeconds } from './stack';

/** Figure 4: sync submissions through the gateway over HTTP against BullMQ's own Queue.add, same concurrency. */
export async function submitFigure(b: Bench, sizes: Sizes): Promise<Figure> {
  const { requests, connections } = sizes.submit;
  const { job, route, params } = b.scenario.sync;
  let nextDataSet = 50_000_000;
  const hammer = (amount: number) =>
    autocannon({
      url: `${b.gatewayUrl}${route}`,
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
  await hammer(Math.min(200, requests));
  const cpuBefore = cpuSeconds(b.gateway.pid);
  const http = await hammer(requests);
  const gatewayCpuMs = ((cpuSeconds(b.gateway.pid) - cpuBefore) * 1000) / Math.max(1, http['2xx']);
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
  // What the route does without HTTP: submitRun (sync_runs + run_locks in one transaction, then Queue.add).
  const queues = createQueues(catalog, redis, `${b.prefix}-direct`);
  const direct = async (amount: number) => {
    let left = amount;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (left > 0) {
          left -= 1;
          await submitRun({ pool: b.pool, queues }, b.source, job, params(nextDataSet++));
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
    const httpRate = accepted / http.duration;
    return {
      id: 4,
      title: `Gateway submission: ${requests.toLocaleString('en')} sync requests (POST, one new run each), ${connections} connections, vs raw Queue.add`,
      metrics: [
        { name: 'gateway accepted', value: round(httpRate, 0), unit: 'req/s' },
        { name: 'gateway latency p50 / p99', value: http.latency.p99, unit: `ms (p50 ${http.latency.p50})` },
        { name: 'raw Queue.add', value: round(raw.perSecond, 0), unit: 'jobs/s' },
        { name: 'raw add latency p99', value: round(raw.p99, 1), unit: `ms (p50 ${round(raw.p50, 1)})` },
        { name: 'gateway CPU per accepted request', value: round(gatewayCpuMs, 2), unit: 'ms' },
        { name: 'submitRun in process (no HTTP)', value: round(viaSubmitRun, 0), unit: 'runs/s' },
        {
          name: 'gateway / raw add',
          value: round(httpRate / raw.perSecond, 3),
          unit: '×',
          target: '≥ 0.50',
          ok: httpRate / raw.perSecond >= 0.5,
        },
        { name: 'gateway / submitRun in process', value: round(httpRate / viaSubmitRun, 3), unit: '×' },
        { name: 'non-2xx answers', value: http.non2xx + http.errors, unit: 'req', target: '0', ok: http.non2xx + http.errors === 0 },
      ],
      details: {
        http: { accepted, seconds: http.duration, latency: http.latency, non2xx: http.non2xx, errors: http.errors },
        raw,
        submitRunPerSecond: viaSubmitRun,
        gatewayCpuMs,
      },
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await closeQueues(queues);
    redis.disconnect();
  }
}
