/**
 * `pnpm test:docker`: the product in containers, scaled out, checked end to end.
 *
 * Starts `dockerd` if none answers; makes sure the base images exist (pulled, or stood in from this
 * machine's Node, Debian mirror and CA bundle: scripts/docker/engine.ts, docker/standin/); builds the
 * project's image with docker/Dockerfile as it is (through docker/compose.yml's build section);
 * brings docker/compose.yml up under a unique project name with 4 workers of the scaled source (the
 * first of the registry with a workload, `test/e2e/<source>-docker.ts`); runs its workload through
 * the gateway; checks every run is `done`, the database equals the sandbox and more than one replica
 * worked (runs name their worker host, the container's hostname); scales to 1 and back to 4, running
 * work each time; tears down and checks no container, network or volume is left. Exits non-zero on
 * any failure.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sources } from '@datasync/sources';
import { ensureBaseImages, ensureEngine, hostCaBundle, log, root, run, runLogged } from './docker/engine';
import type { DockerApi, DockerWorkload } from './docker/workload';

const started = Date.now();
const project = `dstest${randomBytes(4).toString('hex')}`;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${project}-`));
const buildLog = path.join(workDir, 'build.log');
const replicas = 4;
const image = process.env.DATASYNC_IMAGE ?? 'datasync:test-docker';
const apiKey = randomBytes(16).toString('hex');

/** The source whose worker is scaled: the first of the registry with a workload file (folder convention). */
const scaled = sources.find((s) => fs.existsSync(path.join(root, `test/e2e/${s.name}-docker.ts`)));
if (!scaled) throw new Error('no source has a test/e2e/<source>-docker.ts workload');
const workload = ((await import(path.join(root, `test/e2e/${scaled.name}-docker.ts`))) as { default: DockerWorkload }).default;
const service = `worker-${scaled.name}`;

// The test reaches postgres and the sandbox from the host through ports published on 127.0.0.1 only
// (an override file, so docker/compose.yml itself stays as users run it).
const override = path.join(workDir, 'compose.test.yml');
fs.writeFileSync(
  override,
  ['version: "3.8"', 'services:', '  postgres:', '    ports: ["127.0.0.1::5432"]', '  sandbox:', '    ports: ["127.0.0.1::4010"]', ''].join(
    '\n',
  ),
);
// An empty env file: a developer's docker/.env must not change what is tested.
const envFile = path.join(workDir, 'empty.env');
fs.writeFileSync(envFile, '');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/** Compose's environment: only what is set here (a shell's REDIS_URL or NODE_ENV must not leak in). */
const composeEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: process.env.HOME ?? '/root',
  ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  DATASYNC_IMAGE: image,
  GATEWAY_API_KEY: apiKey,
  ...workload.env,
  LOG_LEVEL: 'info',
};

/** The Compose v2 plugin (`docker compose`) when installed, else the standalone `docker-compose` (1.29 here). */
const composeCli: [string, string[]] =
  spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? ['docker', ['compose']] : ['docker-compose', []];
const composeArgs = (args: string[]) => [
  ...composeCli[1],
  '-p',
  project,
  '--env-file',
  envFile,
  '-f',
  path.join(root, 'docker/compose.yml'),
  '-f',
  override,
  ...args,
];
function compose(args: string[], opts: { quiet?: boolean } = {}): string {
  if (!opts.quiet) log(`compose ${args.join(' ')}`);
  return run(composeCli[0], composeArgs(args), { cwd: root, env: composeEnv });
}
const composeLogged = (args: string[]) => {
  log(`compose ${args.join(' ')} (log: ${buildLog})`);
  runLogged(composeCli[0], composeArgs(args), buildLog, { cwd: root, env: composeEnv });
};
const hostPort = (service: string, port: number) => {
  const out = compose(['port', service, String(port)], { quiet: true }).trim();
  const m = /:(\d+)$/.exec(out);
  if (!m) throw new Error(`no published port for ${service}:${port} (${out})`);
  return Number(m[1]);
};
/** Running containers of a service: container name and hostname (what a run's `worker` starts with). */
function containers(service: string): { name: string; hostname: string; running: boolean }[] {
  const ids = compose(['ps', '-q', service], { quiet: true }).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  return run('docker', ['inspect', '-f', '{{.Name}} {{.Config.Hostname}} {{.State.Running}}', ...ids])
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', hostname = '', running = ''] = line.split(' ');
      return { name: name.replace(/^\//, ''), hostname, running: running === 'true' };
    });
}

