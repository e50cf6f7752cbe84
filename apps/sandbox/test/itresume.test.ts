import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

type Item = Record<string, unknown>;
interface DayFacts {
  date: string;
  attempts: number;
  correct: number;
  incorrect: number;
  uniqueUsers: number;
  run: number;
  submit: number;
  served: number;
  malformed: { total: number; byKind: Record<string, number> };
}

let sandbox: RunningSandbox;
let creds: { client: string; client_key: string; path: string };

const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${sandbox.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};
const statistics = (params: Record<string, string>) =>
  getJson<Item[] | { detail: string }>(`/itresume${creds.path}?${new URLSearchParams(params).toString()}`);
const items = async (params: Record<string, string>): Promise<Item[]> => {
  const r = await statistics({ client: creds.client, client_key: creds.client_key, ...params });
  expect(r.status).toBe(200);
  expect(Array.isArray(r.body)).toBe(true);
  return r.body as Item[];
};

/** A consumer's reading of passback_params: a Python dict literal of strings, nothing else. */
function parsePassback(text: unknown): Record<string, string> | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^\{(.*)\}$/s.exec(text.trim());
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const pair = /\s*'((?:[^'\\]|\\.)*)'\s*:\s*'((?:[^'\\]|\\.)*)'\s*(,|$)/y;
  const body = m[1]!;
  let last = 0;
  while (last < body.length) {
    pair.lastIndex = last;
    const p = pair.exec(body);
    if (!p) return undefined;
    out[p[1]!] = p[2]!.replace(/\\(.)/g, '$1');
    last = pair.lastIndex;
  }
  return out;
}

const SOURCED = /^course-v1:([^:]+):(.+)-([0-9a-f]{32}):([^:]+)$/;
const CREATED_AT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

/** The strict validation the reference describes; null when the item is well-formed. */
function problem(item: Item): string | null {
  const user = item.lti_user_id;
  if (typeof user !== 'string' || !/^[0-9a-f]{32}$/.test(user)) return 'user';
  const pb = parsePassback(item.passback_params);
  if (!pb) return 'passback';
  const m = SOURCED.exec(pb.lis_result_sourcedid ?? '');
  if (!m || m[4] !== user) return 'sourcedid';
  const correct = item.is_correct === true ? 1 : item.is_correct === false ? 0 : item.is_correct;
  if (item.attempt_type === 'run' && correct !== null) return 'run-correct';
  if (item.attempt_type === 'submit' && correct !== 0 && correct !== 1) return 'submit-correct';
  if (item.attempt_type !== 'run' && item.attempt_type !== 'submit') return 'type';
  if (typeof item.created_at !== 'string' || !CREATED_AT.test(item.created_at)) return 'created_at';
  return null;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 11, log: createLogger({ name: 't', level: 'silent' }) });
  creds = (await getJson<typeof creds>('/itresume/_control/credentials')).body;
});
afterAll(() => sandbox.close());

