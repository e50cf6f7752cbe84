/**
 * `pnpm start`: migrations, then the sandbox, the gateway and every worker against the local Redis
 * and PostgreSQL (REDIS_URL and DATABASE_URL override them). Upstream base URLs that are not set
 * point at the sandbox, so the product runs end to end with no credentials. Without DATASYNC_KEYS a
 * development key ring is made (scripts/start/dev-keys.ts), and against the sandbox every sandbox
 * account becomes a connection (scripts/start/sandbox-connections.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationDatabaseUrl, startNodeArgs } from '@datasync/config';
import { createDb } from '@datasync/db';
import { parseKeyRing } from '@datasync/connections';
import { loadConfig, sandboxUpstreams, sources } from '@datasync/sources';
import { migrate } from './migrate';
import { checkPorts } from './start/ports';
import { devKeyRing } from './start/dev-keys';
import { ensureSandboxConnections } from './start/sandbox-connections';
import { onStopRequest } from './start/signals';
import { useSandboxOutputs } from './start/sandbox-outputs';
import { createTerminal } from './terminal';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env: Record<string, string | undefined> = { ...process.env };
// The sandbox's mail catcher; its own port, checked with the others below.
env.SANDBOX_SMTP_PORT ??= '2525';
// Connections' credentials are sealed under DATASYNC_KEYS; without one, a development key ring (never in production).
let ring;
try {
  ring = parseKeyRing(env.DATASYNC_KEYS);
  if (!ring) {
    const dev = devKeyRing(root);
    env.DATASYNC_KEYS = dev.value;
    ring = dev.ring;
    console.log(dev.note);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const config = loadConfig(env);
// The apps write JSON; this terminal shows it as human lines unless LOG_PRETTY=false (scripts/terminal.ts).
const terminal = createTerminal({ pretty: env.LOG_PRETTY === undefined || config.LOG_PRETTY, colors: process.stdout.isTTY === true });
env.LOG_PRETTY = 'false';
const sandboxUrl = `http://127.0.0.1:${config.SANDBOX_PORT}`;

const usesSandbox: string[] = [];
for (const [name, prefix] of Object.entries(sandboxUpstreams)) {
  if (!env[name]) {
    env[name] = `${sandboxUrl}${prefix}`;
    usesSandbox.push(name);
  }
}
// Settings a source needs only against the sandbox (a rate limit its fake does not enforce).
for (const source of sources) {
  if (!Object.keys(source.sandbox.upstreams).some((name) => usesSandbox.includes(name))) continue;
  for (const [name, value] of Object.entries(source.sandbox.env ?? {})) env[name] ??= value;
}
// Against the sandbox, the README's webhook examples deliver to the sandbox's catcher on 127.0.0.1,
// a loopback address webhooks are otherwise refused (NOTIFY_ALLOW_PRIVATE); a deployment with
// real upstreams keeps the refusal unless it says otherwise.
if (usesSandbox.length > 0) env.NOTIFY_ALLOW_PRIVATE ??= 'true';
// Notifications go to the sandbox's catchers.
if (usesSandbox.length > 0) useSandboxOutputs(env, config.SANDBOX_SMTP_PORT ?? 2525);

const apps = [
  { name: 'sandbox', dir: 'apps/sandbox', needed: usesSandbox.length > 0 },
  { name: 'gateway', dir: 'apps/gateway', needed: true },
  // One worker per source of the registry, in its folder (apps/worker-<name>).
  ...sources.map((s) => ({ name: `worker-${s.name}`, dir: `apps/worker-${s.name}`, needed: true })),
];

// Stop requests are heard from the first moment: a Ctrl+C during migrations leaves nothing behind.
let stopping = false;
const children: ChildProcess[] = [];
onStopRequest((why) => void stop(0, why));

const portProblem = await checkPorts([
  {
    variable: 'GATEWAY_PORT',
    port: config.GATEWAY_PORT,
    host: config.GATEWAY_HOST ?? (config.GATEWAY_API_KEY ? '0.0.0.0' : '127.0.0.1'),
    what: 'the gateway',
  },
  ...(apps[0]!.needed
    ? [
        { variable: 'SANDBOX_PORT', port: config.SANDBOX_PORT, host: config.SANDBOX_HOST, what: 'the sandbox' },
        {
          variable: 'SANDBOX_SMTP_PORT',
          port: config.SANDBOX_SMTP_PORT ?? 2525,
          host: config.SANDBOX_HOST,
          what: "the sandbox's mail catcher",
        },
      ]
    : []),
]);
if (portProblem) {
  console.error(portProblem);
  process.exit(1);
}

try {
  // Prisma's 25-line report is for `pnpm db:migrate`; here one line says the database is ready (errors still show).
  await migrate(migrationDatabaseUrl(config), { quiet: true });
  console.log(`database ${new URL(config.DATABASE_URL).pathname.slice(1)} is migrated`);
} catch (err) {
  // Stopped mid-migration: the signal reached prisma's process too; say so without a stack trace.
  const signal = (err as { signal?: string }).signal;
  if (!signal) throw err;
  console.error(`stopped during migrations (${signal})`);
  process.exit(1);
}

/**
 * Against the sandbox, a source's credentials are the sandbox's seeded ones (its declaration says
 * where the fake publishes them): fill in those that are not set, so every source runs end to end
 * out of the box. Real credentials are never filled in.
 */
