import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, databaseUrl, root, TEST_DB_PREFIX, type TestDatabase, type WorkerProcess } from '../helpers';
import { yclientsE2eSuite } from '../e2e/yclients/suite';
import { expectKillsSurvived } from '../reliability/kill-mid-run';
import { reliabilitySource, useBench } from '../reliability/sources';
import { findPgbouncer, startPgbouncer, type RunningPgbouncer } from './pgbouncer';

/**
 * DataSync through PgBouncer in transaction mode (README "PgBouncer"): the apps' DATABASE_URL points
 * at a PgBouncer the test starts on 127.0.0.1:6541, while the test's own checks and comparisons go
 * to PostgreSQL directly. First proof that this PgBouncer really breaks what transaction mode
 * forbids (a named prepared statement, a session advisory lock), then the YClients end-to-end suite,
 * its reliability kill test and `pnpm bench --smoke` through it, each checked to have passed its
 * transactions through PgBouncer. Without the binary every test is reported skipped, with the reason.
 */
const PORT = 6541;
const binary = findPgbouncer();
if (!('path' in binary)) console.warn(`PgBouncer tests SKIPPED: ${binary.reason}`);

let bouncer: RunningPgbouncer;
/** The databases the apps were pointed at through PgBouncer. */
const pooled = new Set<string>();
const appsDatabaseUrl = (db: TestDatabase) => {
  pooled.add(db.name);
  return bouncer.url(db.name);
};

