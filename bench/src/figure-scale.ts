import type { Bench } from './bench';
import { round, type Figure, type Sizes } from './figures';

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
