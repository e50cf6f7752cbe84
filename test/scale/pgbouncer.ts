import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { databaseUrl, waitFor } from '@datasync/testkit';

/**
 * A PgBouncer of the test's own (Debian's 1.18: `apt-get install pgbouncer`) in front of the
 * machine's PostgreSQL, in transaction mode: a server connection is the client's for one
 * transaction only. Its ini, auth file, pid and log live in a temp directory of its own; it listens
 * on one loopback port and no unix socket, and is stopped (and the directory removed) by `stop`, or
 * killed when the test process exits.
 */

/** Where the binary is (PATH, then Debian's /usr/sbin, which a non-root PATH may lack), or why not. */
export function findPgbouncer(): { path: string } | { reason: string } {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const file = path.join(dir, 'pgbouncer');
    try {
      accessSync(file, constants.X_OK);
      return { path: file };
    } catch {
      // not here
    }
  }
  return { reason: `no pgbouncer binary on PATH or in /usr/sbin (install it: apt-get install -y pgbouncer; .ci/run does)` };
}

export interface RunningPgbouncer {
  port: number;
  /** A database of the PostgreSQL server behind it, through PgBouncer (the wildcard entry routes any name). */
  url(database: string): string;
  /** A statement on PgBouncer's admin console (`SHOW STATS`, `SHOW SERVERS`, …). */
  admin(sql: string): Promise<Record<string, unknown>[]>;
  /** Transactions PgBouncer passed for `database` so far (`SHOW STATS`); 0 when it never saw it. */
  transactions(database: string): Promise<number>;
  /** What it logged, for a failure message. */
  log(): string;
  stop(): Promise<void>;
}

export async function startPgbouncer(binary: string, port: number): Promise<RunningPgbouncer> {
  const server = new URL(databaseUrl('postgres'));
  const user = decodeURIComponent(server.username || 'postgres');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'datasync-pgbouncer-'));
  const file = (name: string) => path.join(dir, name);
  writeFileSync(file('userlist.txt'), `"${user}" "${decodeURIComponent(server.password)}"\n`);
  writeFileSync(
    file('pgbouncer.ini'),
    [
      '[databases]',
      // Any database name goes to the same server: each test file's own database needs no entry.
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = trust',
      `auth_file = ${file('userlist.txt')}`,
      `admin_users = ${user}`,
      `logfile = ${file('pgbouncer.log')}`,
      `pidfile = ${file('pgbouncer.pid')}`,
      'max_client_conn = 500',
      'default_pool_size = 20',
      // Idle server connections are handed out in turn rather than the last one used first, so a
      // statement that wrongly relies on its previous server connection fails at once.
      'server_round_robin = 1',
      '',
    ].join('\n'),
  );
  const args = [file('pgbouncer.ini')];
  // PgBouncer refuses to run as root; it drops to `nobody`, which must own its directory.
  if (process.getuid?.() === 0) {
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    chownSync(dir, nobody, -1);
    args.unshift('-u', 'nobody');
  }
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = (database: string) => `postgresql://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url('pgbouncer') });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}): ${output}`);
        return (await admin('SHOW VERSION').catch(() => undefined)) ? true : undefined;
      },
      { what: `pgbouncer on 127.0.0.1:${port}`, timeoutMs: 15_000, intervalMs: 100 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    url,
    admin,
    async transactions(database) {
      const row = (await admin('SHOW STATS')).find((r) => r.database === database);
      return Number(row?.total_xact_count ?? 0);
    },
    log: () => output,
    stop,
  };
}
