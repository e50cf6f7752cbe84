import fc from 'fast-check';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { sourceNames as sources } from '@datasync/sources';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';
import type { OrError, Schedule, Submitted } from '@datasync/testkit';

/**
 * What the input-route tests share (test/reliability/gateway-inputs.test.ts and each source's own
 * `test/e2e/<source>/gateway-inputs.test.ts`): a gateway with no workers, so a job that got in stays
 * countable in its queue; a refusal checked as a 400 naming the field with nothing written or queued;
 * an acceptance checked by its run row; and the generators of valid and invalid values, written by
 * hand from README's API section, not read from the routes' own schemas.
 */

export const RUNS = Math.max(20, Math.round(Number(process.env.FUZZ_RUNS ?? 80) / 2));

/** Registers the file's bench (beforeAll/afterAll) and answers the checks that run against it. */
export function useInputChecks() {
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

  return { call, count, expectRefused, expectRunAccepted };
}

/** JSON values that are not what `kind` asks for. */
export const notAPositiveInteger = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.25, '5', '', null, true, false, [], {}, [1], { value: 1 }),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.string({ maxLength: 12 }),
);
export const day = fc
  .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
export const notADate = fc.oneof(
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
export const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
