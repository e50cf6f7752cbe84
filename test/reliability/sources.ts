/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of our own API and the sandbox, checked by the assertions */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { SourceName } from '@datasync/sources';
import type { RunningSandbox } from '@datasync/sandbox';
import { startAvitoWorker } from '@datasync/worker-avito';
import { startDatawizWorker } from '@datasync/worker-datawiz';
import { startItResumeWorker } from '@datasync/worker-itresume';
import { startYclientsWorker } from '@datasync/worker-yclients';
import {
  createTestDatabase,
  expectAvitoEqualToSource,
  expectDatawizEqualToSource,
  expectItResumeEqualToSource,
  expectYclientsEqualToSource,
  sandboxControl,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  type Stack,
  type TestDatabase,
  type WorkerStarter,
} from '../helpers';

/**
 * The sources the reliability suite runs every fault against: how to give a worker its sandbox
 * credentials, where its data pages live upstream (fault rules aim there), how to start a sync of a
 * fresh target through the gateway, and how to check the database equals the source afterwards.
 */

export type Control = ReturnType<typeof sandboxControl>;

export interface Submit {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export interface Target {
  submit: Submit;
  /** The final database equals the source row for row (no row missing, none twice, none extra). */
  expectEqual(runId: string): Promise<void>;
}

export interface ReliabilitySource {
  name: SourceName;
  app: `worker-${string}`;
  start: WorkerStarter;
  /** Upstream path prefix of the paginated data requests. */
  dataPath: string;
  /** Which logged requests are pages (path, query and JSON body identify one) for counting repeats. */
  isPage(r: { path: string; query: Record<string, unknown>; body?: Record<string, unknown> }): boolean;
  /** The source logs in again once after a 401 (otherwise a 401 fails the run at once). */
  reauth: boolean;
  /** The source's fault preset for a refused credential, when it has one. */
  unauthorized?: string;
  /** Pages carry a count, so an empty page in the middle is detectable (IT Resume answers one unpaged array per day). */
  detectsEmptyPage: boolean;
  /** Settings with the sandbox's credentials. */
  env(control: Control, sandboxUrl: string): Promise<Record<string, string>>;
  /** The credential values that must never leak. */
  secrets(env: Record<string, string>): string[];
  /** A fresh target (its rows absent from the database), and how to check it afterwards; `large` lasts a few seconds under a delay. */
  prepare(control: Control, pool: pg.Pool, options?: { large?: boolean }): Promise<Target>;
}


export const yclients: ReliabilitySource = {
  name: 'yclients',
  app: 'worker-yclients',
  start: startYclientsWorker,
  dataPath: '/yclients/api/v1/',
  // Client pages are asked by POST body (the request log keeps it); records and transactions page by query.
  isPage: (r) => /\/clients\/search$|\/records\/\d+$|\/transactions\/\d+$/.test(r.path) && !('start_date' in r.query),
  reauth: true,
  unauthorized: 'yclients.unauthorized',
  detectsEmptyPage: true,
  async env(control, sandboxUrl) {
    const creds = await control.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
    return {
      YCLIENTS_BASE_URL: `${sandboxUrl}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: creds.partnerToken,
      YCLIENTS_LOGIN: creds.login,
      YCLIENTS_PASSWORD: creds.password,
      YCLIENTS_REQUESTS_PER_SECOND: '1000',
      YCLIENTS_REQUESTS_PER_MINUTE: '100000',
      YCLIENTS_PAGE_SIZE: '50',
    };
  },
  secrets: (env) => [env.YCLIENTS_PARTNER_TOKEN!, env.YCLIENTS_PASSWORD!],
  async prepare(control, pool, options) {
    const size = options?.large ? { clients: 300, records: 1500 } : { clients: 180, records: 260 };
    const company = (await control.post<{ id: number }>('/yclients/_control/companies', size)).id;
    return {
      submit: { method: 'POST', path: '/api/yclients/sync', body: { companyId: company } },
      expectEqual: () => expectYclientsEqualToSource(pool, control, company),
    };
  },
};

export const avito: ReliabilitySource = {
  name: 'avito',
  app: 'worker-avito',
  start: startAvitoWorker,
  dataPath: '/avito/api/1/user',
  isPage: (r) => r.path.startsWith('/avito/api/1/user'),
  reauth: false,
  detectsEmptyPage: true,
  env: () => Promise.resolve({ AVITO_PAGE_SIZE: '10' }),
  secrets: () => [],
  async prepare(control, pool) {
    const sellers = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
    const seller = sellers.find((s) => s.active > 100)!;
    await pool.query('DELETE FROM avito_run_items; DELETE FROM avito_items;');
    return {
      submit: { method: 'GET', path: `/api/avito/user?user=${seller.hash}` },
      expectEqual: (runId) => expectAvitoEqualToSource(pool, control, runId, seller.hash),
    };
  },
};

export const datawiz: ReliabilitySource = {
  name: 'datawiz',
  app: 'worker-datawiz',
  start: startDatawizWorker,
  dataPath: '/datawiz/api/v1/',
  isPage: (r) => r.path.startsWith('/datawiz/api/v1/'),
  reauth: true,
  unauthorized: 'datawiz.token-expired',
  detectsEmptyPage: true,
  async env(control) {
    const creds = await control.get<{ client_id: string; client_secret: string; username: string; password: string }>('/datawiz/_control/credentials');
    return {
      DATAWIZ_CLIENT_ID: creds.client_id,
      DATAWIZ_CLIENT_SECRET: creds.client_secret,
      DATAWIZ_USERNAME: creds.username,
      DATAWIZ_PASSWORD: creds.password,
      DATAWIZ_PAGE_SIZE: '25',
    };
  },
  secrets: (env) => [env.DATAWIZ_CLIENT_SECRET!, env.DATAWIZ_PASSWORD!],
  async prepare(control, pool) {
    await pool.query('TRUNCATE datawiz_sale_products, datawiz_sale_shops, datawiz_sales, datawiz_products, datawiz_shops');
    return {
      submit: { method: 'POST', path: '/api/datawiz/sync', body: {} },
      expectEqual: () => expectDatawizEqualToSource(pool, control),
    };
  },
};

export const itresume: ReliabilitySource = {
  name: 'itresume',
  app: 'worker-itresume',
  start: startItResumeWorker,
  dataPath: '/itresume/api/statistics',
  isPage: (r) => r.path === '/itresume/api/statistics',
  reauth: false,
  detectsEmptyPage: false,
  async env(control, sandboxUrl) {
    const creds = await control.get<{ client: string; client_key: string }>('/itresume/_control/credentials');
    return { ITRESUME_BASE_URL: `${sandboxUrl}/itresume`, ITRESUME_CLIENT: creds.client, ITRESUME_CLIENT_KEY: creds.client_key, ITRESUME_DAILY_AT: '' };
  },
  secrets: (env) => [env.ITRESUME_CLIENT_KEY!],
  async prepare(control, pool, options) {
    await pool.query('TRUNCATE itresume_attempts');
    // One request per day: `large` is every seeded day.
    const end = options?.large ? '2026-04-10' : '2026-04-06';
    return {
      submit: { method: 'POST', path: '/api/itresume/sync', body: { start: '2026-04-01', end } },
      expectEqual: (runId) => expectItResumeEqualToSource(pool, control, '2026-04-01', end, runId),
    };
  },
};

export const allSources = [yclients, avito, datawiz, itresume];

/** The settings of every source, merged. */
export async function sourcesEnv(control: Control, sandboxUrl: string, sources = allSources): Promise<Record<string, string>> {
  return Object.assign({}, ...(await Promise.all(sources.map((s) => s.env(control, sandboxUrl))))) as Record<string, string>;
}

/** Our API, over HTTP, with an optional API key. */
export function gatewayClient(url: string, apiKey?: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (apiKey) headers['x-api-key'] = apiKey;
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
  const run = async (id: string) => (await call('GET', `/api/runs/${id}`)).body;
  return {
    call,
    run,
    async submit(s: Submit): Promise<string> {
      const res = await call(s.method, s.path, s.body);
      if (res.status !== 200 || typeof res.body?.parser_uuid !== 'string') throw new Error(`submit ${s.path}: ${res.status} ${res.text}`);
      return res.body.parser_uuid as string;
    },
    finished: (id: string, timeoutMs = 60_000) =>
      waitFor(
        async () => {
          const r = await run(id);
          return r.state === 'done' || r.state === 'failed' ? r : undefined;
        },
        { timeoutMs, what: `run ${id} to finish`, intervalMs: 50 },
      ),
  };
}

/** What every reliability test file runs against: its own database, sandbox and gateway (plus workers). */
export interface Bench {
  db: TestDatabase;
  sandbox: RunningSandbox;
  pool: pg.Pool;
  control: Control;
  env: Record<string, string>;
  stack: Stack;
  api: ReturnType<typeof gatewayClient>;
}

/**
 * Registers the file's beforeAll/afterAll: a test database, a sandbox, the settings of `sources`
 * (all by default) plus `env`, and a gateway with `workers` in this process (none by default).
 * The returned object is filled in before the first test.
 */
export function useBench(options: {
  sources?: ReliabilitySource[];
  env?: (b: { sandboxUrl: string; control: Control }) => Promise<Record<string, string>> | Record<string, string>;
  workers?: WorkerStarter[];
} = {}): Bench {
  const bench = {} as Bench;
  beforeAll(async () => {
    bench.db = await createTestDatabase();
    bench.sandbox = await startTestSandbox();
    bench.control = sandboxControl(bench.sandbox.url);
    bench.pool = new pg.Pool({ connectionString: bench.db.url, max: 3 });
    bench.env = testEnv(bench.db.url, bench.sandbox.url, {
      ...(await sourcesEnv(bench.control, bench.sandbox.url, options.sources)),
      ...(await options.env?.({ sandboxUrl: bench.sandbox.url, control: bench.control })),
    });
    bench.stack = await startStack(bench.env, { workers: options.workers ?? [] });
    bench.api = gatewayClient(bench.stack.gateway.url);
  }, 60_000);
  afterAll(async () => {
    await bench.stack?.close();
    await bench.pool?.end();
    await bench.sandbox?.close();
    await bench.db?.drop();
  });
  return bench;
}
