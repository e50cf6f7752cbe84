import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sources } from '@datasync/sources';
import { sourceNames, workerApp } from '@datasync/testkit';
import { composeChecks } from './docker-compose-checks';

/**
 * Checks docker/compose.yml without a Docker daemon. It asks, in this order, the Compose v2 plugin
 * (`docker compose config`), the standalone `docker-compose config` (Debian's 1.29, which must
 * accept the file), and, when neither is installed, parses the YAML itself: merge keys and
 * `${VAR:-default}` interpolation are resolved here the way Compose does it. The test name says
 * which path ran. DOCKER_CONFIG_TEST_VIA=plugin|standalone|yaml forces one.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const composeFile = path.join(root, 'docker/compose.yml');

type Via = 'plugin' | 'standalone' | 'yaml';
/** A service as `compose config` (or the YAML) writes it: the fields checked below. */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: unknown;
  environment: Record<string, string | number | undefined>;
  ports?: (string | { published: string | number; target: string | number })[];
  volumes?: (string | { target: string })[];
  healthcheck?: { disable?: boolean; test?: unknown };
  depends_on: Record<string, { condition: string } | undefined>;
  container_name?: string;
  restart?: string;
}
type Config = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const CLI: Record<Exclude<Via, 'yaml'>, [string, string[]]> = {
  plugin: ['docker', ['compose']],
  standalone: ['docker-compose', []],
};

