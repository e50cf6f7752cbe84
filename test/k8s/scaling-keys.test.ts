import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '@datasync/gateway';
import { APP_DIR, renderManifests, workerApps, workerResourceName, type RenderOptions, type WorkerApp } from '@datasync/k8s';
import { createLogger } from '@datasync/logger';
import { catalog, loadConfig } from '@datasync/sources';
import { closeQueues, createQueues, type QueueSet } from '@datasync/runs';
import { createTestDatabase, dropKeysUnder, keysUnder, TEST_REDIS_URL, testPrefix, type TestDatabase } from '../helpers';
import { K8S_DIR, ofKind, readSettings, yamlObjects, type K8sObject } from './kustomization';
import { evaluate, parseExposition } from './promql';

/**
 * The keys the ScaledObjects watch, checked on real BullMQ queues (the gateway's own, from
 * createQueues) in the local Redis under a test prefix: a job added the way the gateway adds it
 * grows exactly the list the worker's Redis ScaledObject watches. A delayed or prioritized job grows
 * no list at all, which is why the Prometheus alternative exists: its query over the gateway's real
 * /metrics answer counts them. The gateway's probes are asked as the manifests ask them.
 */
const KEY = 'k8s-probe-test-key-0123456789';
const prefix = testPrefix();
const workers = workerApps();
const options = (scaler: RenderOptions['scaler']): RenderOptions => ({
  settings: { ...readSettings(), REDIS_PREFIX: prefix },
  scaler,
  prometheusUrl: 'http://prometheus.monitoring:9090',
  minReplicas: 1,
  maxReplicas: 10,
});
type Trigger = { type: string; metadata: Record<string, string> };
const triggerOf = (rendered: object[], w: WorkerApp): Trigger => {
  const so = ofKind(rendered as K8sObject[], 'ScaledObject').find(
    (o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === workerResourceName(w),
  );
  const triggers = (so?.spec as { triggers: Trigger[] } | undefined)?.triggers;
  expect(triggers, `the ScaledObject of ${workerResourceName(w)}`).toHaveLength(1);
  return triggers![0]!;
};
const redisTriggers = new Map(workers.map((w) => [w.name, triggerOf(renderManifests(options('redis')).scaling, w)]));
const prometheusTriggers = new Map(workers.map((w) => [w.name, triggerOf(renderManifests(options('prometheus')).scaling, w)]));

let db: TestDatabase;
let gateway: RunningGateway;
let redis: Redis;
let queues: QueueSet;

/** The queue a worker consumes, as the gateway opened it. */
const queueOf = (w: WorkerApp): Queue => {
  const q = queues.get(w.name);
  expect(q?.name, `the gateway's queue for ${w.name}`).toBe(w.queue);
  return q;
};
const add = (w: WorkerApp, opts: { delay?: number; priority?: number } = {}) => {
  const runId = randomUUID();
  const [jobName] = catalog.jobNames(w.name);
  return queueOf(w).add(jobName!, { runId, params: {} }, { jobId: runId, ...opts });
};

/** The length of every list under the test prefix (what KEDA's Redis scaler can read: LLEN). */
async function listLengths(): Promise<Map<string, number>> {
  const lengths = new Map<string, number>();
  for (const key of await keysUnder(prefix)) if ((await redis.type(key)) === 'list') lengths.set(key, await redis.llen(key));
  return lengths;
}
const grown = (before: Map<string, number>, after: Map<string, number>) =>
  [...after].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k]) => k);

async function scrape(): Promise<string> {
  const res = await fetch(`${gateway.url}/metrics`, { headers: { 'x-api-key': KEY } });
  expect(res.status).toBe(200);
  return res.text();
}
/** The Prometheus query of a worker's alternative ScaledObject over two gateways' scrapes (every gateway reports the whole deployment). */
const promValue = async (w: WorkerApp) => {
  const samples = parseExposition(await scrape());
  return evaluate(prometheusTriggers.get(w.name)!.metadata.query!, [samples, samples]);
};

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_API_KEY: KEY,
    LOG_LEVEL: 'silent',
  });
  gateway = await startGateway(config, createLogger({ name: 'k8s-test', level: 'silent' }));
  redis = new Redis(TEST_REDIS_URL);
  queues = createQueues(catalog, redis, prefix);
});

afterAll(async () => {
  if (queues) await closeQueues(queues);
  redis?.disconnect();
  await gateway?.close();
  await db?.drop();
});

