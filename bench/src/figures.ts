import type { BenchScenario, BenchSize } from '@datasync/runs';
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
  /** `concurrency`: runs per worker process (WORKER_CONCURRENCY, its default). */
  scale: { dataSets: number; size: BenchSize; latencyMs: number; processes: [number, number]; concurrency: number };
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
        // Latency-bound on 2 cores: 16 small data sets, 200 ms per upstream request (issue #20).
        scale: { dataSets: 16, size: data.scale, latencyMs: 200, processes: [1, 4], concurrency: 2 },
        memory: { size: data.memory, seconds: 90 },
      }
    : {
        load: data.load,
        naiveRows: 300,
        rate,
        submit: { requests: 100, connections: 8 },
        scale: { dataSets: 4, size: data.scale, latencyMs: 20, processes: [1, 2], concurrency: 2 },
        memory: { size: data.memory, seconds: 60 },
      };
}

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** The target for this metric, as text, and whether this run met it. */
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

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));
export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** Figure 1's data set (and the naive sample) scaled by `factor`: a medium size while iterating (`--load-scale=0.2`). */
export function scaleLoad(sizes: Sizes, factor: number): Sizes {
  if (factor === 1) return sizes;
  const load = Object.fromEntries(Object.entries(sizes.load).map(([k, v]) => [k, Math.max(1, Math.round(v * factor))]));
  return { ...sizes, load, naiveRows: Math.max(100, Math.round(sizes.naiveRows * Math.min(1, factor * 2))) };
}
