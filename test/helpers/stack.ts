import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config as Env } from '@datasync/sources';
import { startGateway, type RunningGateway } from '@datasync/gateway';
import { createLogger, type Logger } from '@datasync/logger';
import { startAvitoWorker } from '@datasync/worker-avito';
import { testPrefix, TEST_REDIS_URL } from './redis-keys';
import { waitFor } from './wait';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Settings for a test stack: fast retries, short locks, its own Redis prefix, everything local. */
export function testEnv(databaseUrl: string, sandboxUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    // Its keys are removed after the test file (test/setup/per-file.ts), and by the global teardown.
    REDIS_PREFIX: testPrefix(),
    GATEWAY_PORT: '0',
    // Tests poll run status in tight loops; the limiter itself is tested with its own low limit.
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
    // Tests probe every route with wrong keys; the wrong-key limit is tested with its default.
    GATEWAY_AUTH_FAILURES_PER_MINUTE: '1000000',
    AVITO_BASE_URL: `${sandboxUrl}/avito`,
    AVITO_REQUESTS_PER_MINUTE: '100000',
    DATAWIZ_BASE_URL: `${sandboxUrl}/datawiz`,
    // The marketplace URLs default to the real hosts: a test never reaches them.
    OZON_BASE_URL: `${sandboxUrl}/ozon`,
    WB_MARKETPLACE_BASE_URL: `${sandboxUrl}/wb/marketplace`,
    WB_CONTENT_BASE_URL: `${sandboxUrl}/wb/content`,
    WB_ANALYTICS_BASE_URL: `${sandboxUrl}/wb/analytics`,
    YM_BASE_URL: `${sandboxUrl}/ym`,
    HTTP_TIMEOUT_MS: '5000',
    HTTP_RETRIES: '4',
    HTTP_RETRY_BASE_MS: '20',
    HTTP_RETRY_MAX_MS: '300',
    JOB_ATTEMPTS: '3',
    JOB_BACKOFF_MS: '200',
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '2',
    ...extra,
  };
}

export type WorkerStarter = (config: Env, log: Logger) => Promise<{ close(): Promise<void> }>;

export interface Stack {
  env: Record<string, string>;
  config: Env;
  gateway: RunningGateway;
  close(): Promise<void>;
}

/**
 * The gateway and the given workers (default: the Avito worker; [] for none) in this process, over
 * real HTTP, Redis and Postgres.
 */
export async function startStack(env: Record<string, string>, options: { workers?: WorkerStarter[] } = {}): Promise<Stack> {
  const config = loadConfig(env);
  const log = createLogger({ name: 'test', level: config.LOG_LEVEL });
  const gateway = await startGateway(config, log);
  const workers = await Promise.all((options.workers ?? [startAvitoWorker]).map((start) => start(config, log)));
  return {
    env,
    config,
    gateway,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await gateway.close();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** JSON log lines the process printed so far. */
  lines: Record<string, unknown>[];
  /** Everything it printed (stdout and stderr), as text. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A real worker process (what `pnpm start` runs), with its JSON log captured (at `info`, unless told). */
export function spawnWorker(app: `worker-${string}`, env: Record<string, string>, options: { logLevel?: string } = {}): WorkerProcess {
  return spawnApp(app, env, options);
}

/** A real gateway process on a free port; answers once it listens, with its URL. */
export async function spawnGateway(env: Record<string, string>, options: { logLevel?: string } = {}): Promise<WorkerProcess & { url: string }> {
  const gateway = spawnApp('gateway', { ...env, GATEWAY_PORT: '0' }, options);
  const listening = await waitFor(() => gateway.lines.find((l) => l.msg === 'gateway listening'), {
    timeoutMs: 30_000,
    what: 'the gateway process to listen',
  }).catch((err: Error) => {
    throw new Error(`${err.message}; it printed: ${gateway.output().slice(-2000)}`);
  });
  return { ...gateway, url: String(listening.url) };
}

/** Any app of apps/ as a real process, with its JSON log captured (at `info`, unless told). */
export function spawnApp(app: string, env: Record<string, string>, options: { logLevel?: string } = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps', app, 'src', 'main.ts')], {
    cwd: path.join(root, 'apps', app),
    env: { ...process.env, ...env, LOG_LEVEL: options.logLevel ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  const chunks: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString());
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    output: () => chunks.join(''),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
