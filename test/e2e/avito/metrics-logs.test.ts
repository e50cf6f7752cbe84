import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
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
} from '../../helpers';
import { waitForRun, type Run, type RunLog, type Submitted } from '@datasync/testkit';

const KEY = 'metrics-test-key-0123456789';
const MOBILE_KEY = 'secret-mobile-key-5a8d0c';

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let stack: Stack;
let worker: WorkerProcess;
let sellers: string[];

const get = (path: string, key = KEY) => fetch(`${stack.gateway.url}${path}`, { headers: key ? { 'x-api-key': key } : {} });
/** GET on our API; the body typed as the caller says. */
const api = async <T>(path: string) => (await (await get(path)).json()) as T;
const finished = (id: string) => waitForRun(() => api<Run>(`/api/runs/${id}`), id, { timeoutMs: 30_000, intervalMs: 100 });
const sync = async (user: string) => finished((await api<Submitted>(`/api/avito/user?user=${user}`)).parser_uuid);

/** One sample of the Prometheus text (0 when the series is not there yet). */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await get('/metrics')).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2]!.split(',');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

/**
 * The series reaches `expected` (workers add to the counters right after the run's row changes, so
 * a scrape may come a moment before the last increment), and then is exactly that.
 */
async function expectSample(name: string, labels: Record<string, string>, expected: number): Promise<void> {
  const seen = await waitFor(
    async () => {
      const v = await sample(name, labels);
      return v >= expected ? v : undefined;
    },
    { timeoutMs: 5_000, what: `${name} ${JSON.stringify(labels)} to reach ${expected}` },
  ).catch(() => sample(name, labels));
  expect(seen, `${name} ${JSON.stringify(labels)}`).toBe(expected);
}

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  // The gateway here, the worker a real process: the gateway's /metrics must see what it counted.
  stack = await startStack(testEnv(db.url, sandbox.url, { GATEWAY_API_KEY: KEY, AVITO_MOBILE_KEY: MOBILE_KEY, AVITO_PAGE_SIZE: '10' }), {
    workers: [],
  });
  worker = spawnWorker('worker-avito', stack.env);
  const all = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
  sellers = all.filter((s) => s.active > 10).map((s) => s.hash);
});
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
  await sandbox?.close();
  await db?.drop();
});

describe('/metrics', () => {
  it('needs the API key like every route but /health', async () => {
    expect((await get('/metrics', '')).status).toBe(401);
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    // What Prometheus' `authorization: {credentials}` sends.
    expect((await fetch(`${stack.gateway.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await fetch(`${stack.gateway.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('counts runs, durations, records and upstream requests of a sync done in another process', async () => {
    const before = {
      done: await sample('datasync_runs_total', { source: 'avito', outcome: 'done' }),
      listings: await sample('datasync_records_written_total', { source: 'avito', entity: 'listings' }),
      pages: await sample('datasync_records_written_total', { source: 'avito', entity: 'pages' }),
      ok: await sample('datasync_upstream_requests_total', { upstream: 'avito', status: '200' }),
      durations: await sample('datasync_run_duration_seconds_count', { source: 'avito', outcome: 'done' }),
    };
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    const run = await sync(sellers[0]!);
    expect(run.state).toBe('done');
    const served = (await control.requests('/avito')).requests.filter((r) => r.status === 200).length;

    await expectSample('datasync_runs_total', { source: 'avito', outcome: 'done' }, before.done + 1);
    await expectSample('datasync_records_written_total', { source: 'avito', entity: 'listings' }, before.listings + run.counts.listings!);
    await expectSample('datasync_records_written_total', { source: 'avito', entity: 'pages' }, before.pages + run.counts.pages!);
    expect(run.counts.pages).toBeGreaterThan(1);
    await expectSample('datasync_upstream_requests_total', { upstream: 'avito', status: '200' }, before.ok + served);
    await expectSample('datasync_run_duration_seconds_count', { source: 'avito', outcome: 'done' }, before.durations + 1);
    await expectSample('datasync_run_duration_seconds_bucket', { source: 'avito', outcome: 'done', le: '+Inf' }, before.durations + 1);
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(/^datasync_queue_jobs\{queue="avito",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^datasync_queue_jobs\{queue="schedules",state="delayed"\} \d+$/m);
    expect(text).toMatch(/^datasync_schedules\{state="paused"\} 0$/m);
  });

  it('counts retries and failed runs', async () => {
    const retried = await sample('datasync_upstream_retries_total', { upstream: 'avito', status: '503' });
    const failed = await sample('datasync_runs_total', { source: 'avito', outcome: 'failed' });
    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 503, times: 2 });
    expect((await sync(sellers[1]!)).state).toBe('done');
    await expectSample('datasync_upstream_retries_total', { upstream: 'avito', status: '503' }, retried + 2);

    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 404 });
    expect((await sync(sellers[2]!)).state).toBe('failed');
    await control.clearFaults();
    await expectSample('datasync_runs_total', { source: 'avito', outcome: 'failed' }, failed + 1);
  });
});

describe('GET /api/runs/:id/log', () => {
  it("returns a failed run's own log lines, retries included, with no secret in them", async () => {
    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 503, times: 1 });
    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 404, skip: 1 });
    const run = await sync(sellers[3]!);
    await control.clearFaults();
    expect(run.state).toBe('failed');
    const log = await api<RunLog>(`/api/runs/${run.id}/log`);
    const msgs = log.lines.map((l) => l.msg);
    expect(msgs[0]).toBe('run started');
    expect(msgs).toContain('avito request failed, retrying');
    const last = log.lines.at(-1);
    expect(last).toMatchObject({ msg: 'run failed', level: 50, runId: run.id });
    expect(last!.err).toBe(run.error);
    expect(log.lines.every((l) => l.runId === run.id)).toBe(true);
    expect(JSON.stringify(log)).not.toContain(MOBILE_KEY);
    // Another run's lines are not mixed in.
    const other = await sync(sellers[0]!);
    expect((await api<RunLog>(`/api/runs/${other.id}/log`)).lines.every((l) => l.runId === other.id)).toBe(true);
    expect((await get('/api/runs/00000000-0000-4000-8000-000000000000/log')).status).toBe(404);
  });
});
