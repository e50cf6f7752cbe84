import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { control, createBenchDatabase, dropRedisPrefix, startApp, type AppProcess, type Control } from './stack';

/** Every table a YClients sync writes, parents before children (COPY and the naive baseline need that order). */
export const YCLIENTS_TABLES = [
  'yclients_positions',
  'yclients_staff',
  'yclients_services',
  'yclients_service_staff',
  'yclients_client_categories',
  'yclients_clients',
  'yclients_client_category_links',
  'yclients_records',
  'yclients_record_services',
  'yclients_record_staff',
  'yclients_expense_categories',
  'yclients_accounts',
  'yclients_transactions',
] as const;

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
}

/**
 * What every figure needs: a migrated database of its own, the sandbox and the gateway as their own
 * processes, a Redis prefix of its own, and worker processes started on demand.
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
  private db!: { url: string; drop(): Promise<void> };
  private credentials!: { partnerToken: string; login: string; password: string };

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
    this.credentials = await this.control.get('/yclients/_control/credentials');
    this.gateway = await this.startGateway();
  }

  /** Environment shared by the gateway and workers. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: this.db.url,
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.prefix,
      YCLIENTS_BASE_URL: `${this.sandboxUrl}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: this.credentials.partnerToken,
      YCLIENTS_LOGIN: this.credentials.login,
      YCLIENTS_PASSWORD: this.credentials.password,
      // No client-side limit unless a figure sets one (the sandbox enforces none unless told).
      YCLIENTS_REQUESTS_PER_SECOND: '100000',
      YCLIENTS_REQUESTS_PER_MINUTE: '6000000',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '100000000',
      // Figure 4 queues thousands of distinct runs no worker takes.
      RUN_MAX_QUEUED_PER_SOURCE: '1000000',
      WORKER_CONCURRENCY: '2',
      ...extra,
    };
  }

  private async startGateway(): Promise<AppProcess> {
    const gateway = await startApp('gateway', { ...this.env(), GATEWAY_PORT: '0', LOG_LEVEL: 'info' }, 'gateway listening');
    this.processes.push(gateway);
    this.gatewayUrl = String(gateway.ready.url);
    return gateway;
  }

  /** `n` yclients worker processes (what `pnpm start` runs), ready to take jobs. */
  async startWorkers(n: number, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<AppProcess[]> {
    const workers = await Promise.all(
      Array.from({ length: n }, () =>
        startApp('worker-yclients', { ...this.env(extra), LOG_LEVEL: 'info' }, 'yclients worker consuming', nodeArgs),
      ),
    );
    this.processes.push(...workers);
    return workers;
  }

  async stopProcesses(list: AppProcess[]): Promise<void> {
    await Promise.all(list.map((p) => p.stop()));
    for (const p of list) this.processes.splice(this.processes.indexOf(p), 1);
  }

  /** A generated company in the sandbox (rows are built on demand, page by page). */
  async createCompany(size: { clients: number; records: number }): Promise<number> {
    return (await this.control.post<{ id: number }>('/yclients/_control/companies', size)).id;
  }

  /** POST /api/yclients/sync through the gateway; the run id. */
  async submitSync(companyId: number): Promise<string> {
    const res = await fetch(`${this.gatewayUrl}/api/yclients/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyId }),
    });
    const body = (await res.json()) as { parser_uuid?: string };
    if (res.status !== 200 || !body.parser_uuid)
      throw new Error(`sync of ${companyId} not accepted: ${res.status} ${JSON.stringify(body)}`);
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

  /** One sync of a company, start to finish. */
  async sync(companyId: number): Promise<RunTiming> {
    return (await this.waitForRuns([await this.submitSync(companyId)]))[0]!;
  }

  /** Rows the company has in each YClients table. */
  async companyRows(companyId: number): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of YCLIENTS_TABLES) {
      const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${t} WHERE company_id = $1`, [companyId]);
      out[t] = Number(rows[0]!.n);
    }
    return out;
  }

  async clearRequests(): Promise<void> {
    await this.control.delete('/_control/requests');
  }

  /** Upstream requests the sandbox served to the YClients API since the last clear. */
  async requests(): Promise<LoggedRequest[]> {
    return (await this.control.get<{ requests: LoggedRequest[] }>(`/_control/requests?prefix=${encodeURIComponent('/yclients/api/v1')}`))
      .requests;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p.stop()));
    await this.pool?.end().catch(() => {});
    await dropRedisPrefix(this.redisUrl, this.prefix).catch(() => {});
    await this.db?.drop().catch(() => {});
  }
}
