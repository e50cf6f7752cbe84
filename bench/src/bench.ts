import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { BenchScenario, BenchSize } from '@datasync/runs';
import { control, createBenchDatabase, dropRedisPrefix, startApp, type AppProcess, type Control } from './stack';

export interface RunTiming {
  id: string;
  createdAt: Date;
  startedAt: Date;
  finishedAt: Date;
  /** Submission to done, in seconds (database clock). */
  seconds: number;
}

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  /** Arrival to answer, in ms (the sandbox's injected latency included). */
  ms?: number;
}

/** Extra node flags from an environment variable (space-separated), e.g. to profile a process. */
const nodeArgsOf = (variable: string): string[] => process.env[variable]?.split(' ').filter(Boolean) ?? [];

/**
 * What every figure needs: a migrated database of its own, the sandbox and the gateway as their own
 * processes, a Redis prefix of its own, and worker processes started on demand, all for the
 * source of the declared scenario (bench/src/scenario.ts).
 */
export class Bench {
  readonly redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  readonly prefix = `bench-${randomUUID().slice(0, 8)}`;
  readonly processes: AppProcess[] = [];
  pool!: pg.Pool;
  sandbox!: AppProcess;
  sandboxUrl!: string;
  gateway!: AppProcess;
  gatewayUrl!: string;
  control!: Control;
  private db!: { url: string; appsUrl: string; drop(): Promise<void> };
  private sourceEnv!: Record<string, string>;

  constructor(
    readonly source: string,
    readonly scenario: BenchScenario,
  ) {}

  get databaseUrl(): string {
    return this.db.url;
  }

