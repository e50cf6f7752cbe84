import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import {
  createTestDatabase,
  gatewayClient,
  sandboxControl,
  sourceNames,
  startStack,
  startTestSandbox,
  testEnv,
  type Stack,
  type TestDatabase,
  type WorkerStarter,
} from '@datasync/testkit';
import type { Control, ReliabilitySource, Submit } from './source';

export { gatewayClient };
export type { Control, ReliabilitySource, Submit, Target } from './source';

/**
 * The sources the reliability suite runs every fault against: each source that declares
 * `test/e2e/<source>/reliability.ts` (the kit's source list, in its order). Nothing here names one.
 */
const e2e = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../e2e');
export const allSources: ReliabilitySource[] = await Promise.all(
  sourceNames
    .filter((name) => existsSync(path.join(e2e, name, 'reliability.ts')))
    .map(async (name) => ((await import(`../e2e/${name}/reliability.ts`)) as { reliability: ReliabilitySource }).reliability),
);

/** One source of the suite by name (for a test about one source's own behaviour). */
export function reliabilitySource(name: string): ReliabilitySource {
  const found = allSources.find((s) => s.name === name);
  if (!found) throw new Error(`no test/e2e/${name}/reliability.ts`);
  return found;
}

/** The first source whose own sync route is a `method` request (a test of that kind of route takes it). */
export function sourceWithRoute(method: Submit['method']): ReliabilitySource {
  const found = allSources.find((s) => s.route(s.params(0)).method === method);
  if (!found) throw new Error(`no reliability source has a ${method} sync route`);
  return found;
}

/** The first source whose params differ for distinct `n` (one with `skip`, when given, for a second such source). */
export function sourceWithDistinctParams(...skip: ReliabilitySource[]): ReliabilitySource {
  const found = allSources.find((s) => !skip.includes(s) && JSON.stringify(s.params(0)) !== JSON.stringify(s.params(1)));
  if (!found) throw new Error('not enough reliability sources whose job takes parameters');
  return found;
}

/** A body of the generic routes (POST /api/runs, /api/schedules) for `source`: its name, job and n-th params. */
export const runBody = (source: ReliabilitySource, n = 0) => ({ source: source.name, job: source.job, params: source.params(n) });

/** `submit` asking for a webhook to `url` when its run ends: a query parameter on a GET route, `notify` in a POST body. */
export function withNotify(submit: Submit, url: string): Submit {
  return submit.method === 'GET'
    ? { ...submit, path: `${submit.path}${submit.path.includes('?') ? '&' : '?'}notifyWebhookUrl=${encodeURIComponent(url)}` }
    : { ...submit, body: { ...(submit.body as object), notify: { webhookUrl: url } } };
}

/** The settings of every source, merged. */
export async function sourcesEnv(control: Control, sandboxUrl: string, sources = allSources): Promise<Record<string, string>> {
  return Object.assign({}, ...(await Promise.all(sources.map((s) => s.env(control, sandboxUrl))))) as Record<string, string>;
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
 * `appsDatabaseUrl`: how the gateway and workers reach the database (e.g. through a pooler); the
 * test's own `pool` stays direct. The returned object is filled in before the first test.
 */
export function useBench(
  options: {
    sources?: ReliabilitySource[];
    env?: (b: { sandboxUrl: string; control: Control }) => Promise<Record<string, string>> | Record<string, string>;
    workers?: WorkerStarter[];
    appsDatabaseUrl?: (db: TestDatabase) => string;
  } = {},
): Bench {
  const bench = {} as Bench;
  beforeAll(async () => {
    bench.db = await createTestDatabase();
    bench.sandbox = await startTestSandbox();
    bench.control = sandboxControl(bench.sandbox.url);
    bench.pool = new pg.Pool({ connectionString: bench.db.url, max: 3 });
    bench.env = testEnv(options.appsDatabaseUrl?.(bench.db) ?? bench.db.url, bench.sandbox.url, {
      // Through a pooler the README's set-up names the direct server, which keeps statements unnamed.
      ...(options.appsDatabaseUrl ? { DIRECT_DATABASE_URL: bench.db.url } : {}),
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