function works(via: Exclude<Via, 'yaml'>): boolean {
  const [cmd, pre] = CLI[via];
  const r = spawnSync(cmd, [...pre, 'version'], { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

function pickVia(): Via {
  const forced = process.env.DOCKER_CONFIG_TEST_VIA;
  if (forced === 'plugin' || forced === 'standalone' || forced === 'yaml') return forced;
  if (works('plugin')) return 'plugin';
  if (works('standalone')) return 'standalone';
  return 'yaml';
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, $$ for a literal $. */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (m, name, op, def) => {
      if (m === '$$') return '$';
      const v = env[name];
      if (op === ':-') return v === undefined || v === '' ? def : v;
      if (op === '-') return v === undefined ? def : v;
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

/** The configuration Compose would run, with only `overrides` set in the environment. */
function loadConfig(via: Via, overrides: Record<string, string> = {}): Config {
  if (via === 'yaml') {
    const raw = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true }) as Config & { version?: string };
    expect(raw.version).toBe('3.8');
    return interpolate(raw, overrides) as Config;
  }
  const [cmd, pre] = CLI[via];
  // A clean environment: NODE_ENV=test from vitest or a developer's REDIS_URL must not leak in.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...overrides };
  const out = execFileSync(cmd, [...pre, '-f', composeFile, 'config'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return parse(out) as Config;
}

const healthcheckDisabled = (s: Service) =>
  s.healthcheck?.disable === true || (Array.isArray(s.healthcheck?.test) && s.healthcheck.test[0] === 'NONE');
const words = (cmd: unknown) => (Array.isArray(cmd) ? cmd.join(' ') : String(cmd ?? ''));
const published = (s: Service) => (s.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`));
const volumeTargets = (s: Service) => (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));

const via = pickVia();
/** Every app service: the shared ones and one worker per source of the kit's source list. */
const WORKERS = sourceNames.map(workerApp);
const APPS = ['migrate', 'gateway', 'sandbox', ...WORKERS];

describe(`docker/compose.yml (checked via ${via === 'yaml' ? 'YAML parse, no compose CLI installed' : via === 'plugin' ? '`docker compose config`' : '`docker-compose config`'})`, () => {
  const config = loadConfig(via);
  const svc = config.services as Record<'postgres' | 'redis' | 'migrate' | 'gateway' | 'sandbox', Service> & Record<string, Service>;

  it('has exactly the expected services', () => {
    expect(Object.keys(svc).sort()).toEqual(['postgres', 'redis', ...APPS].sort());
  });

  it('postgres: postgres:15 with a volume and a pg_isready healthcheck', () => {
    expect(svc.postgres.image).toBe('postgres:15');
    expect(volumeTargets(svc.postgres)).toContain('/var/lib/postgresql/data');
    expect(words(svc.postgres.healthcheck?.test)).toContain('pg_isready');
  });

  it('redis: redis:7 with --appendonly yes, a volume and a redis-cli ping healthcheck', () => {
    expect(svc.redis.image).toBe('redis:7');
    expect(words(svc.redis.command)).toMatch(/--appendonly yes/);
    expect(volumeTargets(svc.redis)).toContain('/data');
    expect(words(svc.redis.healthcheck?.test)).toContain('redis-cli ping');
  });

  it('the apps share one image built from docker/Dockerfile, run as their own command', () => {
    const images = new Set(APPS.map((name) => svc[name]!.image));
    expect([...images]).toEqual(['datasync:local']);
    for (const name of APPS) {
      expect(svc[name]!.build?.dockerfile).toBe('docker/Dockerfile');
      expect(path.resolve(root, 'docker', svc[name]!.build!.context)).toBe(root);
      expect(svc[name]!.environment.DATABASE_URL).toBe('postgresql://postgres:postgres@postgres:5432/datasync');
      expect(svc[name]!.environment.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(words(svc.gateway.command)).toBe('pnpm --filter @datasync/gateway start');
    expect(words(svc.sandbox.command)).toBe('pnpm --filter @datasync/sandbox start');
    for (const name of WORKERS) expect(words(svc[name]!.command), name).toBe(`pnpm --filter @datasync/${name} start`);
  });

  it('migrate: one-shot pnpm db:migrate after postgres is healthy', () => {
    expect(words(svc.migrate.command)).toBe('pnpm db:migrate');
    expect(svc.migrate.restart).toBe('no');
    expect(svc.migrate.depends_on.postgres?.condition).toBe('service_healthy');
    expect(svc.migrate.ports ?? []).toEqual([]);
  });

  it('gateway: port 3000 published, binds 0.0.0.0, waits for migrate and redis', () => {
    expect(published(svc.gateway)).toEqual(['3000:3000']);
    expect(svc.gateway.environment.GATEWAY_HOST).toBe('0.0.0.0');
    expect(svc.gateway.depends_on.migrate?.condition).toBe('service_completed_successfully');
    expect(svc.gateway.depends_on.redis?.condition).toBe('service_healthy');
    expect(svc.gateway.environment.HEALTHCHECK_URL).toBe('http://127.0.0.1:3000/health');
    expect(healthcheckDisabled(svc.gateway)).toBe(false);
  });

  it('sandbox: binds 0.0.0.0 on 4010, health-checked', () => {
    expect(svc.sandbox.environment.SANDBOX_HOST).toBe('0.0.0.0');
    expect(String(svc.sandbox.environment.SANDBOX_PORT)).toBe('4010');
    expect(svc.sandbox.environment.HEALTHCHECK_URL).toBe('http://127.0.0.1:4010/health');
  });

  for (const source of sources) {
    const name = workerApp(source.name);
    it(`${name}: scalable (no container_name, no host ports), talks to the sandbox with its sandbox settings`, () => {
      const w = svc[name]!;
      expect(w.container_name).toBeUndefined();
      expect(w.ports ?? []).toEqual([]);
      for (const [variable, at] of Object.entries(source.sandbox.upstreams))
        expect(w.environment[variable], variable).toBe(`http://sandbox:4010${at}`);
      for (const [variable, value] of Object.entries(source.sandbox.env ?? {}))
        expect(String(w.environment[variable]), variable).toBe(value);
      expect(w.depends_on.migrate?.condition).toBe('service_completed_successfully');
      expect(healthcheckDisabled(w)).toBe(true);
    });
  }

  for (const c of composeChecks) it(c.title, () => c.check(svc));

  it('worker-marketplaces: scalable (no container_name, no host ports), talks to the three marketplace fakes', () => {
    const w = svc['worker-marketplaces']!;
    expect(w.container_name).toBeUndefined();
    expect(w.ports ?? []).toEqual([]);
    expect([
      w.environment.OZON_BASE_URL,
      w.environment.WB_MARKETPLACE_BASE_URL,
      w.environment.WB_CONTENT_BASE_URL,
      w.environment.WB_ANALYTICS_BASE_URL,
      w.environment.YM_BASE_URL,
    ]).toEqual([
      'http://sandbox:4010/ozon',
      'http://sandbox:4010/wb/marketplace',
      'http://sandbox:4010/wb/content',
      'http://sandbox:4010/wb/analytics',
      'http://sandbox:4010/ym',
    ]);
    expect(w.environment.OZON_CLIENT_ID).toMatch(/^\d+$/);
    expect(w.depends_on.migrate?.condition).toBe('service_completed_successfully');
    expect(healthcheckDisabled(w)).toBe(true);
  });

  it('no service has a container_name', () => {
    for (const [name, s] of Object.entries(svc)) expect(s.container_name, name).toBeUndefined();
  });

  it('settings come from the environment', () => {
    // A worker's upstream base URL stands for every setting of a source.
    const source = sources[0];
    const worker = workerApp(source.name);
    const [upstream] = Object.keys(source.sandbox.upstreams) as [string];
    const custom = loadConfig(via, {
      GATEWAY_PUBLISH_PORT: '8080',
      GATEWAY_PORT: '3100',
      WORKER_CONCURRENCY: '7',
      POSTGRES_PASSWORD: 's3cret',
      REDIS_PREFIX: 'staging',
      [upstream]: 'https://upstream.example',
    }).services;
    expect(published(custom.gateway!)).toEqual(['8080:3100']);
    expect(String(custom.gateway!.environment.GATEWAY_PORT)).toBe('3100');
    expect(String(custom[worker]!.environment.WORKER_CONCURRENCY)).toBe('7');
    expect(custom[worker]!.environment[upstream]).toBe('https://upstream.example');
    expect(custom.postgres!.environment.POSTGRES_PASSWORD).toBe('s3cret');
    expect(custom.migrate!.environment.DATABASE_URL).toBe('postgresql://postgres:s3cret@postgres:5432/datasync');
    expect(custom.gateway!.environment.REDIS_PREFIX).toBe('staging');
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');

  it('is multi-stage on node:24-bookworm-slim, runs as non-root, with a CA build argument', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ARG CA_CERT_FILE=/m);
    expect(dockerfile).toMatch(/NODE_EXTRA_CA_CERTS=/);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });

  it('installs the tools it needs at run time at versions the root package.json pins', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const tools = dockerfile.match(/^ARG RUNTIME_TOOLS="([^"]+)"$/m)?.[1]?.split(/\s+/) ?? [];
    expect(tools).toEqual(expect.arrayContaining(['tsx', 'prisma']));
    for (const t of tools) expect({ ...pkg.dependencies, ...pkg.devDependencies }[t], t).toBeDefined();
  });
});
