import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsQueues } from '@datasync/queues';
import type { Schedule } from '@datasync/testkit';
import { spawnGateway, spawnWorker, waitFor, type WorkerProcess } from '../helpers';
import { fakesReach, marketplaceEnv } from '../helpers/marketplaces';
import { allSources, useBench, type ReliabilitySource } from '../reliability/sources';
import { cli, missingRedisBinaries, RedisGroup, startRedisCluster } from './redis-servers';

/**
 * DataSync on a Redis Cluster of three masters (127.0.0.1:7101–7103, started and stopped here):
 * the gateway and worker processes connect with REDIS_CLUSTER_NODES and a hash-tagged prefix.
 * Every source syncs equal to the sandbox; every key DataSync wrote sits in one slot; a worker
 * SIGKILLed mid-run is taken over and the run still ends equal; a schedule ticks once per interval.
 */

const PORTS = [7101, 7102, 7103];
const missing = missingRedisBinaries();
if (missing) console.log(`test/scale/redis-cluster.test.ts skipped: ${missing}`);

/** A prefix of this run's own, with the hash tag Redis Cluster needs. */
const PREFIX = `{ds-${randomUUID().slice(0, 8)}}`;
const INTERVAL_MS = 3000;

describe.skipIf(missing !== undefined)('DataSync on a Redis Cluster (three masters on 7101–7103)', () => {
  const group = new RedisGroup();
  let nodes = '';
  const spawned: WorkerProcess[] = [];
  beforeAll(async () => {
    nodes = await startRedisCluster(group, PORTS);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(spawned.map((p) => p.stop('SIGKILL')));
    await group.stop();
  });
  const t = useBench({
    env: async ({ sandboxUrl }) => ({
      // The marketplaces too (no reliability descriptor): their per-method limits and cooldowns are multi-key scripts.
      ...(await marketplaceEnv(sandboxUrl)),
      REDIS_CLUSTER_NODES: nodes,
      REDIS_PREFIX: PREFIX,
      WORKER_CONCURRENCY: '1',
      SCHEDULE_MIN_INTERVAL_SECONDS: '1',
      SCHEDULE_MAX_CONSECUTIVE_FAILURES: '100',
    }),
  });

  const startWorker = async (source: Pick<ReliabilitySource, 'app'>, env = t.env) => {
    const w = spawnWorker(source.app, env);
    spawned.push(w);
    await waitFor(() => (w.lines.some((l) => String(l.msg).endsWith('worker consuming')) ? true : undefined), {
      what: `${source.app} to start on the cluster`,
      timeoutMs: 60_000,
    }).catch((err: Error) => {
      throw new Error(`${err.message}; it printed: ${w.output().slice(-2000)}`);
    });
    return w;
  };

  it('the cluster is three masters sharing the 16384 slots', async () => {
    const info = await cli(PORTS[0]!, 'cluster', 'info');
    expect(info).toMatch(/cluster_state:ok/);
    expect(info).toMatch(/cluster_slots_assigned:16384/);
    expect(info).toMatch(/cluster_known_nodes:3/);
    expect(info).toMatch(/cluster_size:3/);
  });

  it('a worker given the cluster and a prefix without a hash tag stops at start-up naming REDIS_PREFIX, writing nothing', async () => {
    const w = spawnWorker(allSources[0]!.app, { ...t.env, REDIS_PREFIX: 'untagged' });
    spawned.push(w);
    await w.exited;
    expect(w.child.exitCode).not.toBe(0);
    expect(w.output()).toMatch(/REDIS_PREFIX: must hold a hash tag with REDIS_CLUSTER_NODES, e\.g\. \{untagged\}/);
    expect((await Promise.all(PORTS.map((port) => keysOn(port)))).flat().filter((k) => k.startsWith('untagged'))).toEqual([]);
  }, 60_000);

  it('every source syncs end to end equal to the sandbox, each worker its own process', async () => {
    const workers = await Promise.all(allSources.map((s) => startWorker(s)));
    const targets = await Promise.all(allSources.map(async (s) => ({ source: s, target: await s.prepare(t.control, t.pool) })));
    const ids = await Promise.all(targets.map(({ target }) => t.api.submit(target.submit)));
    for (const [i, { source, target }] of targets.entries()) {
      const run = await t.api.finished(ids[i]!, 120_000);
      expect({ source: source.name, state: run.state, error: run.error ?? null }).toEqual({
        source: source.name,
        state: 'done',
        error: null,
      });
      await target.expectEqual(ids[i]!);
    }
    await Promise.all(workers.map((w) => w.stop()));
  }, 300_000);

  it('marketplaces: the catalogue equals the fakes, and a stock adjustment reaches all three through the per-method limits and cooldowns', async () => {
    const worker = await startWorker({ app: 'worker-marketplaces' });
    const catalog = await t.api.finished(await t.api.submit({ method: 'POST', path: '/api/marketplaces/catalog', body: {} }), 120_000);
    expect({ state: catalog.state, error: catalog.error ?? null }).toEqual({ state: 'done', error: null });
    const fake = await t.control.get<{ items: { code: string }[] }>('/ozon/_control/catalog');
    const ours = await t.api.call<{ total: number; products: { sku: string }[] }>('GET', '/api/marketplaces/products?limit=500');
    expect(new Set(ours.body.products.map((p) => p.sku))).toEqual(new Set(fake.items.map((i) => i.code)));
    const sku = fake.items[0]!.code;
    const counted = await t.api.call<{ product: { available: number } }>('POST', `/api/marketplaces/products/${sku}/adjustments`, {
      onHand: 37,
      reason: 'stock take',
    });
    expect(counted.status, counted.text).toBe(200);
    await fakesReach(t.sandbox.url, sku, counted.body.product.available, 60_000);
    await worker.stop();
  }, 300_000);

  it('every key DataSync wrote carries the tagged prefix and sits in one slot, on one master', async () => {
    // Read from each master by itself (not through DataSync's client): all keys carry the prefix,
    // hash to one slot (the server's CLUSTER KEYSLOT says so), and so sit on one master.
    const perNode = await Promise.all(PORTS.map((port) => keysOn(port)));
    const all = perNode.flat();
    expect(perNode.filter((keys) => keys.length > 0)).toHaveLength(1);
    expect(all.filter((k) => !k.startsWith(`${PREFIX}:`))).toEqual([]);
    const holder = PORTS[perNode.findIndex((keys) => keys.length > 0)]!;
    const slots = new Set(await Promise.all(all.map((k) => cli(holder, 'cluster', 'keyslot', k))));
    expect(slots.size).toBe(1);
    // The families: each source's queue, the notifications queue, metrics counters, run logs.
    const families = [
      ...allSources.map((s) => `${PREFIX}:${s.name}:`),
      `${PREFIX}:${opsQueues.notifications}:`,
      `${PREFIX}:metrics:`,
      `${PREFIX}:runlog:`,
    ];
    for (const family of families)
      expect(
        all.some((k) => k.startsWith(family)),
        family,
      ).toBe(true);
    console.log(`cluster: ${all.length} keys, all in slot ${[...slots][0]} on 127.0.0.1:${holder}`);
  }, 60_000);

  it('a worker SIGKILLed mid-run is taken over by another and the run still ends equal to the sandbox', async () => {
    const source = allSources[0]!;
    const target = await source.prepare(t.control, t.pool, { large: true });
    await t.control.clearFaults();
    await t.control.addFault({ path: source.dataPath, kind: 'delay', delayMs: source.kill.delayMs });
    const live = new Map<number, WorkerProcess>();
    for (const w of await Promise.all([startWorker(source), startWorker(source)])) live.set(w.child.pid!, w);
    const id = await t.api.submit(target.submit);
    const holderOf = (worker: unknown) =>
      Number(
        String(worker ?? '')
          .split(':')
          .pop(),
      );
    const held = await waitFor(
      async () => {
        const r = await t.api.run(id);
        expect(r.state, 'the run ended before the kill').not.toMatch(/^(done|failed)$/);
        return r.state === 'running' && live.has(holderOf(r.worker)) && Object.keys(r.counts ?? {}).length > 0
          ? holderOf(r.worker)
          : undefined;
      },
      { what: 'a worker to hold the run with pages written', timeoutMs: 60_000, intervalMs: 25 },
    );
    const killed = live.get(held)!;
    await killed.stop('SIGKILL');
    live.delete(held);
    // The fault: the process died of SIGKILL while it held the run, which is still running.
    expect(killed.child.signalCode).toBe('SIGKILL');
    const after = await t.api.run(id);
    expect({ state: after.state, holder: holderOf(after.worker) }).toEqual({ state: 'running', holder: held });

    const run = await t.api.finished(id, 120_000);
    await t.control.clearFaults();
    expect({ state: run.state, error: run.error ?? null }).toEqual({ state: 'done', error: null });
    expect(holderOf(run.worker)).toBe([...live.keys()][0]);
    await target.expectEqual(id);
    if (source.kill.counts) expect(run.counts).toMatchObject(source.kill.counts);
    await Promise.all([...live.values()].map((w) => w.stop()));
  }, 300_000);

  it('a schedule ticks once per interval with three gateways consuming its ticks', async () => {
    // A source whose sync route is a POST of its job's parameters, so a prepared target is a schedule's params.
    const source = allSources.find((s) => s.route(s.params(0)).method === 'POST')!;
    const target = await source.prepare(t.control, t.pool);
    await startWorker(source);
    const gateways = [await spawnGateway(t.env, { logLevel: 'debug' }), await spawnGateway(t.env, { logLevel: 'debug' })];
    spawned.push(...gateways);
    const created = await t.api.call<Schedule>('POST', '/api/schedules', {
      source: source.name,
      job: source.job,
      params: target.submit.body,
      everyMinutes: INTERVAL_MS / 60_000,
    });
    expect(created.status, created.text).toBe(201);
    const scheduleId = created.body.id;
    const runs = await waitFor(
      async () => {
        const { rows } = await t.pool.query<{ id: string; state: string; scheduled_for: Date }>(
          'SELECT id, state, scheduled_for FROM sync_runs WHERE schedule_id = $1 ORDER BY scheduled_for',
          [scheduleId],
        );
        return rows.filter((r) => r.state === 'done').length >= 3 ? rows : undefined;
      },
      { what: 'three scheduled runs done', timeoutMs: 90_000 },
    );
    // One run per tick: distinct tick times, whole intervals apart.
    const ticks = runs.map((r) => r.scheduled_for.getTime());
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect((ticks[i]! - ticks[i - 1]!) % INTERVAL_MS).toBe(0);
    // Each tick the spawned gateways took was submitted by one of them only, and none was delivered twice.
    const lines = (msg: string) => gateways.flatMap((g) => g.lines.filter((l) => l.msg === msg && l.scheduleId === scheduleId));
    const submitted = lines('schedule tick submitted a run').map((l) => String(l.runId));
    expect(new Set(submitted).size).toBe(submitted.length);
    expect(runs.map((r) => r.id)).toEqual(expect.arrayContaining(submitted));
    expect(lines('schedule tick already handled')).toEqual([]);
    // BullMQ's job scheduler on the cluster: the one of this schedule, removed with it.
    const cluster = new Cluster(
      nodes.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })),
      {
        redisOptions: { maxRetriesPerRequest: null },
      },
    );
    const schedulers = new Queue(opsQueues.schedules, { connection: cluster, prefix: PREFIX });
    try {
      const keys = async () => (await schedulers.getJobSchedulers()).map((s) => s.key).filter((k) => k === scheduleId);
      expect(await keys()).toEqual([scheduleId]);
      expect((await t.api.call('DELETE', `/api/schedules/${scheduleId}`)).status).toBe(200);
      expect(await keys()).toEqual([]);
    } finally {
      await schedulers.close();
      cluster.disconnect();
    }
  }, 300_000);
});

/** Every key on the master on `port` (SCAN of that node only). */
async function keysOn(port: number): Promise<string[]> {
  const node = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    node.disconnect();
  }
}