  async start(): Promise<void> {
    this.db = await createBenchDatabase();
    this.pool = new pg.Pool({ connectionString: this.db.url, max: 4 });
    this.sandbox = await startApp('sandbox', { SANDBOX_PORT: '0', SANDBOX_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, 'sandbox listening');
    this.processes.push(this.sandbox);
    this.sandboxUrl = String(this.sandbox.ready.url);
    this.control = control(this.sandboxUrl);
    this.sourceEnv = await this.scenario.env({
      url: this.sandboxUrl,
      get: (p) => this.control.get(p),
      post: (p, body) => this.control.post(p, body),
    });
    this.gateway = await this.startGateway();
  }

  /** The source's settings against the sandbox (credentials, base URL), as its scenario's `env` answered. */
  get sourceSettings(): Readonly<Record<string, string>> {
    return this.sourceEnv;
  }

  /** Environment shared by the gateway and workers. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: this.db.appsUrl,
      // Through a pooler, as README "PgBouncer" sets it up (and so DATABASE_PREPARED_STATEMENTS=auto leaves statements unnamed).
      ...(this.db.appsUrl !== this.db.url ? { DIRECT_DATABASE_URL: this.db.url } : {}),
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.prefix,
      ...this.sourceEnv,
      GATEWAY_RATE_LIMIT_PER_MINUTE: '100000000',
      // Figure 4 queues thousands of distinct runs no worker takes.
      RUN_MAX_QUEUED_PER_SOURCE: '1000000',
      WORKER_CONCURRENCY: '2',
      ...extra,
    };
  }

  private async startGateway(): Promise<AppProcess> {
    // BENCH_GATEWAY_NODE_ARGS: node flags for the gateway, e.g. "--cpu-prof --cpu-prof-dir=/tmp/gw" to profile figure 4.
    const nodeArgs = nodeArgsOf('BENCH_GATEWAY_NODE_ARGS');
    const gateway = await startApp('gateway', { ...this.env(), GATEWAY_PORT: '0', LOG_LEVEL: 'info' }, 'gateway listening', nodeArgs);
    this.processes.push(gateway);
    this.gatewayUrl = String(gateway.ready.url);
    return gateway;
  }

  /** `n` worker processes of the source (what `pnpm start` runs), ready to take jobs. */
  async startWorkers(n: number, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<AppProcess[]> {
    // BENCH_WORKER_NODE_ARGS: node flags for every worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/wk" to profile figure 1.
    const args = [...nodeArgs, ...nodeArgsOf('BENCH_WORKER_NODE_ARGS')];
    const workers = await Promise.all(
      Array.from({ length: n }, () =>
        startApp(`worker-${this.source}`, { ...this.env(extra), LOG_LEVEL: 'info' }, `${this.source} worker consuming`, args),
      ),
    );
    this.processes.push(...workers);
    return workers;
  }

  async stopProcesses(list: AppProcess[]): Promise<void> {
    await Promise.all(list.map((p) => p.stop()));
    for (const p of list) this.processes.splice(this.processes.indexOf(p), 1);
  }

  /** A generated data set in the sandbox (e.g. a company; rows are built on demand, page by page). */
  async createDataSet(size: BenchSize): Promise<number> {
    return this.scenario.createDataSet(
      { url: this.sandboxUrl, get: (p) => this.control.get(p), post: (p, body) => this.control.post(p, body) },
      size,
    );
  }

  /** The sync of a data set through the gateway's route; the run id. */
  async submitSync(dataSet: number): Promise<string> {
    const res = await fetch(`${this.gatewayUrl}${this.scenario.sync.route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.scenario.sync.params(dataSet)),
    });
    const body = (await res.json()) as { parser_uuid?: string };
    if (res.status !== 200 || !body.parser_uuid) throw new Error(`sync of ${dataSet} not accepted: ${res.status} ${JSON.stringify(body)}`);
    return body.parser_uuid;
  }

  /** Waits for runs to finish (polling sync_runs); throws when one fails. */
  async waitForRuns(ids: string[], timeoutMs = 20 * 60_000): Promise<RunTiming[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.pool.query<{
        id: string;
        state: string;
        error: string | null;
        created_at: Date;
        started_at: Date;
        finished_at: Date;
      }>('SELECT id, state, error, created_at, started_at, finished_at FROM sync_runs WHERE id = ANY($1::uuid[])', [ids]);
      const failed = rows.find((r) => r.state === 'failed');
      if (failed) throw new Error(`run ${failed.id} failed: ${failed.error}`);
      if (rows.length === ids.length && rows.every((r) => r.state === 'done')) {
        return rows.map((r) => ({
          id: r.id,
          createdAt: r.created_at,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
          seconds: (r.finished_at.getTime() - r.created_at.getTime()) / 1000,
        }));
      }
      if (Date.now() > deadline)
        throw new Error(`runs not done within ${timeoutMs} ms: ${JSON.stringify(rows.map((r) => [r.id, r.state, r.error]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** One sync of a data set, start to finish. */
  async sync(dataSet: number): Promise<RunTiming> {
    return (await this.waitForRuns([await this.submitSync(dataSet)]))[0]!;
  }

  /** Rows the data set has in each of the source's tables, by entity. */
  async dataSetRows(dataSet: number): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [entity, table] of Object.entries(this.scenario.tables)) {
      const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${this.scenario.scopeColumn} = $1`, [
        dataSet,
      ]);
      out[entity] = Number(rows[0]!.n);
    }
    return out;
  }

  /** Forgets data sets: their rows in every table (children first) and where their streams stood, so the next sync is a full one. */
  async forget(dataSets: number[]): Promise<void> {
    await this.pool.query(`DELETE FROM stream_state WHERE source = $1 AND scope = ANY($2::text[])`, [this.source, dataSets.map(String)]);
    for (const table of Object.values(this.scenario.tables).reverse()) {
      await this.pool.query(`DELETE FROM ${table} WHERE ${this.scenario.scopeColumn} = ANY($1::bigint[])`, [dataSets]);
    }
  }

  async clearRequests(): Promise<void> {
    await this.control.delete('/_control/requests');
  }

  /** Upstream requests the sandbox served to the source's API since the last clear (paths under its `upstreamPath`). */
  async requests(): Promise<LoggedRequest[]> {
    const prefix = this.scenario.upstreamPath;
    const { requests } = await this.control.get<{ requests: LoggedRequest[] }>(`/_control/requests?prefix=${encodeURIComponent(prefix)}`);
    return requests.map((r) => ({ ...r, path: r.path.slice(prefix.length) }));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p.stop()));
    await this.pool?.end().catch(() => {});
    await dropRedisPrefix(this.redisUrl, this.prefix).catch(() => {});
    await this.db?.drop().catch(() => {});
  }
}
