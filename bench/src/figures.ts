import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { defaultJobOptions } from '@datasync/queues';
import { closeQueues, createQueues, createRedis, submitRun } from '@datasync/runs';
import type { BenchScenario, BenchSize } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import { copyBaseline, naiveBaseline } from './baselines';
import type { Bench } from './bench';
import { cpuSeconds } from './stack';

/**
 * Sizes of one bench run: the issue's (`full`) or tiny ones that only prove the scripts work
 * (`smoke`). The data sets' sizes are the scenario's (in its own words); the rest is the bench's.
 */
export interface Sizes {
  load: BenchSize;
  /** Rows the naive row-by-row baseline writes (a sample; its rate is what counts). */
  naiveRows: number;
  rate: { size: BenchSize; perSecond: number; perMinute: number };
  submit: { requests: number; connections: number };
  scale: { dataSets: number; size: BenchSize; latencyMs: number; processes: [number, number] };
  memory: { size: BenchSize; seconds: number };
}

export function sizesFor(scenario: BenchScenario, mode: 'full' | 'smoke'): Sizes {
  const data = scenario.sizes[mode];
  const rate = { size: data.rate, perSecond: scenario.rateLimit.perSecond, perMinute: scenario.rateLimit.perMinute };
  return mode === 'full'
    ? {
        load: data.load,
        naiveRows: 8_000,
        rate,
        submit: { requests: 4_000, connections: 32 },
        scale: { dataSets: 8, size: data.scale, latencyMs: 50, processes: [1, 4] },
        memory: { size: data.memory, seconds: 90 },
      }
    : {
        load: data.load,
        naiveRows: 300,
        rate,
        submit: { requests: 100, connections: 8 },
        scale: { dataSets: 4, size: data.scale, latencyMs: 20, processes: [1, 2] },
        memory: { size: data.memory, seconds: 60 },
      };
}

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** The issue's target for this metric, as text, and whether this run met it. */
  target?: string;
  ok?: boolean;
}

