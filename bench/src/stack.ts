import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrate } from '@datasync/db/migrate';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A process of ours (sandbox, gateway, worker) started the way `pnpm start` runs it. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The first log line matching the ready test. */
  ready: Record<string, unknown>;
  /** Peak resident set size so far (VmHWM), in MiB; undefined once the process is gone. */
  peakRssMb(): number | undefined;
  stop(): Promise<void>;
}

/** Peak RSS of a live process from /proc (Linux), in MiB. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a live process has used, in seconds (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs `apps/<app>/src/main.ts` under tsx with the given environment and resolves once it logs a
 * line whose `msg` is `readyMsg` (its JSON log lines are read from stdout).
 */
export async function startApp(app: string, env: Record<string, string>, readyMsg: string, nodeArgs: string[] = [], timeoutMs = 60_000): Promise<AppProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'apps', app, 'src', 'main.ts')], {
    cwd: path.join(root, 'apps', app),
    env: { ...process.env, ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'info', LOG_PRETTY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${app} did not log "${readyMsg}" within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${app} exited (${child.exitCode ?? child.signalCode}) before it was ready: ${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (entry.level === 50 || entry.level === 'error') stderr = `${stderr}\n${line}`.slice(-4000);
        if (entry.msg === readyMsg) {
          clearTimeout(timer);
          resolve(entry);
        }
      }
    });
  });
  return {
    name: app,
    child,
    pid: child.pid!,
    ready,
    peakRssMb: () => peakRssMb(child.pid!),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A migrated database of the bench's own, dropped at the end. */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = databaseUrl(`datasync_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`);
  await migrate(url, { quiet: true });
  return {
    url,
    async drop() {
      const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Deletes every Redis key whose name starts with the bench's own random prefix (nothing else is touched). */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** JSON over HTTP to the sandbox's control endpoints. */
export function control(baseUrl: string) {
  const call = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return {
    get: <T>(p: string) => call<T>('GET', p),
    post: <T>(p: string, body?: unknown) => call<T>('POST', p, body),
    delete: (p: string) => call<void>('DELETE', p),
  };
}
export type Control = ReturnType<typeof control>;