describe('itresume fake', () => {
  it('serves a day as one unpaged array in the reference format, a few hundred attempts', async () => {
    const day = await items({ start: '2026-04-03 00:00:00', end: '2026-04-03 23:59:59.999999' });
    expect(day.length).toBeGreaterThan(150);
    expect(day.length).toBeLessThan(500);
    const good = day.find((i) => problem(i) === null)!;
    expect(Object.keys(good).sort()).toEqual(['attempt_type', 'created_at', 'is_correct', 'lti_user_id', 'passback_params']);
    expect(good.passback_params).toMatch(/^\{'oauth_consumer_key': '[^']*', 'lis_result_sourcedid': 'course-v1:/);
    expect(() => JSON.parse(good.passback_params as string)).toThrow();
    const pb = parsePassback(good.passback_params)!;
    expect(pb.lis_outcome_service_url).toMatch(/^https:\/\/[^/]+\/courses\/course-v1:.+\/handler_noauth\/grade_handler$/);
    expect(pb.lis_outcome_service_url).toContain(`block@${SOURCED.exec(pb.lis_result_sourcedid!)![3]}`);
    for (const i of day.filter((x) => problem(x) === null)) {
      expect(i.created_at as string).toMatch(/^2026-04-03 /);
      if (i.attempt_type === 'run') expect(i.is_correct).toBeNull();
    }
    // The same student many times a day.
    const users = new Set(day.map((i) => i.lti_user_id));
    expect(users.size).toBeLessThan(day.length / 3);
  });

  it('filters by start <= created_at <= end in every accepted date format', async () => {
    const { body } = await getJson<{ items: Item[] }>('/itresume/_control/attempts?start=2026-04-02&end=2026-04-05');
    const all = body.items;
    const pivot = all[100]!.created_at as string;
    const before = await items({ start: '2026-04-02', end: pivot });
    const after = await items({ start: pivot, end: '2026-04-05' });
    expect(before.at(-1)!.created_at).toBe(pivot);
    expect(after[0]!.created_at).toBe(pivot);
    expect(before.length + after.length).toBe(all.length + all.filter((i) => i.created_at === pivot).length);
    for (const i of after) expect((i.created_at as string) >= pivot).toBe(true);

    // Date-only end means 00:00:00 of that day: a date-only day window is [d 00:00, d+1 00:00].
    const dateOnly = await items({ start: '2026-04-04', end: '2026-04-05' });
    const precise = await items({ start: '2026-04-04 00:00:00', end: '2026-04-05 00:00:00.000000' });
    expect(dateOnly).toEqual(precise);
    const short = await items({ start: '2026-04-04 10:00:00.5', end: '2026-04-04 11:00:00.25' });
    for (const i of short)
      expect((i.created_at as string) >= '2026-04-04 10:00:00.5' && (i.created_at as string) <= '2026-04-04 11:00:00.25').toBe(true);
    expect(short.length).toBeGreaterThan(0);

    expect(await items({ start: '2020-01-01', end: '2020-01-02' })).toEqual([]);
    expect(await items({ start: '2026-04-05', end: '2026-04-04' })).toEqual([]);
  });

  it('rejects a wrong key (case-sensitive) with 403 and bad parameters with 400', async () => {
    const window = { start: '2026-04-01', end: '2026-04-02' };
    const lower = await statistics({ client: creds.client, client_key: creds.client_key.toLowerCase(), ...window });
    expect(lower.status).toBe(403);
    expect(lower.body).toEqual({ detail: 'invalid client' });
    expect((await statistics({ client: 'Other', client_key: creds.client_key, ...window })).status).toBe(403);
    expect((await statistics({ client: creds.client, client_key: creds.client_key, start: '2026-04-01' })).status).toBe(400);
    const iso = await statistics({ client: creds.client, client_key: creds.client_key, start: '2026-04-01T00:00:00Z', end: '2026-04-02' });
    expect(iso.status).toBe(400);
    expect((iso.body as { detail: string }).detail).toContain('start');
  });

  it('marks a known share of items malformed; facts count only well-formed ones', async () => {
    const { body: facts } = await getJson<{ days: DayFacts[] }>('/itresume/_control/facts');
    expect(facts.days.length).toBe(10);
    let kinds = new Set<string>();
    for (const f of facts.days) {
      const day = await items({ start: f.date, end: `${f.date} 23:59:59.999999` });
      expect(day.length).toBe(f.served);
      const good = day.filter((i) => problem(i) === null);
      // Skip-and-count by the strict rules finds exactly the fake's malformed items.
      expect(day.length - good.length).toBe(f.malformed.total);
      expect(f.malformed.total).toBeGreaterThanOrEqual(1);
      expect(f.malformed.total / f.served).toBeLessThan(0.06);
      const isOne = (i: Item) => i.is_correct === 1 || i.is_correct === true;
      expect({
        attempts: good.length,
        correct: good.filter(isOne).length,
        incorrect: good.filter((i) => i.attempt_type === 'submit' && !isOne(i)).length,
        uniqueUsers: new Set(good.map((i) => i.lti_user_id)).size,
        run: good.filter((i) => i.attempt_type === 'run').length,
        submit: good.filter((i) => i.attempt_type === 'submit').length,
      }).toEqual({
        attempts: f.attempts,
        correct: f.correct,
        incorrect: f.incorrect,
        uniqueUsers: f.uniqueUsers,
        run: f.run,
        submit: f.submit,
      });
      kinds = new Set([
        ...kinds,
        ...Object.entries(f.malformed.byKind)
          .filter(([, n]) => n > 0)
          .map(([k]) => k),
      ]);
    }
    expect(kinds.size).toBe(8);
  });

  it('is deterministic per seed and takes late attempts until reset', async () => {
    const window = { start: '2026-04-07', end: '2026-04-08' };
    const first = await items(window);
    const other = await startSandbox({ port: 0, seed: 11, log: createLogger({ name: 't', level: 'silent' }) });
    try {
      const again = await (
        await fetch(`${other.url}/itresume${creds.path}?${new URLSearchParams({ ...creds, ...window }).toString()}`)
      ).json();
      expect(again).toEqual(first);
    } finally {
      await other.close();
    }
    const added = await fetch(`${sandbox.url}/itresume/_control/attempts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ date: '2026-04-07', count: 5 }),
    });
    expect(added.status).toBe(201);
    expect((await items(window)).length).toBe(first.length + 5);
    // On request, attempts whose created_at is a day the month lacks (31-day months cannot have one).
    const post = (body: unknown) =>
      fetch(`${sandbox.url}/itresume/_control/attempts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const impossible = await post({ date: '2026-04-07', count: 2, defect: 'impossible_date' });
    expect(impossible.status).toBe(201);
    const served = await items(window);
    expect(served.filter((i) => String(i.created_at).startsWith('2026-04-31 '))).toHaveLength(2);
    expect((await post({ date: '2026-03-07', count: 1, defect: 'impossible_date' })).status).toBe(400);
    expect((await post({ date: '2026-04-07', count: 1, defect: 'no-such-defect' })).status).toBe(400);
    await fetch(`${sandbox.url}/_control/reset`, { method: 'POST' });
    expect(await items(window)).toEqual(first);
  });
});
