import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@datasync/sources';
import { createLogger } from '@datasync/logger';
import { opsQueues } from '@datasync/queues';
import { closeQueues, createQueues, runScheduleTick } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import type { RunningSandbox } from '@datasync/sandbox';
import {
  createTestDatabase,
  sandboxControl,
  spawnGateway,
  startTestSandbox,
  testEnv,
  waitFor,
  type TestDatabase,
  type WorkerProcess,
  sourceWorker,
} from '../../helpers';
import type { OpenApiDocument, OrError, Schedule, ScheduleList } from '@datasync/testkit';

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let env: Record<string, string>;
let pool: pg.Pool;
let redis: Redis;
let schedulers: Queue;
let worker: { close(): Promise<void> };
const gateways: (WorkerProcess & { url: string })[] = [];
/** Three sellers with few listings: each test schedules its own, so no run of another test holds its lock. */
let sellers: string[];

/** Our API on one of the gateway processes; the body typed as the caller says (a schedule or a refusal by default). */
const api = async <T = OrError<Schedule>>(method: string, path: string, body?: unknown, gateway = gateways[0]!) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
};
const runsOf = async (scheduleId: string) =>
  (
    await pool.query<{ id: string; state: string; scheduled_for: Date; created_at: Date; finished_at: Date | null }>(
      'SELECT id, state, scheduled_for, created_at, finished_at FROM sync_runs WHERE schedule_id = $1 ORDER BY scheduled_for',
      [scheduleId],
    )
  ).rows;
