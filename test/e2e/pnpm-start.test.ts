import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, waitFor, type TestDatabase } from '../helpers';
import { alive, deleteRedisPrefix, listening, processTree, startPnpmStart, waitUntilRunning, type PnpmStart } from '../helpers/pnpm-start';

/**
 * `pnpm start` as a newcomer meets it: a taken port is named before anything starts, and the stack
 * stops on Ctrl+C or on a stop request during start-up, leaving no process and no open port.
 * (SIGTERM to a backgrounded pnpm, once running: test/e2e/readme-examples.test.ts.)
 */
/** The advisory lock `prisma migrate deploy` takes for the length of a migration. */
const PRISMA_MIGRATE_LOCK = 72707369;
let db: TestDatabase;
const started: PnpmStart[] = [];
const prefixes: string[] = [];
const env = () => {
  prefixes.push(`t-${Math.random().toString(16).slice(2, 10)}`);
  return { DATABASE_URL: db.url, REDIS_PREFIX: prefixes.at(-1)!, LOG_LEVEL: 'warn' };
};

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const s of started) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      try {
        process.kill(-s.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const prefix of prefixes) await deleteRedisPrefix(prefix);
  await db?.drop();
});

/** Waits until none of `pids` lives and none of `ports` accepts connections. */
const allGone = (pids: number[], ports: number[]) =>
  waitFor(
    async () => {
      const open = (await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : undefined)))).filter(Boolean);
      return alive(pids).length === 0 && open.length === 0 ? true : undefined;
    },
    { timeoutMs: 30_000, what: 'every process gone and every port closed' },
  );

describe('pnpm start', () => {
  it('names a taken port and starts nothing', async () => {
    const blocker: Server = createServer();
    const s = await startPnpmStart(env());
    started.push(s);
    // The sandbox's port is taken by another program (started after the ports were chosen: pnpm
    // takes seconds to read its script, long before the check).
    await new Promise<void>((resolve) => blocker.listen(s.ports.sandbox, '127.0.0.1', resolve));
    try {
      const { code } = await s.exited;
      expect(code).toBe(1);
      expect(s.output()).toContain(`port ${s.ports.sandbox} on 127.0.0.1 (SANDBOX_PORT, the sandbox) is already in use by another program`);
      expect(s.output()).not.toContain('DataSync is running');
      expect(await listening(s.ports.gateway)).toBe(false);
      expect(await listening(s.ports.smtp)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 120_000);

  it('stops everything on Ctrl+C (SIGINT to its process group)', async () => {
    const s = await startPnpmStart(env());
    started.push(s);
    await waitUntilRunning(s);
    const tree = processTree(s.child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(8);
    process.kill(-s.child.pid!, 'SIGINT');
    await s.exited;
    await allGone(tree, [s.ports.gateway, s.ports.sandbox, s.ports.smtp]);
    expect(s.output()).toContain('stopping DataSync (SIGINT)');
  }, 240_000);

  it('stops cleanly when asked to during migrations, without a stack trace', async () => {
    // Holding prisma's migration lock keeps `pnpm start` in its migrations until we stop it.
    const lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`);
      const s = await startPnpmStart(env());
      started.push(s);
      await waitFor(
        async () => {
          const { rowCount } = await lock.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = ${PRISMA_MIGRATE_LOCK} AND NOT granted`,
          );
          return rowCount ? true : undefined;
        },
        { timeoutMs: 120_000, what: 'prisma to wait for the migration lock' },
      );
      const tree = processTree(s.child.pid!);
      process.kill(s.child.pid!, 'SIGTERM');
      await s.exited;
      await allGone(tree, [s.ports.gateway, s.ports.sandbox, s.ports.smtp]);
      expect(s.output()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(s.output()).not.toContain('DataSync is running');
    } finally {
      await lock.end();
    }
  }, 240_000);
});
