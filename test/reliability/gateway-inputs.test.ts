import fc from 'fast-check';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceNames as sources } from '@datasync/sources';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';
import type { OrError, Schedule, Submitted } from '@datasync/testkit';

/**
 * What each input route accepts and refuses, written by hand from README's API section, not read
 * from the routes' own schemas: generated valid requests get a 2xx (and their run or schedule),
 * generated invalid ones a 400 naming the wrong field, and then no run row and no job exist. Then
 * the shapes a fuzzer of depth 2 never makes: 5000-deep params, 150k-element arrays, numbers past
 * int4 (issue 15, finding 7).
 */

const RUNS = Math.max(20, Math.round(Number(process.env.FUZZ_RUNS ?? 80) / 2));

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let redis: Redis;
let queues: Queue[];

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  // No workers: a job that got in stays countable in its queue. A body limit that lets the big shapes in.
  stack = await startStack(testEnv(db.url, sandbox.url, { GATEWAY_BODY_LIMIT: '4mb', SCHEDULE_MIN_INTERVAL_SECONDS: '60' }), {
    workers: [],
  });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  redis = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
  queues = sources.map((s) => new Queue(s, { connection: redis, prefix: stack.config.REDIS_PREFIX }));
}, 60_000);
afterAll(async () => {
  await Promise.all((queues ?? []).map((q) => q.close()));
  redis?.disconnect();
  await stack?.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.gateway.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  // Refusals, runs and schedules: the fields read below.
  let json: (OrError<Partial<Submitted> & Partial<Schedule>> & { schedule?: Schedule }) | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, body: json };
};

async function jobCount(): Promise<number> {
  let n = 0;
  for (const q of queues) n += Object.values(await q.getJobCounts()).reduce((a, b) => a + b, 0);
  return n;
}
const count = async (table: string) => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

