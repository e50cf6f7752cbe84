import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrate } from '@datasync/db/migrate';
import { sandboxControl, spawnApp, waitForLine, type AppProcess as KitProcess, type SandboxControl } from '@datasync/testkit';

export { root } from '@datasync/testkit';

/** A process of ours (sandbox, gateway, worker) started the way `pnpm start` runs it (the kit's launcher), once ready. */
export interface AppProcess extends KitProcess {
  pid: number;
  /** The first log line matching the ready test. */
  ready: Record<string, unknown>;
  /** Peak resident set size so far (VmHWM), in MiB; undefined once the process is gone. */
  peakRssMb(): number | undefined;
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
 * Runs `apps/<app>/src/main.ts` under tsx with the given environment (the kit's launcher) and
 * resolves once it logs a line whose `msg` is `readyMsg`.
 */
export async function startApp(
  app: string,
  env: Record<string, string>,
  readyMsg: string,
  nodeArgs: string[] = [],
  timeoutMs = 60_000,
): Promise<AppProcess> {
  // Only the recent output is kept: a bench process logs for minutes.
  const proc = spawnApp(app, env, { logLevel: env.LOG_LEVEL ?? 'info', nodeArgs, keep: 200 });
  let ready: Record<string, unknown>;
  try {
    ready = await waitForLine(proc, readyMsg, timeoutMs);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
  const pid = proc.child.pid!;
  return { ...proc, pid, ready, peakRssMb: () => peakRssMb(pid) };
}

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * BENCH_POOLED_DATABASE_URL: a pooler in front of that server (PgBouncer in transaction mode, README
 * "PgBouncer"), through which the gateway and workers reach the bench's database; the bench itself
 * creates, migrates, reads and drops it directly.
 */
const POOLED_SERVER_URL = process.env.BENCH_POOLED_DATABASE_URL;

/** A migrated database of the bench's own, dropped at the end; `appsUrl` is how the apps reach it. */
export async function createBenchDatabase(): Promise<{ url: string; appsUrl: string; drop(): Promise<void> }> {
  const name = `datasync_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = databaseUrl(name);
  await migrate(url, { quiet: true });
  const pooled = POOLED_SERVER_URL ? new URL(POOLED_SERVER_URL) : undefined;
  if (pooled) pooled.pathname = `/${name}`;
  return {
    url,
    appsUrl: pooled?.toString() ?? url,
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

/** JSON over HTTP to the sandbox's control endpoints (the kit's client). */
export const control = sandboxControl;
export type Control = SandboxControl;