function check(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`check failed: ${msg}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
/**
 * GET/POST JSON. A network error (a connection reset while the machine is loaded) is retried twice;
 * an HTTP error status is not. Every call here is safe to repeat: a repeated sync request gets the
 * same run id back, a repeated creation of upstream data only adds data nobody syncs.
 */
async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    // A referenced timer (AbortSignal.timeout's is not): a fetch stuck on a half-open connection to
    // a starting container must neither hang nor let Node exit with the await unsettled.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('no answer in 30 s')), 30_000);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, signal: ac.signal });
      text = await res.text();
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      if (attempt < 3) {
        await sleep(1000);
        continue;
      }
      throw new Error(`${init?.method ?? 'GET'} ${url}: ${cause}`);
    } finally {
      clearTimeout(timer);
    }
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} -> ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}

type Run = { id: string; state: string; error: unknown; worker: string | null; counts: Record<string, number> };

async function main(): Promise<void> {
  await ensureEngine();
  log(
    `engine ${run('docker', ['version', '-f', '{{.Server.Version}}']).trim()}; ${[composeCli[0], ...composeCli[1]].join(' ')} ${run(composeCli[0], [...composeCli[1], 'version', '--short']).trim()}`,
  );

  // Base images named by docker/Dockerfile and docker/compose.yml (their defaults).
  await ensureBaseImages({ node: 'node:24-bookworm-slim', postgres: 'postgres:15', redis: 'redis:7' }, buildLog);

  // The build trusts the machine's CA bundle through the Dockerfile's own CA_CERT_FILE argument.
  if (fs.existsSync(hostCaBundle)) {
    fs.copyFileSync(hostCaBundle, path.join(root, 'docker/certs/ca-certificates.crt'));
    composeEnv.CA_CERT_FILE = 'ca-certificates.crt';
  }
  let t = Date.now();
  composeLogged(['build', 'migrate']);
  log(
    `image ${image} built in ${((Date.now() - t) / 1000).toFixed(0)} s (${run('docker', ['image', 'inspect', '-f', '{{.Size}}', image])
      .trim()
      .replace(/\d{6}$/, '')} MB)`,
  );

  composeEnv.GATEWAY_PUBLISH_PORT = String(await freePort());
  try {
    await exercise();
  } catch (err) {
    try {
      console.error(compose(['ps'], { quiet: true }));
      console.error(compose(['logs', '--no-color', '--tail=40'], { quiet: true }));
    } catch {
      /* the failure below is what matters */
    }
    throw err;
  } finally {
    t = Date.now();
    compose(['down', '-v', '--remove-orphans', '--timeout', '20']);
    log(`down in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    const left = [
      ...run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).split('\n'),
      ...run('docker', ['ps', '-aq', '--filter', `name=${project}`]).split('\n'),
      ...run('docker', ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).split('\n'),
      ...run('docker', ['network', 'ls', '-q', '--filter', `name=${project}`]).split('\n'),
      ...run('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).split('\n'),
      ...run('docker', ['volume', 'ls', '-q', '--filter', `name=${project}`]).split('\n'),
    ].filter(Boolean);
    check(left.length === 0, `containers, networks or volumes left after down: ${left.join(' ')}`);
    log('nothing left: no container, network or volume of the project');
  }
}

/** The scaled source's sandbox credentials, as its declaration says where the fake publishes them. */
async function sandboxCredentials(sandbox: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const c of scaled!.sandbox.credentials ?? []) {
    const creds = await getJson<Record<string, unknown>>(`${sandbox}${c.path}`);
    for (const [name, key] of Object.entries(c.env)) {
      const value = key
        .split('.')
        .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), creds);
      if (typeof value === 'string') env[name] = value;
    }
  }
  return env;
}

