import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@datasync/sources';
import { createLogger } from '@datasync/logger';
import { rmSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startRedisServer, startTcpProxy, waitFor, type RedisServer } from '../helpers';
import { allSources, useBench, type Target } from './sources';

/** A source whose page transactions write more than one table per entity (a lock catches a worker mid-page), for the outages mid-run. */
const paged = allSources.find((s) => (s.midPageTables?.length ?? 0) >= 3)!;
/** Another source, whose run waits queued while Redis loses its data. */
const queued = allSources.find((s) => s !== paged)!;

/**
 * Redis and Postgres failing under a running sync. Redis is a server of this test's own (AOF on,
 * as in docker/compose.yml), never the machine's shared one; Postgres is reached through a TCP
 * proxy the test cuts, or has its connections terminated. Each outage is proven to hit work in
 * progress (pages committed while Redis was down; a worker transaction caught holding a write
 * and blocked on a lock the test holds, then terminated or cut off), and the run must end `done`
 * with exactly the source's rows: "failed, then a new run completes" does not pass.
 */

let redis: RedisServer;
afterAll(async () => {
  await redis?.close();
});
const t = useBench({
  sources: [paged, queued],
  env: async () => {
    redis = await startRedisServer({ appendonly: true });
    return { REDIS_URL: redis.url, WORKER_ORPHAN_SWEEP_MS: '1000', WORKER_CONCURRENCY: '1' };
  },
});
const log = createLogger({ name: 'infra', level: (process.env.INFRA_LOG as 'info' | undefined) ?? 'silent' });

/**
 * The run's committed pages, failing if it already ended. Read from Postgres, not the API: while
 * Redis is down a gateway call may wait for it, and the point is to watch the worker's commits.
 */
const pagesOf = async (id: string): Promise<number> => {
  const { rows } = await t.pool.query<{ state: string; error: string | null; pages: number | null }>(
    `SELECT state::text, error, (counts->>'pages')::int AS pages FROM sync_runs WHERE id = $1`,
    [id],
  );
  const r = rows[0]!;
  if (r.state === 'done' || r.state === 'failed') throw new Error(`run ended before the fault: ${r.state} ${r.error}`);
  return r.pages ?? 0;
};

/** Waits until the run has committed at least `pages` pages. */
const pagesCommitted = (id: string, pages: number) =>
  waitFor(async () => ((await pagesOf(id)) >= pages ? true : undefined), {
    what: `${pages} pages committed`,
    timeoutMs: 30_000,
    intervalMs: 20,
  });

/** The run ends done with exactly the source's rows (no second run to repair it). */
async function expectDoneAndEqual(id: string, target: Target): Promise<void> {
  const run = await t.api.finished(id, 60_000);
  expect(run.error ?? null, JSON.stringify(run.error)).toBeNull();
  expect(run.state).toBe('done');
  await target.expectEqual(id);
}

/**
 * Holds a SHARE lock on `table` in a transaction of the test's own, so the worker's next write to it
 * blocks inside the worker's page transaction (after its earlier writes of that page). Answers the
 * worker backends caught that way: in a transaction, waiting on this lock. `release` ends the lock.
 */
async function blockWritesTo(table: string) {
  const holder = new pg.Client({ connectionString: t.db.url });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${table} IN SHARE MODE`);
  const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return {
    /** Waits for worker backends inside a transaction that are blocked by the lock. */
    caught: () =>
      waitFor(
        async () => {
          const { rows } = await t.pool.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = $2
               AND xact_start IS NOT NULL AND $1 = ANY(pg_blocking_pids(pid))`,
            [holderPid, `datasync-${paged.app}`],
          );
          return rows.length > 0 ? rows.map((r) => r.pid) : undefined;
        },
        { what: `a worker transaction blocked writing ${table}`, timeoutMs: 30_000, intervalMs: 10 },
      ),
    async release() {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
    },
  };
}