/** A command of the repository with `env` on top of the environment; its exit code and output. */
function run(command: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Prisma's migration lock (`pg_advisory_lock(72707369)`), as held by sessions on `database`. */
const migrationLocks = async (database: string) =>
  (
    await adminQuery(
      `SELECT a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid)
       WHERE l.locktype = 'advisory' AND l.objid = 72707369 AND a.datname = '${database}'`,
    )
  ).rows as { state: string }[];

describe.skipIf(!('path' in binary))('through PgBouncer 1.18 in transaction mode', () => {
  beforeAll(async () => {
    bouncer = await startPgbouncer((binary as { path: string }).path, PORT);
    const [version] = await bouncer.admin('SHOW VERSION');
    console.log(`${String(version?.version)} on 127.0.0.1:${PORT}, pool_mode=transaction`);
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  describe('(a) the guard can fail: what transaction mode breaks does break here', () => {
    let db: TestDatabase;
    const clients: pg.Client[] = [];
    const client = async () => {
      const c = new pg.Client({ connectionString: bouncer.url(db.name) });
      await c.connect();
      clients.push(c);
      return c;
    };
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      // Its server connections closed now, or the drop waits for them.
      await bouncer.admin(`KILL ${db.name}`).catch(() => {});
      await db?.drop();
    });

    it('a named prepared statement used in a second transaction lands on another server connection and fails; unnamed it works', async () => {
      const [a, b] = [await client(), await client()];
      // The regression the rest of this file would catch (`pnpm lint` refuses it written inline in a query).
      const named = { name: 'datasync_guard', text: 'SELECT $1::int AS n', values: [7] };
      expect((await a.query(named)).rows).toEqual([{ n: 7 }]); // parsed on the one server connection there is
      // Another client takes that server connection into a transaction and keeps it.
      await b.query('BEGIN');
      await b.query('SELECT 1');
      // pg only binds the name now (it parsed it on "its" connection); PgBouncer hands it a new one.
      await expect(a.query(named)).rejects.toThrow(/prepared statement "datasync_guard" does not exist/);
      expect((await a.query({ text: named.text, values: [8] })).rows).toEqual([{ n: 8 }]);
      await b.query('COMMIT');
      expect(Number((await bouncer.admin('SHOW SERVERS')).filter((s) => s.database === db.name).length)).toBeGreaterThanOrEqual(2);
    });

    it('a session advisory lock outlives its client: taken through PgBouncer, it stays held by a pooled server connection', async () => {
      const a = await client();
      await a.query('SELECT pg_advisory_lock(72707369)');
      await a.end();
      const held = (
        await adminQuery(
          `SELECT a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND a.datname = '${db.name}'`,
        )
      ).rows;
      expect(held).toEqual([{ state: 'idle' }]);
    });
  });

  describe('migrations: DIRECT_DATABASE_URL', () => {
    const names = [1, 2].map(() => `${TEST_DB_PREFIX}${randomUUID().replaceAll('-', '').slice(0, 12)}`);
    afterAll(async () => {
      for (const name of names) {
        await bouncer.admin(`KILL ${name}`).catch(() => {});
        await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    });

    it('pnpm db:migrate through PgBouncer leaves Prisma’s migration lock held by a pooled connection; with DIRECT_DATABASE_URL it goes direct and leaves none', async () => {
      const [viaBouncer, direct] = names as [string, string];
      // The fault first: migrating over the pooled URL applies the migrations but leaks the lock, so
      // the next migration (another server connection) would wait on it.
      const bad = await run(['pnpm', 'db:migrate'], { DATABASE_URL: bouncer.url(viaBouncer), DIRECT_DATABASE_URL: '' }, 240_000);
      expect(bad.code, bad.output).toBe(0);
      expect(await migrationLocks(viaBouncer)).toEqual([{ state: 'idle' }]);

      const good = await run(
        ['pnpm', 'db:migrate'],
        { DATABASE_URL: bouncer.url(direct), DIRECT_DATABASE_URL: databaseUrl(direct) },
        240_000,
      );
      expect(good.code, good.output).toBe(0);
      expect(await migrationLocks(direct)).toEqual([]);
      expect(await bouncer.transactions(direct)).toBe(0);
      const migrated = new pg.Client({ connectionString: databaseUrl(direct) });
      await migrated.connect();
      try {
        const { rows } = await migrated.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
        );
        expect(rows[0]!.n).toBeGreaterThan(0);
        expect((await migrated.query('SELECT 1 FROM sync_runs LIMIT 1')).rowCount).toBe(0);
      } finally {
        await migrated.end();
      }
    }, 300_000);
  });

  describe('(b) the YClients end-to-end suite', () => {
    yclientsE2eSuite({ appsDatabaseUrl });
  });

  describe('(c) the YClients reliability kill test', () => {
    const yclients = reliabilitySource('yclients');
    const t = useBench({ sources: [yclients], env: () => ({ WORKER_CONCURRENCY: '1' }), appsDatabaseUrl });
    const spawned: WorkerProcess[] = [];
    afterAll(async () => {
      await Promise.all(spawned.map((w) => w.stop('SIGKILL')));
    });
    it('workers SIGKILLed mid-run: the run ends equal to the source', async () => {
      await expectKillsSurvived(t, yclients, 3, spawned);
    }, 150_000);
  });

  it('(b, c) the apps of both reached their databases through PgBouncer', async () => {
    expect(pooled.size).toBe(2);
    for (const name of pooled) expect(await bouncer.transactions(name), name).toBeGreaterThan(100);
  });

  it('(d) pnpm bench --smoke with the apps’ DATABASE_URL through PgBouncer exits 0', async () => {
    const before = new Set((await bouncer.admin('SHOW STATS')).map((r) => String(r.database)));
    const bench = await run(['pnpm', 'bench', '--smoke'], { BENCH_POOLED_DATABASE_URL: bouncer.url('postgres') }, 280_000);
    expect(bench.code, bench.output.slice(-4000)).toBe(0);
    const benchDbs = (await bouncer.admin('SHOW STATS')).filter(
      (r) => String(r.database).startsWith('datasync_bench_') && !before.has(String(r.database)),
    );
    expect(benchDbs.length, bench.output.slice(-2000)).toBe(1);
    expect(Number(benchDbs[0]!.total_xact_count)).toBeGreaterThan(100);
    console.log(
      bench.output
        .split('\n')
        .filter((l) => /^\| full sync|^total/.test(l))
        .join('\n'),
    );
  }, 300_000);
});
