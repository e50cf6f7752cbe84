import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis';
import { waitFor } from '@datasync/testkit';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface PnpmStart {
  child: ChildProcess;
  ports: { gateway: number; sandbox: number; smtp: number };
  gatewayUrl: string;
  sandboxUrl: string;
  /** Everything it printed so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Variables of the caller that would point `pnpm start` elsewhere than its own sandbox. */
const NOT_INHERITED = /^(.*_BASE_URL|SMTP_.*|WEBHOOK_SECRET|GATEWAY_.*|SANDBOX_.*|REDIS_PREFIX|DATABASE_URL|LOG_.*|NOTIFY_.*)$/;

/**
 * A real `pnpm start`, as a user runs it in the background (its own process group, like
 * `pnpm start &` in a terminal), on free ports, with its own database and Redis prefix.
 */
export async function startPnpmStart(env: Record<string, string>): Promise<PnpmStart> {
  const ports = { gateway: await freePort(), sandbox: await freePort(), smtp: await freePort() };
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !NOT_INHERITED.test(k)));
  const child = spawn('pnpm', ['start'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      GATEWAY_PORT: String(ports.gateway),
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_SMTP_PORT: String(ports.smtp),
      ...env,
    },
  });
  const chunks: string[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    ports,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    sandboxUrl: `http://127.0.0.1:${ports.sandbox}`,
    output: () => chunks.join(''),
    exited,
  };
}

/** Waits for the banner `pnpm start` prints once the gateway answers. */
export async function waitUntilRunning(start: PnpmStart, timeoutMs = 180_000): Promise<void> {
  let exited = false;
  void start.exited.then(() => (exited = true));
  await waitFor(
    () => {
      if (exited) throw new Error(`pnpm start exited:\n${start.output().slice(-3000)}`);
      return start.output().includes('DataSync is running') ? true : undefined;
    },
    { timeoutMs, intervalMs: 250, what: 'pnpm start to print "DataSync is running"' },
  );
}

/** Every live process descending from `pid` (pid included), from /proc. */
export function processTree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: fields resume after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid].filter((p) => parent.has(p));
  for (let i = 0; i < tree.length; i++) for (const [child, ppid] of parent) if (ppid === tree[i]) tree.push(child);
  return tree;
}

/** The processes of `pids` still alive (zombies count as gone). */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/** True when something accepts connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Deletes every Redis key a stack with `prefix` left behind (BullMQ queues, limiters, metrics, run logs). */
export async function deleteRedisPrefix(prefix: string, url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
