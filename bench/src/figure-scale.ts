import type { Bench, LoggedRequest } from './bench';
import { meterCpu, type PhaseCpu } from './cpu';
import { round, sum, type Figure, type Metric, type Sizes } from './figures';

/** One timed pass of figure 5: the data sets synced by `processes` worker processes. */
interface Phase {
  processes: number;
  /** Processes that ran a warm-up sync before the clock started (all of them, unless one took none). */
  warmedProcesses: number;
  /** First submission to last finish (database clock), seconds. */
  seconds: number;
  cpu: PhaseCpu;
  /** Submission to pick-up (`created_at` → `started_at`) of each run, ms: queue and worker latency. */
  pickUpMs: { median: number; max: number };
  /** Most runs in progress at once (from `started_at` / `finished_at`). */
  maxRunsAtOnce: number;
  /** Runs each worker process did. */
  runsPerWorker: number[];
  /** Each run: its worker (1…), start and end after the first submission, ms (by start). */
  runs: { worker: number; startMs: number; endMs: number }[];
  /** Upstream requests the sandbox served, the most it held at once, and how long they took (ms). */
  requests: { count: number; maxAtOnce: number; medianMs: number; p99Ms: number; status: Record<string, number> };
  /** Mean run (start to finish), and of it the time between one upstream answer and the run's next request (worker and Postgres work, waits for a core), s. */
  perRun: { seconds: number; betweenRequests: number };
  /** Run slots (processes × concurrency) left idle while runs were still waiting to start, in slot-seconds: pick-up latency. */
  idleSlotSeconds: number;
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Slot-seconds with a slot free while some run had not started yet (from the first submission to the last start). */
function idleSlots(runs: { startedAt: Date; finishedAt: Date }[], slots: number, first: number): number {
  const lastStart = Math.max(...runs.map((r) => r.startedAt.getTime()));
  const busy = sum(runs.map((r) => Math.max(0, Math.min(r.finishedAt.getTime(), lastStart) - r.startedAt.getTime())));
  return round((slots * (lastStart - first) - busy) / 1000);
}

/** The most intervals open at one time. */
function maxOverlap(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([a, b]) => [
    [a, 1],
    [b, -1],
  ]);
  // Ends before starts at the same instant: back-to-back is not overlap.
  edges.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (open += d!));
  return most;
}

/**
 * Per data set, the time from each upstream answer to its run's next request: what the run spent
 * on its own side. A request is the data set's when its path names the data set's id.
 */
function betweenRequests(requests: LoggedRequest[], dataSets: number[]): number {
  let total = 0;
  for (const id of dataSets) {
    const own = requests.filter((r) => r.ms !== undefined && r.path.split('/').includes(String(id))).sort((a, b) => a.at - b.at);
    let answered = own[0]?.at ?? 0;
    for (const r of own) {
      total += Math.max(0, r.at - answered);
      answered = Math.max(answered, r.at + r.ms!);
    }
  }
  return total / 1000 / dataSets.length;
}

function requestStats(requests: LoggedRequest[]): Phase['requests'] {
  const timed = requests.filter((r) => r.ms !== undefined);
  const status: Record<string, number> = {};
  for (const r of requests) status[r.status] = (status[r.status] ?? 0) + 1;
  return {
    count: requests.length,
    maxAtOnce: maxOverlap(timed.map((r) => [r.at, r.at + r.ms!])),
    medianMs: median(timed.map((r) => r.ms!)),
    p99Ms: quantile(
      timed.map((r) => r.ms!),
      0.99,
    ),
    status,
  };
}

/**
 * Figure 5: the same data sets synced by 1 worker process, then again by several, every upstream
 * request delayed by the sandbox so the figure is bound by waiting, not by the 2 cores: the CPU
 * each process used is reported next to the wall time to show it.
 */