describe('Redis restarted during a sync', () => {
  it('SIGKILLed and restarted from its AOF while pages are being written: the run carries on and ends equal to the source; the gateway keeps answering', async () => {
    const worker = await paged.start(loadConfig(t.env), log);
    try {
      const target = await paged.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: paged.dataPath, kind: 'delay', delayMs: 40 });
      const id = await t.api.submit(target.submit);
      await pagesCommitted(id, 4);
      await redis.kill('SIGKILL');
      try {
        const pagesAtKill = await pagesOf(id);
        // Down: the gateway is alive and says it is not ready.
        const health = await fetch(`${t.stack.gateway.url}/health`);
        expect(health.status).toBe(200);
        const ready = await fetch(`${t.stack.gateway.url}/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ redis: false, postgres: true });
        // The outage hit a run in progress: it commits more pages while Redis is down (no fixed sleep).
        await waitFor(async () => ((await pagesOf(id)) > pagesAtKill ? true : undefined), {
          what: 'a page committed while Redis is down',
          timeoutMs: 20_000,
          intervalMs: 20,
        });
      } finally {
        await redis.restart();
      }
      await expectDoneAndEqual(id, target);
      await t.control.clearFaults();
      expect((await fetch(`${t.stack.gateway.url}/ready`)).status).toBe(200);
    } finally {
      await worker.close();
    }
  }, 90_000);

  const emptyRedis = async () => {
    await redis.kill('SIGKILL');
    try {
      for (const f of readdirSync(redis.dir)) rmSync(path.join(redis.dir, f), { recursive: true, force: true });
    } finally {
      await redis.restart();
    }
  };

  it('restarted empty (its data lost) with a run queued: the orphan sweep enqueues it again and it completes', async () => {
    const target = await queued.prepare(t.control, t.pool);
    const id = await t.api.submit(target.submit);
    await emptyRedis();
    // Nothing in Redis knows the run any more; a worker starting now finds it through Postgres.
    const worker = await queued.start(loadConfig(t.env), log);
    try {
      await expectDoneAndEqual(id, target);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('restarted empty (its data lost) with a run running: the run still ends done and equal to the source', async () => {
    const worker = await paged.start(loadConfig(t.env), log);
    try {
      const target = await paged.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: paged.dataPath, kind: 'delay', delayMs: 40 });
      const id = await t.api.submit(target.submit);
      await pagesCommitted(id, 4);
      await emptyRedis();
      // The job, its lock and the queue are gone while the worker is in the middle of the run.
      expect(await pagesOf(id)).toBeGreaterThan(0);
      await expectDoneAndEqual(id, target);
      await t.control.clearFaults();
    } finally {
      await worker.close();
    }
  }, 90_000);
});

describe('Postgres connections dropped during writes', () => {
  // Each dropped connection fails the attempt it hit (the page transaction is not retried in place), so
  // a run survives JOB_ATTEMPTS − 1 of them: 2 with the default 3. A third fails the run (see README).
  it("the worker's backend terminated inside a page's write transaction, once per spare attempt (one entity, then the next)", async () => {
    const worker = await paged.start(loadConfig(t.env), log);
    try {
      const target = await paged.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: paged.dataPath, kind: 'delay', delayMs: 40 });
      // The first write of each entity's page transactions that comes after the page's own rows.
      const survivable = Number(t.env.JOB_ATTEMPTS) - 1;
      const blocks = paged.midPageTables!.slice(0, survivable);
      expect(blocks.length).toBe(2);
      let lock = await blockWritesTo(blocks[0]!);
      const id = await t.api.submit(target.submit);
      let terminated = 0;
      for (const [i, table] of blocks.entries()) {
        if (i > 0) lock = await blockWritesTo(table);
        try {
          const pids = await lock.caught();
          // Count what Postgres says it terminated, not the backends it was asked about.
          const { rows } = await t.pool.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM unnest($1::int[]) pid', [pids]);
          terminated += rows.filter((r) => r.ok).length;
        } finally {
          await lock.release();
        }
      }
      expect(terminated).toBe(blocks.length);
      await expectDoneAndEqual(id, target);
      await t.control.clearFaults();
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('Postgres unreachable for three seconds (every connection reset, new ones refused) while a page is being written', async () => {
    const url = new URL(t.db.url);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const worker = await paged.start(loadConfig({ ...t.env, DATABASE_URL: url.toString() }), log);
    try {
      const target = await paged.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: paged.dataPath, kind: 'delay', delayMs: 40 });
      const lock = await blockWritesTo(paged.midPageTables![1]!);
      const id = await t.api.submit(target.submit);
      // A page of the second entity has written its own rows and waits on the lock: cut it off there.
      try {
        await lock.caught();
        proxy.cut(3000);
      } finally {
        await lock.release();
      }
      await expectDoneAndEqual(id, target);
      await t.control.clearFaults();
    } finally {
      await worker.close();
      await proxy.close();
    }
  }, 120_000);
});