export interface Figure {
  id: number;
  title: string;
  metrics: Metric[];
  /** Everything measured, for the JSON file. */
  details: Record<string, unknown>;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** Figures 1, 3 and the first half of 6: one full sync of a big data set, a pass with no change, then the baselines. */
export async function loadFigures(b: Bench, sizes: Sizes): Promise<{ load: Figure; incremental: Figure; peakRssMb: number; rows: number }> {
  const [worker] = await b.startWorkers(1);
  const dataSet = await b.createDataSet(sizes.load);
  const run = await b.sync(dataSet);
  const perTable = await b.dataSetRows(dataSet);
  const rows = sum(Object.values(perTable));
  const peakRssMb = worker!.peakRssMb() ?? NaN;

  // Figure 3: the same data set again, nothing changed upstream.
  await b.clearRequests();
  const again = await b.sync(dataSet);
  const requests = await b.requests();
  await b.stopProcesses([worker!]);
  const paginated = Object.fromEntries(
    Object.entries(b.scenario.paginated).map(([entity, isPage]) => [entity, requests.filter((r) => isPage(r.path)).length]),
  );
  const lists = requests.length - sum(Object.values(paginated));
  const incremental: Figure = {
    id: 3,
    title: `Incremental pass with no change (data set of figure 1)`,
    metrics: [
      {
        name: 'requests (paginated entities)',
        value: sum(Object.values(paginated)),
        unit: 'req',
        target: `1 per entity (${Object.keys(paginated).length})`,
        ok: Object.values(paginated).every((n) => n === 1),
      },
      { name: 'requests (non-paginated lists)', value: lists, unit: 'req' },
      { name: 'wall time', value: round(again.seconds, 3), unit: 's', target: '< 2 s', ok: again.seconds < 2 },
    ],
    details: { paginated, lists, requests: requests.map((r) => `${r.method} ${r.path} ${r.status}`), seconds: again.seconds },
  };

  const copy = await copyBaseline(b.pool, b.scenario, dataSet);
  if (copy.rows !== rows) throw new Error(`COPY loaded ${copy.rows} rows, the sync wrote ${rows}`);
  const naive = await naiveBaseline(b.pool, b.scenario, dataSet, sizes.naiveRows);
  const syncRate = rows / run.seconds;
  const copyRate = copy.rows / copy.seconds;
  const naiveRate = naive.rows / naive.seconds;
  const load: Figure = {
    id: 1,
    title: `Load throughput: ${b.scenario.describe(sizes.load)} (${rows.toLocaleString('en')} rows in all tables)`,
    metrics: [
      { name: 'full sync (end to end)', value: round(syncRate, 0), unit: 'rows/s' },
      { name: '(a) raw COPY, same rows and tables', value: round(copyRate, 0), unit: 'rows/s' },
      { name: '(b) naive row-by-row upsert', value: round(naiveRate, 0), unit: 'rows/s' },
      { name: 'sync / COPY', value: round(syncRate / copyRate, 3), unit: '×', target: '≥ 0.60', ok: syncRate / copyRate >= 0.6 },
      { name: 'sync / naive', value: round(syncRate / naiveRate, 1), unit: '×', target: '≥ 20', ok: syncRate / naiveRate >= 20 },
      { name: 'sync wall time', value: round(run.seconds, 2), unit: 's' },
    ],
    details: { dataSet, rowsPerTable: perTable, rows, sync: { seconds: run.seconds }, copy, naive },
  };
  return { load, incremental, peakRssMb, rows };
}

/** Figure 2: a sync under the upstream's real limit, enforced by the sandbox and kept by the worker. */
export async function rateFigure(b: Bench, sizes: Sizes): Promise<Figure> {
  const { perSecond, perMinute } = sizes.rate;
  const dataSet = await b.createDataSet(sizes.rate.size);
  const [worker] = await b.startWorkers(1, b.scenario.rateLimitEnv(perSecond, perMinute));
  await b.control.post(b.scenario.rateLimit.path, { enabled: true, perSecond, perMinute, by: 'ip' });
  try {
    await b.clearRequests();
    const run = await b.sync(dataSet);
    const requests = await b.requests();
    const rejected = requests.filter((r) => r.status === 429).length;
    const span = requests.length > 1 ? (requests[requests.length - 1]!.at - requests[0]!.at) / 1000 : run.seconds;
    const overRun = requests.length / run.seconds;
    const overSpan = (requests.length - 1) / span;
    return {
      id: 2,
      title: `Rate-limit use: ${b.scenario.describe(sizes.rate.size)}, sandbox limit ${perSecond}/s and ${perMinute}/min`,
      metrics: [
        { name: 'requests', value: requests.length, unit: 'req' },
        { name: 'rate over the whole run', value: round(overRun), unit: 'req/s' },
        { name: 'rate, first to last request', value: round(overSpan), unit: 'req/s' },
        {
          name: 'rate / limit (whole run)',
          value: round(overRun / perSecond, 3),
          unit: '×',
          target: '≥ 0.90',
          ok: overRun / perSecond >= 0.9,
        },
        { name: '429 answers', value: rejected, unit: 'req', target: '0', ok: rejected === 0 },
        { name: 'sync wall time', value: round(run.seconds, 2), unit: 's' },
      ],
      details: { dataSet, requests: requests.length, rejected, runSeconds: run.seconds, spanSeconds: span },
    };
  } finally {
    await b.control.post(b.scenario.rateLimit.path, { enabled: false });
    await b.stopProcesses([worker!]);
  }
}

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

/** Figure 5: the same data sets synced by 1 worker process, then again by several. */
export async function scaleFigure(b: Bench, sizes: Sizes): Promise<Figure> {
  const s = sizes.scale;
  const dataSets: number[] = [];
  for (let i = 0; i < s.dataSets; i++) dataSets.push(await b.createDataSet(s.size));
  await b.control.post('/_control/faults', { path: b.scenario.upstreamPath, kind: 'delay', delayMs: s.latencyMs });
  const wall = async (processes: number) => {
    await b.forget(dataSets);
    const workers = await b.startWorkers(processes);
    try {
      const ids = await Promise.all(dataSets.map((c) => b.submitSync(c)));
      const runs = await b.waitForRuns(ids);
      const first = Math.min(...runs.map((r) => r.createdAt.getTime()));
      const last = Math.max(...runs.map((r) => r.finishedAt.getTime()));
      return (last - first) / 1000;
    } finally {
      await b.stopProcesses(workers);
    }
  };
  try {
    const [few, many] = s.processes;
    const one = await wall(few);
    const more = await wall(many);
    return {
      id: 5,
      title: `Scale-out: ${s.dataSets} data sets (${b.scenario.describe(s.size)} each), ${s.latencyMs} ms upstream latency`,
      metrics: [
        { name: `${few} worker process`, value: round(one), unit: 's' },
        { name: `${many} worker processes`, value: round(more), unit: 's' },
        {
          name: 'speed-up',
          value: round(one / more),
          unit: '×',
          target: many === 4 ? '≥ 3' : undefined,
          ok: many === 4 ? one / more >= 3 : undefined,
        },
      ],
      details: { dataSets, processes: s.processes, seconds: { [few]: one, [many]: more }, concurrencyPerProcess: 2 },
    };
  } finally {
    await b.control.delete('/_control/faults');
  }
}

/**
 * Figure 6: the worker's peak RSS (VmHWM) in figure 1, and while it syncs a data set of
 * `sizes.memory.size`, sampled every second. The big sync is time-boxed
 * (`sizes.memory.seconds`): flat memory shows within the box, and the whole sync would not fit in
 * the bench's 10 minutes on a shared 2-core machine.
 */
export async function memoryFigure(b: Bench, sizes: Sizes, fromLoad: { peakRssMb: number; rows: number }): Promise<Figure> {
  const [worker] = await b.startWorkers(1);
  try {
    const dataSet = await b.createDataSet(sizes.memory.size);
    const id = await b.submitSync(dataSet);
    const started = Date.now();
    const samples: { s: number; rows: number; peakMb: number }[] = [];
    let finished = false;
    const done = b.waitForRuns([id], sizes.memory.seconds * 1000 + 600_000).then(() => {
      finished = true;
    });
    done.catch(() => {});
    while (!finished && Date.now() - started < sizes.memory.seconds * 1000) {
      await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
      const { rows } = await b.pool.query<{ counts: Record<string, number> }>('SELECT counts FROM sync_runs WHERE id = $1', [id]);
      const counts = rows[0]?.counts ?? {};
      const written = sum(Object.keys(b.scenario.paginated).map((k) => counts[k] ?? 0));
      samples.push({ s: (Date.now() - started) / 1000, rows: written, peakMb: worker!.peakRssMb() ?? NaN });
    }
    if (finished) await done;
    const last = samples[samples.length - 1]!;
    const early = samples.find((x) => x.rows >= last.rows / 4) ?? samples[0]!;
    const peak = last.peakMb;
    const worst = Math.max(peak, fromLoad.peakRssMb);
    return {
      id: 6,
      title: `Memory: worker peak RSS (VmHWM) in figure 1, and syncing ${b.scenario.describe(sizes.memory.size)}${finished ? '' : ` (first ${sizes.memory.seconds} s)`}`,
      metrics: [
        {
          name: `figure 1 (${fromLoad.rows.toLocaleString('en')} rows)`,
          value: round(fromLoad.peakRssMb, 0),
          unit: 'MiB',
          target: '< 300 MiB',
          ok: fromLoad.peakRssMb < 300,
        },
        {
          name: `big data set, peak after ${early.rows.toLocaleString('en')} ${Object.keys(b.scenario.paginated).join('/')}`,
          value: round(early.peakMb, 0),
          unit: 'MiB',
        },
        {
          name: `big data set, peak after ${last.rows.toLocaleString('en')}${finished ? ' (done)' : ''}`,
          value: round(peak, 0),
          unit: 'MiB',
          target: '< 300 MiB',
          ok: worst < 300,
        },
        {
          name: `growth while rows ×${round(last.rows / Math.max(1, early.rows), 1)}`,
          value: round(peak / early.peakMb, 2),
          unit: '×',
          target: 'flat (≤ 1.1)',
          ok: peak / early.peakMb <= 1.1,
        },
      ],
      details: { dataSet, finished, samples, loadPeakRssMb: fromLoad.peakRssMb },
    };
  } finally {
    await b.stopProcesses([worker!]);
  }
}
