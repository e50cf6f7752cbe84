import type { Bench } from './bench';
import { round, sum, type Figure, type Sizes } from './figures';

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