describe('the keys the ScaledObjects watch, on real BullMQ queues', () => {
  for (const w of workers) {
    it(`a job added to ${w.queue} grows exactly the list the Redis ScaledObject of ${workerResourceName(w)} watches`, async () => {
      const watched = redisTriggers.get(w.name)!.metadata.listName!;
      const before = await listLengths();
      await add(w);
      const after = await listLengths();
      expect(grown(before, after)).toEqual([watched]);
      expect(await redis.type(watched)).toBe('list');
      expect(after.get(watched)).toBe((before.get(watched) ?? 0) + 1);
    });
  }

  for (const w of workers) {
    it(`a delayed or prioritized job of ${w.queue} grows no list; the Prometheus alternative counts it once however many gateways report`, async () => {
      const watched = redisTriggers.get(w.name)!.metadata.listName!;
      for (const [state, opts] of [
        ['delayed', { delay: 3_600_000 }],
        ['prioritized', { priority: 5 }],
      ] as const) {
        const before = await listLengths();
        const sorted = `${prefix}:${w.queue}:${state}`;
        const inSet = await redis.zcard(sorted);
        const counted = await promValue(w);
        await add(w, opts);
        // No list grew: KEDA's Redis scaler (LLEN) cannot see this job...
        expect(grown(before, await listLengths()), state).toEqual([]);
        expect(await redis.llen(watched)).toBe(before.get(watched) ?? 0);
        // ...which BullMQ keeps in a sorted set until a worker promotes or takes it.
        expect(await redis.zcard(sorted)).toBe(inSet + 1);
        // datasync_queue_jobs (waiting holds the prioritized set, delayed the delayed one) does.
        expect(await promValue(w), state).toBe(counted + 1);
      }
    });
  }

  it('the Prometheus query counts a queue only: another queue’s jobs leave it unchanged', async () => {
    if (workers.length < 2) return expect(workers).toHaveLength(1);
    const [a, b] = workers as [WorkerApp, WorkerApp];
    const before = await promValue(a);
    await add(b);
    expect(await promValue(a)).toBe(before);
  });
});

describe('with a hash-tagged prefix, as on a Redis Cluster', () => {
  // `{…}` around this file's own prefix: the keys start with `{`, so the per-file cleanup (keys
  // starting with the test prefix) misses them and they are dropped here.
  const tagged = `{${prefix}}`;
  const clusterTriggers = new Map(
    workers.map((w) => [
      w.name,
      triggerOf(
        renderManifests({ ...options('redis'), settings: { ...readSettings(), REDIS_CLUSTER_NODES: 'n1:6379', REDIS_PREFIX: tagged } })
          .scaling,
        w,
      ),
    ]),
  );
  let taggedQueues: QueueSet;
  beforeAll(() => {
    taggedQueues = createQueues(catalog, redis, tagged);
  });
  afterAll(async () => {
    if (taggedQueues) await closeQueues(taggedQueues);
    await dropKeysUnder(tagged);
  });

  for (const w of workers) {
    it(`a job added to ${w.queue} under the {tagged} prefix grows exactly the list the redis-cluster ScaledObject of ${workerResourceName(w)} watches`, async () => {
      const trigger = clusterTriggers.get(w.name)!;
      expect(trigger.type).toBe('redis-cluster');
      const watched = trigger.metadata.listName!;
      expect(watched.startsWith(`${tagged}:`)).toBe(true);
      const lengths = async () => {
        const out = new Map<string, number>();
        for (const key of await keysUnder(tagged)) if ((await redis.type(key)) === 'list') out.set(key, await redis.llen(key));
        return out;
      };
      const before = await lengths();
      const runId = randomUUID();
      const [jobName] = catalog.jobNames(w.name);
      await taggedQueues.get(w.name).add(jobName!, { runId, params: {} }, { jobId: runId });
      const after = await lengths();
      expect(grown(before, after)).toEqual([watched]);
      expect(after.get(watched)).toBe((before.get(watched) ?? 0) + 1);
    });
  }
});

describe("the gateway's probes, asked as gateway.yaml asks them", () => {
  const gatewayYaml = yamlObjects(readFileSync(path.join(K8S_DIR, 'gateway.yaml'), 'utf8'));
  const [deployment] = ofKind(gatewayYaml, 'Deployment');
  type Probe = { httpGet?: { path: string }; exec?: { command: string[] } };
  const container = (
    deployment!.spec as { template: { spec: { containers: { livenessProbe: Probe; readinessProbe: Probe; startupProbe: Probe }[] } } }
  ).template.spec.containers[0]!;

  it('liveness and start-up: their httpGet path answers 200 without the API key', async () => {
    for (const probe of [container.livenessProbe, container.startupProbe]) {
      const res = await fetch(`${gateway.url}${probe.httpGet!.path}`);
      expect(res.status, probe.httpGet!.path).toBe(200);
    }
  });

  it('readiness: /ready needs the key (so no httpGet probe), and the exec probe passes with the pod’s key and fails without it', async () => {
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(401);
    const [node, script, ...args] = container.readinessProbe.exec!.command;
    expect(node).toBe('node');
    expect(script!.startsWith(`${APP_DIR}/`)).toBe(true);
    const local = path.join(K8S_DIR, '../..', script!.slice(APP_DIR.length + 1));
    const run = (env: Record<string, string>) =>
      new Promise<number>((resolve) => {
        execFile(
          process.execPath,
          [local, ...args],
          { env: { PATH: process.env.PATH ?? '', GATEWAY_PORT: new URL(gateway.url).port, ...env } },
          (err) => resolve(err ? Number((err as { code?: number }).code ?? 1) : 0),
        );
      });
    expect(await run({ GATEWAY_API_KEY: KEY })).toBe(0);
    expect(await run({ GATEWAY_API_KEY: 'wrong-key' })).toBe(1);
    expect(await run({})).toBe(1);
  });
});
