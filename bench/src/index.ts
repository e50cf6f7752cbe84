import path from 'node:path';
import { Bench } from './bench';
import { scaleLoad, sizesFor, type Figure, type Sizes } from './figures';
import { loadFigures } from './figure-load';
import { memoryFigure } from './figure-memory';
import { rateFigure } from './figure-rate';
import { scaleFigure } from './figure-scale';
import { submitFigure } from './figure-submit';
import { formatFigure, machine, writeResults } from './report';
import { declaredScenario } from './scenario';
import { root } from './stack';

export { sizesFor, type Figure, type Sizes } from './figures';
export { declaredScenario } from './scenario';
export { formatFigure } from './report';
export { formatPropagation, measurePropagation, runPropagation, startPropagationStack, type PropagationResult } from './propagation';

export interface BenchOptions {
  mode: 'full' | 'smoke';
  sizes?: Sizes;
  /** Figure 1's data set scaled by this factor (e.g. 0.2 while iterating); default 1. */
  loadScale?: number;
  /** Where the JSON goes; default bench/results. */
  outDir?: string;
  /** Only these figures (1 and 3 go together; 6 needs 1). Default all. */
  only?: number[];
  /** Progress and tables; default console.log. */
  print?: (line: string) => void;
}

export interface BenchResult {
  figures: Figure[];
  seconds: number;
  file: string;
}

/**
 * Every figure of the performance issue, for the source that declares a bench scenario, in one run against one fresh database, the sandbox and
 * gateway as processes of their own, and worker processes started per figure.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { source, scenario } = await declaredScenario();
  const sizes = scaleLoad(options.sizes ?? sizesFor(scenario, options.mode), options.loadScale ?? 1);
  const print = options.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  const before = machine();
  const bench = new Bench(source, scenario);
  const figures: Figure[] = [];
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    print(`… ${what}`);
    const out = await fn();
    print(`  ${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return out;
  };
  try {
    await step('starting database, sandbox and gateway', () => bench.start());
    const want = (...ids: number[]) => !options.only || ids.some((id) => options.only!.includes(id));
    const load = want(1, 3, 6)
      ? await step('figures 1 and 3: full sync, no-change pass, COPY and naive baselines', () => loadFigures(bench, sizes))
      : undefined;
    if (load) figures.push(load.load, load.incremental);
    if (want(2)) figures.push(await step('figure 2: rate-limit use', () => rateFigure(bench, sizes)));
    if (want(5)) figures.push(await step('figure 5: scale-out', () => scaleFigure(bench, sizes)));
    if (load && want(6)) figures.push(await step('figure 6: memory', () => memoryFigure(bench, sizes, load)));
    // Last: it leaves thousands of queued runs that no worker should pick up.
    if (want(4)) figures.push(await step('figure 4: gateway submission', () => submitFigure(bench, sizes)));
  } finally {
    await bench.close();
  }
  figures.sort((a, b) => a.id - b.id);
  const seconds = (Date.now() - started) / 1000;
  const file = await writeResults(
    options.outDir ?? path.join(root, 'bench', 'results'),
    options.only ? `${options.mode}-only-${options.only.join('-')}` : options.mode,
    {
      mode: options.mode,
      at: new Date().toISOString(),
      seconds,
      machine: { ...before, loadAverageAfter: machine().loadAverage },
      sizes,
      figures,
    },
  );
  print('');
  for (const f of figures) print(`${formatFigure(f)}\n`);
  print(`load average before ${before.loadAverage.join(' ')}, after ${machine().loadAverage.join(' ')} on ${before.cpus} cores`);
  print(`total ${seconds.toFixed(1)} s; results in ${path.relative(process.cwd(), file)}`);
  return { figures, seconds, file };
}