const sandboxCredentials = sources.flatMap((s) => s.sandbox.credentials ?? []);

/** A field of a credentials answer; `a.b` reads a nested one. */
const field = (creds: unknown, name: string): string | undefined => {
  const value = name
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), creds);
  return typeof value === 'string' ? value : undefined;
};

async function fillSandboxCredentials(): Promise<void> {
  for (
    let i = 0;
    i < 100 &&
    !stopping &&
    !(await fetch(`${sandboxUrl}/health`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const source of sandboxCredentials) {
    if (stopping) return;
    if (!usesSandbox.includes(source.upstream)) continue;
    const creds: unknown = await (await fetch(`${sandboxUrl}${source.path}`)).json();
    for (const [name, key] of Object.entries(source.env)) env[name] ??= field(creds, key);
  }
  if (stopping) return;
  // One connection per sandbox account, before the gateway and workers start (they read them per run).
  const db = createDb({ url: config.DATABASE_URL, poolMax: 2, applicationName: 'datasync-start' });
  try {
    const made = await ensureSandboxConnections({
      pool: db.pool,
      ring: ring!,
      sandboxUrl,
      sources,
      usesSandbox,
      warn: (line) => console.error(`connections: ${line}`),
    });
    if (made.length > 0) {
      console.log(
        `sandbox accounts as connections (${made.filter((c) => c.outcome !== 'kept').length} new, ${made.filter((c) => c.outcome === 'kept').length} kept):`,
      );
      for (const c of made)
        console.log(`  ${c.source.padEnd(13)} ${c.name.padEnd(18)} ${c.id}${c.outcome === 'kept' ? '' : `  (${c.outcome})`}`);
    }
  } finally {
    await db.close();
  }
}

for (const app of apps.filter((a) => a.needed)) {
  if (app.name !== 'sandbox' && usesSandbox.length > 0 && children.length === 1) await fillSandboxCredentials();
  if (stopping) break;
  const child = spawn(
    process.execPath,
    [...startNodeArgs(path.join(root, app.dir)), '--import', 'tsx', path.join(root, app.dir, 'src/main.ts')],
    {
      cwd: path.join(root, app.dir),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  terminal.attach(app.name, child.stdout!, process.stdout);
  terminal.attach(app.name, child.stderr!, process.stderr);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${app.name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
}

/** Every service gets SIGTERM and time to close; one that hangs is killed after 15 s. */
async function stop(code: number, why?: string): Promise<void> {
  const STOP_GRACE_MS = 15_000;
  if (stopping) return;
  stopping = true;
  if (why) console.error(`stopping DataSync (${why})`);
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const hung = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
          c.once('exit', () => {
            clearTimeout(hung);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}

const gateway = `http://127.0.0.1:${config.GATEWAY_PORT}`;
const example = sources.find((s) => s.example)?.example;
// The banner comes last: after every app has said it is up (their start-up lines above it), and
// only once the gateway answers.
const late = await terminal.ready(
  apps.filter((a) => a.needed).map((a) => a.name),
  120_000,
);
if (late.length && !stopping) console.error(`not up after 120 s: ${late.join(', ')}`);
let healthy = false;
for (let i = 0; i < 300 && !stopping && !healthy; i++) {
  healthy = await fetch(`${gateway}/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (!healthy) await new Promise((r) => setTimeout(r, 200));
}
if (!healthy && !stopping) {
  console.error(`the gateway did not answer ${gateway}/health within a minute; stopping everything`);
  void stop(1);
}
if (healthy && !stopping)
  console.log(`
DataSync is running.
  API docs      ${gateway}/docs
  Dashboard     ${gateway}/admin/queues
  Runs          ${gateway}/api/runs        (or: pnpm datasync runs)
  Schedules     ${gateway}/api/schedules
  Metrics       ${gateway}/metrics
  Stock         ${gateway}/stock
${example ? `  Try it        curl '${gateway}${example}'\n` : ''}${usesSandbox.length ? `  Upstreams     ${usesSandbox.join(', ')} → sandbox at ${sandboxUrl}\n` : ''}Press Ctrl+C to stop.
`);
