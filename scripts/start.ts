/**
 * `pnpm start`: migrations, then the sandbox, the gateway and every worker against the local Redis
 * and PostgreSQL (REDIS_URL and DATABASE_URL override them). Upstream base URLs that are not set
 * point at the sandbox, so the product runs end to end with no credentials.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, sandboxUpstreams } from '@datasync/config';
import { migrate } from './migrate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env: Record<string, string | undefined> = { ...process.env };
const config = loadConfig(env);
const sandboxUrl = `http://127.0.0.1:${config.SANDBOX_PORT}`;

const usesSandbox: string[] = [];
for (const [name, prefix] of Object.entries(sandboxUpstreams)) {
  if (!env[name]) {
    env[name] = `${sandboxUrl}${prefix}`;
    usesSandbox.push(name);
  }
}
// The sandbox does not ban; real Avito does (one request every 30 s by default).
if (usesSandbox.includes('AVITO_BASE_URL')) env.AVITO_REQUESTS_PER_MINUTE ??= '600';
// The IT Resume fake's published test credentials (GET /itresume/_control/credentials); not a secret.

const apps = [
  { name: 'sandbox', dir: 'apps/sandbox', needed: usesSandbox.length > 0 },
  { name: 'gateway', dir: 'apps/gateway', needed: true },
  { name: 'worker-avito', dir: 'apps/worker-avito', needed: true },
  { name: 'worker-datawiz', dir: 'apps/worker-datawiz', needed: true },
  { name: 'worker-yclients', dir: 'apps/worker-yclients', needed: true },
  { name: 'worker-itresume', dir: 'apps/worker-itresume', needed: true },
  { name: 'worker-marketplaces', dir: 'apps/worker-marketplaces', needed: true },
];

await migrate(config.DATABASE_URL);

/**
 * Against the sandbox, a source's credentials are the sandbox's seeded ones: fill in those that are
 * not set, so every source runs end to end out of the box. Real credentials are never filled in.
 */
const sandboxCredentials: { baseUrl: string; path: string; env: Record<string, string> }[] = [
  {
    baseUrl: 'DATAWIZ_BASE_URL',
    path: '/datawiz/_control/credentials',
    env: { DATAWIZ_CLIENT_ID: 'client_id', DATAWIZ_CLIENT_SECRET: 'client_secret', DATAWIZ_USERNAME: 'username', DATAWIZ_PASSWORD: 'password' },
  },
  {
    baseUrl: 'YCLIENTS_BASE_URL',
    path: '/yclients/_control/credentials',
    env: { YCLIENTS_PARTNER_TOKEN: 'partnerToken', YCLIENTS_LOGIN: 'login', YCLIENTS_PASSWORD: 'password' },
  },
  { baseUrl: 'ITRESUME_BASE_URL', path: '/itresume/_control/credentials', env: { ITRESUME_CLIENT: 'client', ITRESUME_CLIENT_KEY: 'client_key' } },
  { baseUrl: 'OZON_BASE_URL', path: '/ozon/_control/credentials', env: { OZON_CLIENT_ID: 'Client-Id', OZON_API_KEY: 'Api-Key' } },
  { baseUrl: 'WB_MARKETPLACE_BASE_URL', path: '/wb/_control/credentials', env: { WB_TOKEN: 'tokens.full' } },
  { baseUrl: 'YM_BASE_URL', path: '/ym/_control/credentials', env: { YM_API_KEY: 'Api-Key' } },
];

/** A field of a credentials answer; `a.b` reads a nested one. */
const field = (creds: unknown, name: string): string | undefined => {
  const value = name.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), creds);
  return typeof value === 'string' ? value : undefined;
};

async function fillSandboxCredentials(): Promise<void> {
  for (let i = 0; i < 100 && !(await fetch(`${sandboxUrl}/health`).then((r) => r.ok, () => false)); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const source of sandboxCredentials) {
    if (!usesSandbox.includes(source.baseUrl)) continue;
    const creds: unknown = await (await fetch(`${sandboxUrl}${source.path}`)).json();
    for (const [name, key] of Object.entries(source.env)) env[name] ??= field(creds, key);
  }
}

const children: ChildProcess[] = [];
for (const app of apps.filter((a) => a.needed)) {
  if (app.name !== 'sandbox' && usesSandbox.length > 0 && children.length === 1) await fillSandboxCredentials();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, app.dir, 'src/main.ts')], {
    cwd: path.join(root, app.dir),
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${app.name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

const gateway = `http://127.0.0.1:${config.GATEWAY_PORT}`;
for (let i = 0; i < 100; i++) {
  const ok = await fetch(`${gateway}/health`).then((r) => r.ok, () => false);
  if (ok) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`
DataSync is running.
  API docs      ${gateway}/docs
  Dashboard     ${gateway}/admin/queues
  Runs          ${gateway}/api/runs        (or: pnpm datasync runs)
  Schedules     ${gateway}/api/schedules
  Metrics       ${gateway}/metrics
  Stock         ${gateway}/stock
  Try it        curl '${gateway}/api/avito/region?search=%D1%81%D0%BA%D0%BB%D0%B0%D0%B4'
${usesSandbox.length ? `  Upstreams     ${usesSandbox.join(', ')} → sandbox at ${sandboxUrl}\n` : ''}Press Ctrl+C to stop.
`);