export async function scaleFigure(b: Bench, sizes: Sizes): Promise<Figure> {
  const s = sizes.scale;
  const dataSets: number[] = [];
  for (let i = 0; i < s.dataSets; i++) dataSets.push(await b.createDataSet(s.size));
  await b.control.post('/_control/faults', { path: b.scenario.upstreamPath, kind: 'delay', delayMs: s.latencyMs });

  const phase = async (processes: number): Promise<Phase> => {
    // Started and ready (consuming) before the clock starts: start-up is not scale-out.
    const workers = await b.startWorkers(processes, { ...b.scenario.scaleEnv, WORKER_CONCURRENCY: String(s.concurrency) });
    try {
      // Warm-up, off the clock: one sync per run slot (each holds its run for seconds, so every
      // process takes `concurrency` of them), paying each process's first-run costs (lazy imports,
      // JIT, login, first connections) that a long-lived worker pays once.
      const warmIds = await Promise.all(dataSets.slice(0, processes * s.concurrency).map((c) => b.submitSync(c)));
      await b.waitForRuns(warmIds);
      const { rows: warmed } = await b.pool.query<{ n: string }>(
        `SELECT count(DISTINCT worker) AS n FROM sync_runs WHERE id = ANY($1::uuid[])`,
        [warmIds],
      );
      await b.forget(dataSets);
      await b.clearRequests();
      const named: Record<string, number> = { sandbox: b.sandbox.pid, gateway: b.gateway.pid };
      workers.forEach((w, i) => (named[`worker ${i + 1}`] = w.pid));
      const stop = await meterCpu(b.pool, named);
      const ids = await Promise.all(dataSets.map((c) => b.submitSync(c)));
      const runs = await b.waitForRuns(ids);
      const cpu = await stop();
      const first = Math.min(...runs.map((r) => r.createdAt.getTime()));
      const last = Math.max(...runs.map((r) => r.finishedAt.getTime()));
      const { rows: byRun } = await b.pool.query<{ id: string; worker: string }>(
        `SELECT id, worker FROM sync_runs WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const names = [...new Set(byRun.map((r) => r.worker))].sort();
      const workerOf = new Map(byRun.map((r) => [r.id, names.indexOf(r.worker) + 1]));
      const requests = await b.requests();
      const pickUps = runs.map((r) => r.startedAt.getTime() - r.createdAt.getTime());
      return {
        processes,
        warmedProcesses: Number(warmed[0]!.n),
        seconds: (last - first) / 1000,
        cpu,
        pickUpMs: { median: median(pickUps), max: Math.max(...pickUps) },
        maxRunsAtOnce: maxOverlap(runs.map((r) => [r.startedAt.getTime(), r.finishedAt.getTime()])),
        runsPerWorker: names.map((_, i) => runs.filter((r) => workerOf.get(r.id) === i + 1).length),
        runs: runs
          .map((r) => ({ worker: workerOf.get(r.id)!, startMs: r.startedAt.getTime() - first, endMs: r.finishedAt.getTime() - first }))
          .sort((x, y) => x.startMs - y.startMs),
        requests: requestStats(requests),
        perRun: {
          seconds: sum(runs.map((r) => r.finishedAt.getTime() - r.startedAt.getTime())) / 1000 / runs.length,
          betweenRequests: betweenRequests(requests, dataSets),
        },
        idleSlotSeconds: idleSlots(runs, processes * s.concurrency, first),
      };
    } finally {
      await b.stopProcesses(workers);
    }
  };

  try {
    const [few, many] = s.processes;
    const one = await phase(few);
    const more = await phase(many);
    const speedUp = one.seconds / more.seconds;
    const workerCpu = (p: Phase) =>
      sum(
        Object.entries(p.cpu.processes)
          .filter(([k]) => k.startsWith('worker'))
          .map(([, v]) => v),
      );
    const others = (p: Phase) => p.cpu.processes.sandbox! + p.cpu.processes.gateway! + p.cpu.postgres;
    const workerWait = (p: Phase) =>
      sum(
        Object.entries(p.cpu.waits)
          .filter(([k]) => k.startsWith('worker'))
          .map(([, v]) => v),
      );
    const busy = (p: Phase) => p.cpu.machineBusy / (p.cpu.wall * p.cpu.cores);
    // PSI "some": the share of the phase during which at least one task was runnable but had no core.
    const percent = (x: number) => Math.round(x * 100);
    const rows = (p: Phase, label: string): Metric[] => [
      { name: `${label}: wall time`, value: round(p.seconds), unit: 's' },
      { name: `${label}: CPU of the workers`, value: round(workerCpu(p)), unit: 's' },
      { name: `${label}: CPU of sandbox + gateway + Postgres`, value: round(others(p)), unit: 's' },
      { name: `${label}: workers waiting for a core`, value: round(workerWait(p)), unit: 's' },
      {
        name: `${label}: mean run (of it between requests)`,
        value: round(p.perRun.seconds),
        unit: `s (${round(p.perRun.betweenRequests)} s)`,
      },
    ];
    return {
      id: 5,
      title: `Scale-out: ${s.dataSets} data sets (${b.scenario.describe(s.size)} each), ${s.latencyMs} ms upstream latency, ${s.concurrency} runs per process`,
      metrics: [
        ...rows(one, `${few} worker process${few === 1 ? '' : 'es'}`),
        ...rows(more, `${many} worker processes`),
        {
          name: 'machine busy, all processes (1 / many)',
          value: round(busy(one)),
          unit: `× / ${round(busy(more))} × of ${one.cpu.cores} cores`,
        },
        {
          name: 'machine: some task waiting for a core (1 / many)',
          value: percent(one.cpu.pressure / one.cpu.wall),
          unit: `% / ${percent(more.cpu.pressure / more.cpu.wall)} % of the time`,
        },
        {
          name: 'speed-up',
          value: round(speedUp),
          unit: '×',
          target: many === 4 ? '≥ 3.5' : undefined,
          ok: many === 4 ? speedUp >= 3.5 : undefined,
        },
      ],
      details: {
        dataSets,
        processes: s.processes,
        concurrencyPerProcess: s.concurrency,
        latencyMs: s.latencyMs,
        phases: [one, more],
      },
    };
  } finally {
    await b.control.delete('/_control/faults');
  }
}
