/**
 * What `pnpm bench` (bench/) measures a source with: a sync of generated data sets in the sandbox,
 * against COPY and a naive row-by-row load of the same rows. A source that can be benchmarked
 * declares one (`bench: () => import('./bench')` in its declaration); the bench takes it from the
 * registry and names no source itself. Light: types only (the bench loads the module).
 */

/** A data set's size in the source's own words (e.g. how many clients and records). */
export type BenchSize = Readonly<Record<string, number>>;

/** The sizes of the data sets of each figure. */
export interface BenchSizes {
  /** Figures 1, 3 and the first half of 6: one big data set. */
  load: BenchSize;
  /** Figure 2: one data set synced under the upstream's real rate limit. */
  rate: BenchSize;
  /** Figure 5: each of several data sets synced at once. */
  scale: BenchSize;
  /** Figure 6: a data set too big to sync within the bench, time-boxed. */
  memory: BenchSize;
}

/** The sandbox as the scenario sees it: its URL and its JSON control requests. */
export interface BenchSandbox {
  url: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

export interface BenchScenario {
  /** The sizes (`full`) and tiny ones that only prove the scripts work (`smoke`). */
  sizes: Readonly<Record<'full' | 'smoke', BenchSizes>>;
  /** How a size reads in a figure's title ("100,000 clients + 300,000 records"). */
  describe(size: BenchSize): string;
  /** Entity → the table a sync writes it to, parents before children (COPY and the naive load keep this order). */
  tables: Readonly<Record<string, string>>;
  /** The column every table holds the data set's id in (a bigint). */
  scopeColumn: string;
  /**
   * The naive baseline's sample: the root tables (sampled by `id`, roots are the entities' names)
   * and the tables of their dependent rows; `fanout`: rows written per root row, to aim the sample's size.
   */
  naive: {
    sample: readonly { table: string; column: string; root: string }[];
    fanout: number;
    /**
     * What a one-off script does to get the sample's rows of `root`: plain HTTP and `JSON.parse` of
     * its pages, one after another, until `rows` items are in hand (`settings`: what `env` answered).
     */
    fetch?(settings: Record<string, string>, dataSet: number, root: string, rows: number): Promise<{ requests: number; items: number }>;
  };
  /** The upstream's path in the sandbox (its request log, the latency fault). */
  upstreamPath: string;
  /** The upstream's real limit, which figure 2 has the sandbox enforce (POST `rateLimitPath` { enabled, perSecond, perMinute, by }). */
  rateLimit: { perSecond: number; perMinute: number; path: string };
  /** The paginated entities and which requests (path under `upstreamPath`) are their pages. */
  paginated: Readonly<Record<string, (path: string) => boolean>>;
  /** Settings of the gateway and workers against the sandbox: credentials, and no client-side limit. */
  env(sandbox: BenchSandbox): Promise<Record<string, string>>;
  /**
   * Worker settings of figure 5 (scale-out), which must be bound by upstream latency rather than by
   * CPU: e.g. few rows per page, so a run is many round trips that each carry little work.
   */
  scaleEnv?: Record<string, string>;
  /** Settings that make a worker keep `rateLimit`. */
  rateLimitEnv(perSecond: number, perMinute: number): Record<string, string>;
  /** A generated data set in the sandbox; its id. */
  createDataSet(sandbox: BenchSandbox, size: BenchSize): Promise<number>;
  /**
   * Figure 1's fetch-only limit: the worker's own fetching and parsing of every page of the data
   * set (its transport, its page iteration), writing nothing (`settings`: what `env` answered).
   */
  fetchOnly?(settings: Record<string, string>, dataSet: number): Promise<{ requests: number; items: number }>;
  /** The job that syncs a data set, its gateway route (`POST`, the parameters as the body), and its parameters. */
  sync: { job: string; route: string; params(dataSet: number): Record<string, unknown> };
}
