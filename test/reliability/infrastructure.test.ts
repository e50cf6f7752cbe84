import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@datasync/config';
import { createLogger } from '@datasync/logger';
import { rmSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startRedisServer, startTcpProxy, waitFor, type RedisServer } from '../helpers';
import { datawiz, yclients, useBench } from './sources';

/**
 * Redis and Postgres failing under a running sync. Redis is a server of this test's own (AOF on,
 * as in docker/compose.yml), never the machine's shared one; Postgres is reached through a TCP
 * proxy the test cuts, or has its connections terminated. The run ends `done` with exactly the
 * source's rows, or `failed` with a clear error and a new run completes: never `done` over a
 * half-written state.
 */

let redis: RedisServer;
afterAll(async () => {
  await redis?.close();
});
const t = useBench({
  sources: [yclients, datawiz],
  env: async () => {
    redis = await startRedisServer({ appendonly: true });
    return { REDIS_URL: redis.url, WORKER_ORPHAN_SWEEP_MS: '1000', WORKER_CONCURRENCY: '1' };
  },
});
const log = createLogger({ name: 'infra', level: (process.env.INFRA_LOG as 'info' | undefined) ?? 'silent' });

/** Waits until the run has committed at least `pages` pages. */
const pagesCommitted = (id: string, pages: number) =>
  waitFor(async () => {
    const r = await t.api.run(id);
    if (r.state === 'done' || r.state === 'failed') throw new Error(`run ended before the fault: ${r.state} ${r.error}`);
    return (r.counts?.pages ?? 0) >= pages ? true : undefined;
  }, { what: `${pages} pages committed`, timeoutMs: 30_000, intervalMs: 20 });

describe('Redis restarted during a sync', () => {
  it('SIGKILLed and restarted from its AOF: the run carries on and ends equal to the source; the gateway keeps answering', async () => {
    const worker = await yclients.start(loadConfig(t.env), log);
    try {
      const target = await yclients.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: yclients.dataPath, kind: 'delay', delayMs: 40 });
      const id = await t.api.submit(target.submit);
      await pagesCommitted(id, 4);
      await redis.kill('SIGKILL');
      // Down: the gateway is alive and says it is not ready.
      const health = await fetch(`${t.stack.gateway.url}/health`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${t.stack.gateway.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ redis: false, postgres: true });
      await new Promise((r) => setTimeout(r, 1500));
      await redis.restart();
      const run = await t.api.finished(id, 60_000);
      await t.control.clearFaults();
      expect(run.error ?? null, JSON.stringify(run.error)).toBeNull();
      expect(run.state).toBe('done');
      await target.expectEqual(id);
      expect((await fetch(`${t.stack.gateway.url}/ready`)).status).toBe(200);
    } finally {
      await worker.close();
    }
  }, 90_000);

  it('restarted empty (its data lost) with a run queued: the orphan sweep enqueues it again and it completes', async () => {
    const target = await datawiz.prepare(t.control, t.pool);
    const id = await t.api.submit(target.submit);
    await redis.kill('SIGKILL');
    for (const f of readdirSync(redis.dir)) rmSync(path.join(redis.dir, f), { recursive: true, force: true });
    await redis.restart();
    // Nothing in Redis knows the run any more; a worker starting now finds it through Postgres.
    const worker = await datawiz.start(loadConfig(t.env), log);
    try {
      const run = await t.api.finished(id, 30_000);
      expect(run.error ?? null, JSON.stringify(run.error)).toBeNull();
      expect(run.state).toBe('done');
      await target.expectEqual(id);
    } finally {
      await worker.close();
    }
  }, 60_000);
});

describe('Postgres connections dropped during writes', () => {
  /** The run is done and equal, or failed with a clear error and a new run of the same sync is. */
  async function expectDoneOrRetryCompletes(id: string, target: Awaited<ReturnType<typeof yclients.prepare>>) {
    const run = await t.api.finished(id, 60_000);
    if (run.state === 'failed') {
      expect(run.error).toMatch(/connect|terminat|Connection|ECONN|socket/i);
      const again = await t.api.finished(await t.api.submit(target.submit), 60_000);
      expect(again.state).toBe('done');
      await target.expectEqual(again.id);
    } else {
      expect(run.state).toBe('done');
      await target.expectEqual(id);
    }
    return run;
  }

  it("the worker's backends terminated (pg_terminate_backend) three times mid-sync", async () => {
    const worker = await yclients.start(loadConfig(t.env), log);
    try {
      const target = await yclients.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: yclients.dataPath, kind: 'delay', delayMs: 40 });
      const id = await t.api.submit(target.submit);
      // Each time, catch the worker in the middle of a statement or a transaction, and kill its backend.
      let terminated = 0;
      for (const pages of [3, 8, 14]) {
        await pagesCommitted(id, pages);
        terminated += await waitFor(
          async () => {
            const { rowCount } = await t.pool.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE datname = current_database() AND application_name = 'datasync-worker-yclients' AND state IN ('active', 'idle in transaction')`,
            );
            return rowCount ? rowCount : undefined;
          },
          { what: 'a worker backend inside a write', intervalMs: 5, timeoutMs: 20_000 },
        );
      }
      expect(terminated).toBeGreaterThanOrEqual(3);
      await expectDoneOrRetryCompletes(id, target);
      await t.control.clearFaults();
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('Postgres unreachable for three seconds (every connection reset, new ones refused) mid-sync', async () => {
    const url = new URL(t.db.url);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const worker = await yclients.start(loadConfig({ ...t.env, DATABASE_URL: url.toString() }), log);
    try {
      const target = await yclients.prepare(t.control, t.pool, { large: true });
      await t.control.addFault({ path: yclients.dataPath, kind: 'delay', delayMs: 40 });
      const id = await t.api.submit(target.submit);
      await pagesCommitted(id, 5);
      expect(proxy.open()).toBeGreaterThan(0);
      proxy.cut(3000);
      await expectDoneOrRetryCompletes(id, target);
      await t.control.clearFaults();
    } finally {
      await worker.close();
      await proxy.close();
    }
  }, 120_000);
});
