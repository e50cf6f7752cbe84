import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { gatewayClient, type Submitted } from '@datasync/testkit';
import {
  createTestDatabase,
  sandboxControl,
  spawnWorker,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  type Stack,
  type TestDatabase,
  type WorkerProcess,
} from '../helpers';

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let control: ReturnType<typeof sandboxControl>;
let sellers: { hash: string; active: number }[];
const workers: WorkerProcess[] = [];

/** GET on our API, the answer's body typed as the caller says. */
const api = async <T>(path: string) => (await gatewayClient(stack.gateway.url).call<T>('GET', path)).body;
const run = (id: string) => gatewayClient(stack.gateway.url).run(id);
const finished = (id: string, timeoutMs = 60_000) => gatewayClient(stack.gateway.url).finished(id, timeoutMs);
const sourceIds = async (hash: string) =>
  (await control.get<{ listings: { id: number }[] }>(`/avito/_control/listings?sellerId=${hash}`)).listings.map((l) => String(l.id)).sort();
const resultIds = async (id: string) => {
  const check = await api<{ result: Record<string, { avito_id: string }> }>(`/api/avito/check?uuid=${id}`);
  return Object.values(check.result)
    .map((r) => r.avito_id)
    .sort();
};

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  // Only the gateway runs here; the workers are real processes.
  stack = await startStack(testEnv(db.url, sandbox.url), { workers: [] });
  sellers = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await stack?.close();
  await sandbox?.close();
  await db?.drop();
});

describe('Avito worker processes', () => {
  it('two workers side by side share the runs and never process one run twice', async () => {
    const a = spawnWorker('worker-avito', stack.env);
    const b = spawnWorker('worker-avito', stack.env);
    workers.push(a, b);
    await control.addFault({ path: '/avito/api/1/user', kind: 'delay', delayMs: 40 });
    const chosen = sellers.filter((s) => s.active > 0).slice(0, 10);
    const ids: string[] = [];
    for (const s of chosen) ids.push((await api<Submitted>(`/api/avito/user?user=${s.hash}`)).parser_uuid);
    const runs = await Promise.all(ids.map((id) => finished(id)));
    expect(runs.map((r) => r.state)).toEqual(ids.map(() => 'done'));
    for (const [i, s] of chosen.entries()) expect(await resultIds(ids[i]!)).toEqual(await sourceIds(s.hash));

    const started = [...a.lines, ...b.lines].filter((l) => l.msg === 'run started').map((l) => l.jobId as string);
    expect(started.sort()).toEqual([...ids].sort());
    expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
    await Promise.all([a.stop(), b.stop()]);
    await control.clearFaults();
  });

  it('a worker killed mid-run is replaced and the run resumes from its last committed page', async () => {
    const seller = sellers[0]!;
    await control.addFault({ path: '/avito/api/1/user', kind: 'delay', delayMs: 400 });
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    const first = spawnWorker('worker-avito', { ...stack.env, AVITO_PAGE_SIZE: '10' });
    workers.push(first);
    const id = (await api<Submitted>(`/api/avito/user?user=${seller.hash}`)).parser_uuid;
    await waitFor(async () => (Number((await run(id)).progress.page) >= 3 ? true : undefined), { what: 'three pages committed' });
    await first.stop('SIGKILL');
    const committed = (await run(id)).progress.page as number;

    const second = spawnWorker('worker-avito', { ...stack.env, AVITO_PAGE_SIZE: '10' });
    workers.push(second);
    const done = await finished(id);
    expect(done.state).toBe('done');
    expect(await resultIds(id)).toEqual(await sourceIds(seller.hash));

    // Pages up to the checkpoint were asked for once (plus at most the ones in flight at the kill).
    const pages = (await control.requests('/avito/api/1/user')).requests.map((r) => Number(r.query.page));
    const repeated = pages.filter((p, i) => pages.indexOf(p) !== i);
    expect(repeated.every((p) => p > committed)).toBe(true);
    expect(repeated.length).toBeLessThanOrEqual(2);
    expect(second.lines.some((l) => l.msg === 'resuming from checkpoint')).toBe(true);
    await second.stop();
  });

  it('with GATEWAY_API_KEY set, every route but /health needs the key', async () => {
    const keyed = await startStack({ ...stack.env, GATEWAY_API_KEY: 'test-key-0123456789' }, { workers: [] });
    try {
      const get = (path: string, headers: Record<string, string> = {}) => fetch(`${keyed.gateway.url}${path}`, { headers });
      expect((await get('/health')).status).toBe(200);
      for (const path of ['/api/runs', '/admin/queues', '/ready', '/openapi.json', `/api/avito/user?user=${'a'.repeat(32)}`]) {
        const res = await get(path);
        expect(res.status, path).toBe(401);
      }
      expect((await get('/api/runs', { 'x-api-key': 'wrong' })).status).toBe(401);
      expect((await get('/api/runs', { 'x-api-key': 'test-key-0123456789' })).status).toBe(200);
      const basic = `Basic ${Buffer.from('admin:test-key-0123456789').toString('base64')}`;
      expect((await get('/admin/queues', { authorization: basic })).status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});
