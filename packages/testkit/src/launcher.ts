import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeArgs } from '@datasync/config';
import { waitFor } from './wait';

/** The repository root (apps/<app>/src/main.ts are started from here). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A process of ours (gateway, worker, sandbox) started the way `pnpm start` runs it. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** JSON log lines the process printed so far. */
  lines: Record<string, unknown>[];
  /** Everything it printed (stdout and stderr), as text. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Sends `signal` (SIGTERM by default), SIGKILL after 10 s if it is still there, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}
/** The name the tests use for a worker's process. */
export type WorkerProcess = AppProcess;

export interface SpawnOptions {
  /** LOG_LEVEL of the process (default `info`, whatever `env` says: the lines are what tests read). */
  logLevel?: string;
  /** Node options before `--import tsx` (e.g. `--max-old-space-size=…`). */
  nodeArgs?: string[];
  /** Keep only the last this many log lines and output chunks (a long-lived process in the bench); all by default. */
  keep?: number;
}

/** Any app of apps/ as a real process under tsx (with its `pnpm start` node flags), with its JSON log captured. */
export function spawnApp(app: string, env: Record<string, string>, options: SpawnOptions = {}): AppProcess {
  const nodeArgs = [...startNodeArgs(path.join(root, 'apps', app)), ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'apps', app, 'src', 'main.ts')], {
    cwd: path.join(root, 'apps', app),
    env: { ...process.env, ...env, LOG_LEVEL: options.logLevel ?? 'info', LOG_PRETTY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  const chunks: string[] = [];
  const trim = () => {
    if (options.keep === undefined) return;
    if (lines.length > options.keep) lines.splice(0, lines.length - options.keep);
    if (chunks.length > options.keep) chunks.splice(0, chunks.length - options.keep);
  };
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
    trim();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString());
    trim();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name: app,
    child,
    lines,
    output: () => chunks.join(''),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A real worker process (what `pnpm start` runs), with its JSON log captured (at `info`, unless told). */
export function spawnWorker(app: `worker-${string}`, env: Record<string, string>, options: SpawnOptions = {}): WorkerProcess {
  return spawnApp(app, env, options);
}

/**
 * The first log line of `proc` whose `msg` is `msg`; fails if the process exits first or after
 * `timeoutMs`, with the end of what it printed.
 */
export async function waitForLine(proc: AppProcess, msg: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const find = () => proc.lines.find((l) => l.msg === msg);
  const logged = waitFor(find, { timeoutMs, what: `${proc.name} to log "${msg}"`, intervalMs: 50 });
  const died = proc.exited.then(() => {
    const line = find();
    if (line) return line;
    throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it logged "${msg}"`);
  });
  return Promise.race([logged, died]).catch((err: Error) => {
    throw new Error(`${err.message}; it printed: ${proc.output().slice(-2000)}`);
  });
}

/** A real gateway process on a free port; answers once it listens, with its URL. */
export async function spawnGateway(env: Record<string, string>, options: SpawnOptions = {}): Promise<AppProcess & { url: string }> {
  const gateway = spawnApp('gateway', { ...env, GATEWAY_PORT: '0' }, options);
  const listening = await waitForLine(gateway, 'gateway listening', 30_000);
  return { ...gateway, url: String(listening.url) };
}