async function exercise(): Promise<void> {
  // The sandbox first: the workers take its seeded credentials from the environment.
  compose(['up', '-d', '--no-build', 'sandbox']);
  const sandbox = `http://127.0.0.1:${hostPort('sandbox', 4010)}`;
  await waitFor('the sandbox', () => getJson(`${sandbox}/health`), 90_000);
  Object.assign(composeEnv, await sandboxCredentials(sandbox));

  let t = Date.now();
  compose(['up', '-d', '--no-build', '--scale', `${service}=${replicas}`]);
  const gateway = `http://127.0.0.1:${composeEnv.GATEWAY_PUBLISH_PORT}`;
  await waitFor('the gateway to be ready', () => getJson(`${gateway}/ready`, { headers: { 'x-api-key': apiKey } }), 120_000);
  const workers = containers(service);
  check(
    workers.length === replicas && workers.every((w) => w.running),
    `${replicas} running ${service} containers (got ${JSON.stringify(workers)})`,
  );
  await waitFor('every replica to consume', async () => allConsuming(workers) || undefined, 90_000);
  const migrate = run('docker', [
    'inspect',
    '-f',
    '{{.State.ExitCode}}',
    ...compose(['ps', '-q', 'migrate'], { quiet: true }).split('\n').filter(Boolean),
  ]).trim();
  check(migrate === '0', `migrate exited 0 (got ${migrate})`);
  log(
    `stack up in ${((Date.now() - t) / 1000).toFixed(0)} s: ${compose(['ps', '--services', '--filter', 'status=running'], { quiet: true }).trim().split('\n').join(', ')}`,
  );

  const db = new pg.Pool({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${hostPort('postgres', 5432)}/datasync`, max: 2 });
  try {
    const api: DockerApi = { gateway, sandbox, db, getJson };
    const bodies = await workload.first(api);

    t = Date.now();
    const runs = await runAll(api, workload.route, bodies);
    log(`${bodies.length} runs of ${scaled!.name} done by ${replicas} replicas in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const perReplica = report(runs, workers);
    check(Object.values(perReplica).filter((n) => n > 0).length > 1, 'jobs were processed by more than one replica');
    for (const body of bodies) await workload.expectEqualToSource(api, body);
    log(`database equals the sandbox for ${bodies.length} runs (${workload.compared})`);

    // The image's HEALTHCHECK (docker/healthcheck.mjs) reports the HTTP apps healthy.
    for (const name of ['gateway', 'sandbox']) {
      const id = compose(['ps', '-q', name], { quiet: true }).trim();
      await waitFor(
        `${name} to be healthy`,
        async () => run('docker', ['inspect', '-f', '{{.State.Health.Status}}', id]).trim() === 'healthy' || undefined,
        90_000,
      );
    }
    log('gateway and sandbox report healthy (image HEALTHCHECK)');
    // Every long-running service (each worker app in the image) is up and never crashed.
    const ids = compose(['ps', '-q'], { quiet: true }).split('\n').filter(Boolean);
    const states = run('docker', [
      'inspect',
      '-f',
      '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.RestartCount}}',
      ...ids,
    ])
      .trim()
      .split('\n');
    const bad = states.filter((l) => !l.startsWith('migrate ') && !/ running 0$/.test(l));
    check(bad.length === 0, `every service running, none restarted (not so: ${bad.join('; ')})`);
    log(
      `${states.length - 1} containers running, none restarted: ${[...new Set(states.map((l) => l.split(' ')[0]).filter((n) => n !== 'migrate'))].join(', ')}`,
    );

    // The other worker apps of the image take jobs too: a marketplaces catalogue import.
    const [catalog] = await runAll(api, '/api/marketplaces/catalog', [{}]);
    const marketplaces = containers('worker-marketplaces');
    check(
      marketplaces.some((w) => catalog?.worker?.startsWith(`${w.hostname}:`)),
      `the catalogue run was taken by worker-marketplaces (${catalog?.worker})`,
    );
    log(`marketplaces catalogue import done by ${marketplaces[0]?.name} (counts ${JSON.stringify(catalog?.counts)})`);

    // Scale in: one replica left takes every job.
    compose(['up', '-d', '--no-build', '--scale', `${service}=1`]);
    const one = containers(service);
    check(one.length === 1 && one[0]?.running, `one running ${service} after scaling to 1 (got ${JSON.stringify(one)})`);
    const newA = await workload.more(api, 2);
    const scaledIn = await runAll(api, workload.route, [workload.again, ...newA]);
    for (const r of scaledIn) check(r.worker?.startsWith(`${one[0].hostname}:`), `run ${r.id} taken by the one replica left (${r.worker})`);
    for (const body of newA) await workload.expectEqualToSource(api, body);
    log(`scaled to 1: ${scaledIn.length} runs done by ${one[0].name}`);

    // Scale out again: the new replicas take jobs too.
    compose(['up', '-d', '--no-build', '--scale', `${service}=${replicas}`]);
    const again = containers(service);
    check(
      again.length === replicas && again.every((w) => w.running),
      `${replicas} running ${service} after scaling back (got ${JSON.stringify(again)})`,
    );
    await waitFor('the new replicas to consume', async () => allConsuming(again) || undefined, 90_000);
    const newB = await workload.more(api, 8);
    const scaledOut = await runAll(api, workload.route, newB);
    const perReplicaAgain = report(scaledOut, again);
    check(
      Object.values(perReplicaAgain).filter((n) => n > 0).length > 1,
      'after scaling back, jobs were processed by more than one replica',
    );
    for (const body of newB) await workload.expectEqualToSource(api, body);
    log(`scaled back to ${replicas}: ${scaledOut.length} runs done, database equals the sandbox`);
  } finally {
    await db.end();
  }
}

/** Every replica has logged that it consumes its queue. */
const allConsuming = (workers: { name: string }[]) => workers.every((w) => run('docker', ['logs', w.name]).includes('worker consuming'));

/** POSTs each body to a gateway route that starts a run, all at once; every run must end `done`. */
async function runAll(api: { gateway: string }, route: string, bodies: object[]): Promise<Run[]> {
  const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
  const ids = await Promise.all(
    bodies.map(
      async (b) =>
        (await getJson<{ parser_uuid: string }>(`${api.gateway}${route}`, { method: 'POST', headers, body: JSON.stringify(b) }))
          .parser_uuid,
    ),
  );
  const runs = await Promise.all(
    ids.map((id) =>
      waitFor(
        `run ${id}`,
        async () => {
          const r = await getJson<Run>(`${api.gateway}/api/runs/${id}`, { headers });
          return r.state === 'done' || r.state === 'failed' ? r : undefined;
        },
        240_000,
      ),
    ),
  );
  for (const [i, r] of runs.entries())
    check(r.state === 'done', `${route} ${JSON.stringify(bodies[i])}: run ${r.id} is ${r.state} (${JSON.stringify(r.error)})`);
  return runs;
}

/** Prints and returns how many runs each replica (container) processed. */
function report(runs: Run[], workers: { name: string; hostname: string }[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(workers.map((w) => [w.name, 0]));
  for (const r of runs) {
    const host = r.worker?.split(':')[0];
    const w = workers.find((x) => x.hostname === host);
    check(w, `run ${r.id} names a worker (${r.worker}) that is one of the replicas`);
    counts[w.name] = (counts[w.name] ?? 0) + 1;
  }
  for (const w of workers) log(`  ${w.name} (host ${w.hostname}): ${counts[w.name]} job(s)`);
  return counts;
}

// Interrupted (Ctrl-C, CI timeout): take the project down before going.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: taking project ${project} down`);
    try {
      compose(['down', '-v', '--remove-orphans', '--timeout', '5'], { quiet: true });
    } finally {
      process.exit(130);
    }
  });
}

try {
  await main();
  log(`PASSED in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  fs.rmSync(workDir, { recursive: true, force: true });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  log(`FAILED after ${((Date.now() - started) / 1000).toFixed(0)} s (build log and compose files kept in ${workDir})`);
  process.exitCode = 1;
}