/** A refusal: 400, an error naming `field` (or a field under it), and nothing written or queued. */
async function expectRefused(method: string, path: string, body: unknown, field: string | RegExp): Promise<void> {
  const before = [await count('sync_runs'), await count('schedules'), await jobCount()];
  const res = await call(method, path, body);
  const what = `${method} ${path} ${(typeof body === 'string' ? body : JSON.stringify(body))?.slice(0, 160)} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).toBe(400);
  const fields = (res.body?.errors ?? []).map((e) => e.field);
  const names = (f: string) => (typeof field === 'string' ? f === field || f.startsWith(`${field}.`) : field.test(f));
  expect(fields.some(names), `${what}: errors name ${String(field)}`).toBe(true);
  expect([await count('sync_runs'), await count('schedules'), await jobCount()], `${what}: nothing written or queued`).toEqual(before);
}

/** An acceptance: a 2xx whose run (parser_uuid) exists with these params. */
async function expectRunAccepted(path: string, body: unknown, params: Record<string, unknown>): Promise<void> {
  const res = await call('POST', path, body);
  expect(res.status, `${path} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 300)}`).toBe(200);
  expect(res.body?.parser_uuid).toMatch(/^[0-9a-f-]{36}$/);
  const { rows } = await pool.query('SELECT params FROM sync_runs WHERE id = $1', [res.body?.parser_uuid]);
  expect(rows[0]?.params).toMatchObject(params);
}

/** JSON values that are not what `kind` asks for. */
const notAPositiveInteger = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.25, '5', '', null, true, false, [], {}, [1], { value: 1 }),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.string({ maxLength: 12 }),
);
const day = fc
  .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const notADate = fc.oneof(
  fc.constantFrom(
    '2026-02-30',
    '2026-13-01',
    '2026-1-01',
    '01.04.2026',
    '2026/04/01',
    'yesterday',
    '',
    '2026-04-01T00:00:00Z',
    20260401,
    null,
    [],
  ),
  fc.string({ maxLength: 12 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
);
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('POST /api/yclients/sync', () => {
  it('a positive whole companyId (YClients ids are bigint: past int4 too) starts a run of that company', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 1 }), fc.constantFrom(2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER)), async (companyId) => {
        await expectRunAccepted('/api/yclients/sync', { companyId }, { companyId });
      }),
      { numRuns: RUNS, seed: 1501 },
    );
  });
  it('anything else as companyId, a missing one, or an unknown field, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(notAPositiveInteger, async (companyId) => {
        await expectRefused('POST', '/api/yclients/sync', { companyId }, 'companyId');
      }),
      { numRuns: RUNS, seed: 1502 },
    );
    await expectRefused('POST', '/api/yclients/sync', {}, 'companyId');
    await expectRefused('POST', '/api/yclients/sync', { companyId: 1, companyID: 2 }, 'companyID');
  });
});

describe('POST /api/itresume/sync', () => {
  it('a window of real dates, start ≤ end, up to 92 days, starts a run of it', async () => {
    await fc.assert(
      fc.asyncProperty(day, fc.integer({ min: 0, max: 91 }), async (start, span) => {
        const end = addDays(start, span);
        await expectRunAccepted('/api/itresume/sync', { start, end }, { start, end });
      }),
      { numRuns: RUNS, seed: 1503 },
    );
  });
  it('a date that is not YYYY-MM-DD of a real day, an end before the start, or a window over 92 days, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(notADate, day, fc.boolean(), async (bad, good, badIsStart) => {
        const body = badIsStart ? { start: bad, end: good } : { start: good, end: bad };
        await expectRefused('POST', '/api/itresume/sync', body, badIsStart ? 'start' : 'end');
      }),
      { numRuns: RUNS, seed: 1504 },
    );
    await expectRefused('POST', '/api/itresume/sync', { start: '2026-04-10', end: '2026-04-01' }, /^(start|end)$/);
    await expectRefused('POST', '/api/itresume/sync', { start: '2026-01-01', end: '2026-04-03' }, /^(start|end)$/);
  });
});

describe('POST /api/schedules', () => {
  it('everyMinutes from the minimum (1) to the most an int4 of milliseconds holds (35791, about 24 days) creates the schedule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 1, max: 35_791 }), fc.constantFrom(1, 35_790, 35_791)), async (everyMinutes) => {
        const res = await call('POST', '/api/schedules', { source: 'datawiz', params: {}, everyMinutes });
        expect(res.status, `everyMinutes ${everyMinutes} → ${res.status} ${res.text.slice(0, 300)}`).toBe(201);
        expect(res.body?.schedule?.everyMinutes ?? res.body?.everyMinutes).toBe(everyMinutes);
        const id = res.body?.schedule?.id ?? res.body?.id;
        expect((await call('DELETE', `/api/schedules/${id}`)).status).toBeLessThan(300);
      }),
      { numRuns: RUNS, seed: 1505 },
    );
  });
  it('everyMinutes that is not a number of minutes in range is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          notAPositiveInteger.filter((v) => !(typeof v === 'number' && v > 0)),
          fc.integer({ min: 35_792 }),
          fc.constantFrom(0.5, 35_792, 527_040, 1e12, 2 ** 53),
        ),
        async (everyMinutes) => {
          await expectRefused('POST', '/api/schedules', { source: 'datawiz', params: {}, everyMinutes }, 'everyMinutes');
        },
      ),
      { numRuns: RUNS, seed: 1506 },
    );
  });
});

describe('POST /api/runs', () => {
  it('a known source with its params starts a run', async () => {
    await expectRunAccepted('/api/runs', { source: 'datawiz', params: {} }, {});
    await expectRunAccepted(
      '/api/runs',
      { source: 'itresume', params: { start: '2026-04-01', end: '2026-04-02' } },
      { start: '2026-04-01', end: '2026-04-02' },
    );
  });
  it('an unknown source, or params that are not an object, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 10 }).filter((s) => !(sources as readonly string[]).includes(s)),
        async (source) => {
          await expectRefused('POST', '/api/runs', { source, params: {} }, 'source');
        },
      ),
      { numRuns: RUNS, seed: 1507 },
    );
    for (const params of [[], 'x', 5, true]) await expectRefused('POST', '/api/runs', { source: 'datawiz', params }, 'params');
  });
  it('an unknown field in params is refused by name, not silently dropped (finding 7)', async () => {
    await expectRefused(
      'POST',
      '/api/runs',
      { source: 'itresume', params: { start: '2026-04-01', end: '2026-04-02', stat: '2026-01-01' } },
      'params.stat',
    );
  });
});

describe('shapes a small fuzzer never makes (finding 7)', () => {
  // As JSON text: this process's own JSON.stringify would overflow its stack on such a value.
  const deep = (depth: number) => `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;

  it('params nested 5000 deep: a 400 naming params, never a 5xx', async () => {
    await expectRefused('POST', '/api/runs', `{"source":"datawiz","params":${deep(5000)}}`, 'params');
    await expectRefused('POST', '/api/schedules', `{"source":"datawiz","everyMinutes":60,"params":${deep(5000)}}`, 'params');
  });

  it('a promotion with 150k invalid shop ids: a 400 naming shops, never a 5xx', async () => {
    const shops = Array.from({ length: 150_000 }, () => ({}));
    await expectRefused('POST', '/api/datawiz/sales', { sale_id: 's-1', name: 'n', shops }, /^shops(\.|$)/);
  });

  it('numbers past int4 and past safe integers where the column is int4: a 400 naming the field', async () => {
    for (const limit of [2 ** 31, 2 ** 53, 1e300]) await expectRefused('GET', `/api/runs?limit=${limit}`, undefined, 'limit');
    await expectRefused('POST', '/api/marketplaces/products/SKU-1/adjustments', { onHand: 2_147_483_648, reason: 'audit' }, 'onHand');
  });

  it('a 150k-element array where an object is expected, and a 5000-deep array body: 400, never a 5xx', async () => {
    const big = Array.from({ length: 150_000 }, (_, i) => i);
    await expectRefused('POST', '/api/yclients/sync', { companyId: big }, 'companyId');
    const res = await call('POST', '/api/itresume/sync', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(res.status, res.text.slice(0, 200)).toBe(400);
  });
});
