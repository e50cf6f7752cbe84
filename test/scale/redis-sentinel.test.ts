import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker, waitFor, type WorkerProcess } from '../helpers';
import { allSources, useBench } from '../reliability/sources';
import {
  cli,
  masterPortPerSentinel,
  missingRedisBinaries,
  RedisGroup,
  SENTINEL_MASTER,
  startSentinelGroup,
  type RedisProcess,
} from './redis-servers';

/**
 * DataSync behind Redis Sentinel: a master (7111), its replica (7112) and three sentinels
 * (7121–7123), started and stopped here; the gateway and the worker connect with REDIS_SENTINELS +
 * REDIS_SENTINEL_NAME. The master is SIGKILLed while a sync is under way; the sentinels promote the
 * replica, ioredis asks them for the new master, and the run ends `done` and equal to the sandbox.
 */

const PORTS = { master: 7111, replica: 7112, sentinels: [7121, 7122, 7123] };
const missing = missingRedisBinaries();
if (missing) console.log(`test/scale/redis-sentinel.test.ts skipped: ${missing}`);

describe.skipIf(missing !== undefined)('DataSync behind Redis Sentinel (master 7111, replica 7112, sentinels 7121–7123)', () => {
  const group = new RedisGroup();
  let sentinels = '';
  let master: RedisProcess;
  const spawned: WorkerProcess[] = [];
  beforeAll(async () => {
    ({ sentinels, master } = await startSentinelGroup(group, PORTS));
  }, 90_000);
  afterAll(async () => {
    await Promise.all(spawned.map((p) => p.stop('SIGKILL')));
    await group.stop();
  });
  const t = useBench({
    env: () => ({
      REDIS_SENTINELS: sentinels,
      REDIS_SENTINEL_NAME: SENTINEL_MASTER,
      REDIS_PREFIX: `ds-${randomUUID().slice(0, 8)}`,
      WORKER_CONCURRENCY: '1',
      // Writes the dead master had not yet passed to its replica are lost: a job that vanished with
      // them is found again from Postgres (the run is the truth) within a second.
      WORKER_ORPHAN_SWEEP_MS: '1000',
    }),
  });

  it('the master is killed mid-sync, a sentinel names the replica as the new master, and the run ends done and equal', async () => {
    const source = allSources[0]!;
    expect(await masterPortPerSentinel(PORTS.sentinels[0]!)).toBe(PORTS.master);
    const target = await source.prepare(t.control, t.pool, { large: true });
    await t.control.addFault({ path: source.dataPath, kind: 'delay', delayMs: source.kill.delayMs });
    const worker = spawnWorker(source.app, t.env);
    spawned.push(worker);
    await waitFor(() => (worker.lines.some((l) => String(l.msg).endsWith('worker consuming')) ? true : undefined), {
      what: `${source.app} to start behind the sentinels`,
      timeoutMs: 60_000,
    });
    const id = await t.api.submit(target.submit);
    await waitFor(
      async () => {
        const r = await t.api.run(id);
        expect(r.state, 'the run ended before the master was killed').not.toMatch(/^(done|failed)$/);
        return r.state === 'running' && Object.keys(r.counts ?? {}).length > 0 ? true : undefined;
      },
      { what: 'the run to be under way with pages written', timeoutMs: 60_000, intervalMs: 25 },
    );

    master.child.kill('SIGKILL');
    // The fault: the master process died of SIGKILL and its port answers no more, mid-run.
    expect(await master.exited).toBe('SIGKILL');
    await expect(cli(PORTS.master, 'ping')).rejects.toThrow();
    expect((await t.api.run(id)).state).not.toMatch(/^(done|failed)$/);

    // The failover: every sentinel names the former replica as the master, which says it is one.
    for (const port of PORTS.sentinels)
      await waitFor(async () => ((await masterPortPerSentinel(port)) === PORTS.replica ? true : undefined), {
        what: `sentinel ${port} to report the new master`,
        timeoutMs: 60_000,
        intervalMs: 200,
      });
    expect(await cli(PORTS.replica, 'role')).toMatch(/^master/);

    const run = await t.api.finished(id, 180_000);
    await t.control.clearFaults();
    expect({ state: run.state, error: run.error ?? null }).toEqual({ state: 'done', error: null });
    await target.expectEqual(id);
    // The worker lived through it (it reconnected, it was not restarted).
    expect(worker.child.exitCode).toBeNull();
    // The new master holds the deployment's keys: the data went on after the failover.
    expect(Number(await cli(PORTS.replica, 'dbsize'))).toBeGreaterThan(0);
    console.log(`sentinel: run ${id} done after failover 127.0.0.1:${PORTS.master} → 127.0.0.1:${PORTS.replica}`);
    await worker.stop();
  }, 300_000);
});