const tickLines = (msg: string, scheduleId: string) =>
  gateways.flatMap((g) => g.lines.filter((l) => l.msg === msg && l.scheduleId === scheduleId));

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  env = testEnv(db.url, sandbox.url, { SCHEDULE_MIN_INTERVAL_SECONDS: '1', SCHEDULE_MAX_CONSECUTIVE_FAILURES: '2', JOB_ATTEMPTS: '1' });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
  schedulers = new Queue(opsQueues.schedules, { connection: redis, prefix: env.REDIS_PREFIX });
  // Two gateway processes consume the ticks; the worker runs in this process.
  // At debug: each tick's submission is a debug line (routine for the pollers).
  gateways.push(await spawnGateway(env, { logLevel: 'debug' }), await spawnGateway(env, { logLevel: 'debug' }));
  worker = await sourceWorker('avito')(loadConfig(env), createLogger({ name: 'worker', level: 'silent' }));
  const all = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
  sellers = all
    .filter((s) => s.active > 0)
    .sort((a, b) => a.active - b.active)
    .slice(0, 3)
    .map((s) => s.hash);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await worker?.close();
  await schedulers?.close();
  redis?.disconnect();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('schedules', () => {
  it('refuses bad input with field errors and stores nothing', async () => {
    const cases: [unknown, string[]][] = [
      [{ source: 'avito', job: 'avito.user', params: { user: 'nope' }, everyMinutes: 5 }, ['params.user']],
      [{ source: 'nowhere', everyMinutes: 5 }, ['source']],
      [{ source: 'avito', job: 'avito.user', params: { user: sellers[0] } }, ['everyMinutes']],
      [{ source: 'avito', job: 'avito.user', params: { user: sellers[0] }, everyMinutes: 5, cron: '* * * * *' }, ['everyMinutes']],
      [{ source: 'avito', job: 'avito.user', params: { user: sellers[0] }, cron: 'every tuesday' }, ['cron']],
      [{ source: 'avito', job: 'avito.user', params: { user: sellers[0] }, cron: '0 6 * * *', timezone: 'Mars/Base' }, ['timezone']],
      [{ source: 'avito', job: 'avito.user', params: { user: sellers[0] }, everyMinutes: 0.001 }, ['everyMinutes']],
      [{ source: 'avito', job: 'avito.nothing', everyMinutes: 5 }, ['job']],
      [
        { source: 'avito', job: 'avito.user', params: { user: sellers[0] }, everyMinutes: 5, notify: { webhookUrl: 'ftp://x' } },
        ['notify.webhookUrl'],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await api('POST', '/api/schedules', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.code).toBe('invalid_request');
      for (const f of fields)
        expect(
          res.body.errors?.map((e) => e.field),
          JSON.stringify(res.body),
        ).toContain(f);
    }
    expect((await api<ScheduleList>('GET', '/api/schedules')).body.schedules).toEqual([]);
    expect(Number((await pool.query('SELECT count(*) FROM schedules')).rows[0].count)).toBe(0);
    expect(await schedulers.getJobSchedulers()).toEqual([]);
  });

  it('are documented in the OpenAPI document with the other operating routes', async () => {
    const doc = (await api<OpenApiDocument>('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/schedules']!)).toEqual(['post', 'get']);
    expect(Object.keys(doc.paths['/api/schedules/{id}']!)).toEqual(['get', 'delete']);
    expect(doc.paths['/api/schedules/{id}/resume']!.post).toBeDefined();
    expect(doc.paths['/api/runs']!.post!.requestBody).toBeDefined();
    expect(doc.paths['/api/runs/{id}/log']!.get).toBeDefined();
    const body = doc.paths['/api/schedules']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties!)).toEqual(
      expect.arrayContaining(['source', 'params', 'everyMinutes', 'cron', 'timezone', 'notify']),
    );
  });

  it('fires on its interval exactly once per tick across two gateway processes, and survives restarts and a lost Redis', async () => {
    const created = await api('POST', '/api/schedules', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[0] },
      everyMinutes: 0.05,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ state: 'active', everyMinutes: 0.05, job: 'avito.user' });
    const next = Date.parse(created.body.nextRunAt ?? '');
    expect(next).toBeGreaterThan(Date.now() - 1000);
    expect(next).toBeLessThanOrEqual(Date.now() + 3500);

    const runs = await waitFor(
      async () => {
        const r = await runsOf(id);
        return r.filter((x) => x.state === 'done').length >= 3 ? r : undefined;
      },
      { timeoutMs: 45_000, what: 'three scheduled runs' },
    );
    // One run per tick: tick times are distinct multiples of the interval apart.
    const ticks = runs.map((r) => r.scheduled_for.getTime());
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect((ticks[i]! - ticks[i - 1]!) % 3000).toBe(0);
    // Every tick was taken by exactly one gateway: the gateways' logs together name each run once.
    await waitFor(() => (tickLines('schedule tick submitted a run', id).length >= runs.length ? true : undefined));
    const submitted = tickLines('schedule tick submitted a run', id).map((l) => l.runId as string);
    expect(new Set(submitted).size).toBe(submitted.length);
    expect(submitted).toEqual(expect.arrayContaining(runs.map((r) => r.id)));
    expect(tickLines('schedule tick already handled', id)).toEqual([]);

    // Both gateways reconciled at start-up: one scheduler, not two.
    expect((await schedulers.getJobSchedulers()).map((s) => s.key)).toEqual([id]);
    const shown = (await api('GET', `/api/schedules/${id}`, undefined, gateways[1])).body;
    expect(shown).toMatchObject({ id, state: 'active', lastTickOutcome: 'submitted' });
    expect(Date.parse(shown.nextRunAt ?? '')).toBeGreaterThan(Date.parse(shown.lastTickAt ?? ''));

    // Redis loses the scheduler, then a gateway restarts: it is back, once.
    await schedulers.removeJobScheduler(id);
    const old = gateways.shift()!;
    await old.stop();
    gateways.push(await spawnGateway(env, { logLevel: 'debug' }));
    expect((await schedulers.getJobSchedulers()).map((s) => s.key)).toEqual([id]);
    const before = (await runsOf(id)).length;
    await waitFor(async () => ((await runsOf(id)).length > before ? true : undefined), {
      timeoutMs: 20_000,
      what: 'a tick after the restart',
    });

    const removed = await api<{ status: string; id: string }>('DELETE', `/api/schedules/${id}`);
    expect(removed.body).toEqual({ status: 'deleted', id });
    expect(await schedulers.getJobSchedulers()).toEqual([]);
    expect((await api('GET', `/api/schedules/${id}`)).status).toBe(404);
  });

  it('makes one run of a tick even when the tick is delivered twice at once', async () => {
    // A cron that will not fire during the test: the ticks are delivered by hand.
    const { body } = await api('POST', '/api/schedules', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[0] },
      cron: '0 3 1 1 *',
    });
    const queues = createQueues(catalog, redis, env.REDIS_PREFIX!);
    try {
      const deps = { pool, queues, queue: schedulers, log: createLogger({ name: 'tick', level: 'silent' }) };
      const tick = new Date('2026-01-01T03:00:00Z');
      const [a, b] = await Promise.all([runScheduleTick(deps, body.id, tick), runScheduleTick(deps, body.id, tick)]);
      expect([a.outcome, b.outcome].sort()).toEqual(['duplicate', 'submitted']);
      expect(a.runId).toBe(b.runId);
      expect((await runsOf(body.id)).map((r) => r.id)).toEqual([a.runId]);
    } finally {
      await closeQueues(queues);
      await api('DELETE', `/api/schedules/${body.id}`);
    }
  });

  it('skips a tick while the previous run is still going instead of piling up a second', async () => {
    // Each page takes 1.5 s: a run outlasts the 1 s interval.
    await control.addFault({ path: '/avito/api/1/user', kind: 'delay', delayMs: 1500 });
    const { body } = await api('POST', '/api/schedules', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[1] },
      everyMinutes: 1 / 60,
    });
    const id = body.id as string;
    await waitFor(async () => ((await api('GET', `/api/schedules/${id}`)).body.skippedTicks >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'skipped ticks',
    });
    const ids = (await runsOf(id)).map((r) => r.id);
    await api('DELETE', `/api/schedules/${id}`);
    await control.clearFaults();
    const ended = await waitFor(
      async () => {
        const { rows } = await pool.query<{ id: string; created_at: Date; finished_at: Date | null }>(
          'SELECT id, created_at, finished_at FROM sync_runs WHERE id = ANY($1) ORDER BY created_at',
          [ids],
        );
        return rows.every((r) => r.finished_at) ? rows : undefined;
      },
      { what: 'the scheduled runs to end' },
    );
    expect(ended.length).toBeGreaterThanOrEqual(1);
    // Never two at once: each run was created after the one before it ended.
    for (let i = 1; i < ended.length; i++)
      expect(ended[i]!.created_at.getTime()).toBeGreaterThanOrEqual(ended[i - 1]!.finished_at!.getTime());
    const skipped = tickLines('schedule tick skipped: the previous run is still queued or running', id);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    // The skipped ticks point at this schedule's own run in progress.
    expect(ended.map((r) => r.id)).toEqual(expect.arrayContaining(skipped.map((l) => l.runId)));
  });

  it('pauses a schedule after consecutive failures, says why, and resumes', async () => {
    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 404 });
    const { body } = await api('POST', '/api/schedules', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[2] },
      everyMinutes: 1 / 60,
    });
    const id = body.id as string;
    const paused = await waitFor(
      async () => {
        const s = (await api('GET', `/api/schedules/${id}`)).body;
        return s.state === 'paused' ? s : undefined;
      },
      { timeoutMs: 30_000, what: 'the schedule to pause' },
    );
    expect(paused.pausedReason).toMatch(/^paused after 2 consecutive failed runs; last error: .*404/);
    expect(paused.nextRunAt).toBeNull();
    // Its scheduler is removed right after the pause is stored.
    await waitFor(async () => ((await schedulers.getJobSchedulers()).length === 0 ? true : undefined), { what: 'the scheduler to go' });
    expect(await (await fetch(`${gateways[1]!.url}/metrics`)).text()).toMatch(/^datasync_schedules\{state="paused"\} 1$/m);
    const failed = (await runsOf(id)).filter((r) => r.state === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);

    await control.clearFaults();
    const resumed = await api('POST', `/api/schedules/${id}/resume`);
    expect(resumed.body).toMatchObject({ state: 'active', pausedReason: null, consecutiveFailures: 0 });
    await waitFor(async () => ((await runsOf(id)).some((r) => r.state === 'done') ? true : undefined), {
      timeoutMs: 20_000,
      what: 'a run after resuming',
    });
    await api('DELETE', `/api/schedules/${id}`);
  });
});
