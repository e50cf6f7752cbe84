import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@datasync/testkit';

/**
 * redis-server processes of a scale test on fixed loopback ports (7100–7199 belong to these tests),
 * each in a temporary directory of its own, with no persistence. They are stopped by `stop()` of the
 * group, which the test registers in afterAll (so also on failure).
 */

const run = promisify(execFile);

/** Why the Redis scale tests cannot run here (a binary missing), or undefined when they can. */
export function missingRedisBinaries(): string | undefined {
  const missing = ['redis-server', 'redis-cli'].filter((bin) => spawnSync(bin, ['--version']).error !== undefined);
  return missing.length > 0 ? `${missing.join(' and ')} not found on PATH (apt-get install redis-server)` : undefined;
}

/** `redis-cli -p <port> <args…>`'s answer (throws when it cannot connect). */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

export interface RedisProcess {
  port: number;
  child: ChildProcess;
  /** Resolves with the signal (or exit code) the process ended with. */
  exited: Promise<NodeJS.Signals | number | null>;
}

export class RedisGroup {
  readonly processes: RedisProcess[] = [];
  private root?: string;
  /** The group's temporary directory (made on first use: a skipped test makes none). */
  get dir(): string {
    return (this.root ??= mkdtempSync(path.join(tmpdir(), 'datasync-scale-redis-')));
  }

  /** One redis-server (or sentinel, with `--sentinel` among `args`) on `port`; resolves once it answers PING. */
  async start(port: number, args: string[], configText?: string): Promise<RedisProcess> {
    // A server of an earlier, aborted run of this test on our port is ours: shut it down.
    await cli(port, 'shutdown', 'nosave').catch(() => undefined);
    const dir = path.join(this.dir, String(port));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const argv = [...args];
    if (configText !== undefined) {
      const file = path.join(this.dir, `${port}.conf`);
      writeFileSync(file, configText);
      argv.unshift(file);
    }
    const child = spawn('redis-server', [...argv, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const proc = { port, child, exited };
    this.processes.push(proc);
    await waitFor(async () => ((await cli(port, 'ping').catch(() => '')) === 'PONG' ? true : undefined), {
      what: `redis-server on ${port} to answer`,
      timeoutMs: 15_000,
    });
    return proc;
  }

  /** SIGKILLs every process of the group and removes their directories. */
  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        await p.exited;
      }),
    );
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }
}

/** Data-node options: nothing saved to disk (`--save ''`, no AOF). */
const EPHEMERAL = ['--save', '', '--appendonly', 'no'];

/**
 * Three `redis-server --cluster-enabled yes` joined by `redis-cli --cluster create` (no replicas:
 * each master owns a third of the slots); resolves once `cluster_state:ok`.
 */
export async function startRedisCluster(group: RedisGroup, ports: number[]): Promise<string> {
  for (const port of ports)
    await group.start(port, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      '5000',
      ...EPHEMERAL,
    ]);
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
    timeout: 30_000,
  });
  for (const port of ports)
    await waitFor(async () => ((await cli(port, 'cluster', 'info')).includes('cluster_state:ok') ? true : undefined), {
      what: `the cluster to be ok on ${port}`,
      timeoutMs: 30_000,
    });
  return ports.map((p) => `127.0.0.1:${p}`).join(',');
}

/** The master name the sentinels of `startSentinelGroup` monitor. */
export const SENTINEL_MASTER = 'datasync-master';

/**
 * A master, a replica of it and three sentinels (quorum 2) that declare the master down after 1 s
 * of silence; resolves once every sentinel knows the replica and the two other sentinels, so a
 * failover can be agreed.
 */
export async function startSentinelGroup(
  group: RedisGroup,
  ports: { master: number; replica: number; sentinels: number[] },
): Promise<{ master: RedisProcess; replica: RedisProcess; sentinels: string }> {
  const master = await group.start(ports.master, EPHEMERAL);
  const replica = await group.start(ports.replica, [...EPHEMERAL, '--replicaof', '127.0.0.1', String(ports.master)]);
  for (const port of ports.sentinels) {
    const conf = [
      `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${ports.master} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
      '',
    ].join('\n');
    await group.start(port, ['--sentinel'], conf);
  }
  for (const port of ports.sentinels)
    await waitFor(
      async () => {
        const replicas = await cli(port, 'sentinel', 'replicas', SENTINEL_MASTER);
        const others = await cli(port, 'sentinel', 'sentinels', SENTINEL_MASTER);
        return replicas.includes(String(ports.replica)) &&
          ports.sentinels.filter((p) => p !== port).every((p) => others.includes(String(p)))
          ? true
          : undefined;
      },
      { what: `sentinel ${port} to know the replica and the other sentinels`, timeoutMs: 30_000, intervalMs: 200 },
    );
  return { master, replica, sentinels: ports.sentinels.map((p) => `127.0.0.1:${p}`).join(',') };
}

/** The port the sentinel on `sentinelPort` names as the master's. */
export async function masterPortPerSentinel(sentinelPort: number): Promise<number> {
  const answer = await cli(sentinelPort, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER);
  return Number(answer.split('\n')[1]);
}
