import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

interface Envelope<T = unknown> {
  success: boolean;
  data: T;
  meta: { message?: string; errors?: Record<string, string[]>; total_count?: number; page?: number } | [];
}
type Row = Record<string, unknown> & { id: number };
interface Credentials {
  partnerToken: string;
  userToken: string;
  login: string;
  password: string;
  authorization: string;
}

const SMALL = 176275;
const BIG = 176276;
const EMPTY = 176277;
const FORBIDDEN = 176280;

let sandbox: RunningSandbox;
let creds: Credentials;

const call = async <T = Row[]>(path: string, init: { method?: string; body?: unknown; auth?: string | null } = {}) => {
  const headers: Record<string, string> = { accept: 'application/vnd.yclients.v2+json', 'content-type': 'application/json' };
  const auth = init.auth === undefined ? creds.authorization : init.auth;
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${sandbox.url}/yclients/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Envelope<T> };
};
const control = async <T = Record<string, unknown>>(path: string, method = 'GET', body?: unknown) => {
  const res = await fetch(`${sandbox.url}/yclients/_control${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
};
const meta = (e: Envelope) => e.meta as { total_count: number; page?: number };
const search = (companyId: number, body: Record<string, unknown>) => call(`/company/${companyId}/clients/search`, { method: 'POST', body });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, log: createLogger({ name: 't', level: 'silent' }) });
  creds = (await control<Credentials>('/credentials')).body;
});
afterAll(() => sandbox.close());
afterEach(async () => {
  await fetch(`${sandbox.url}/_control/reset`, { method: 'POST' });
  creds = (await control<Credentials>('/credentials')).body;
});

describe('yclients fake: auth', () => {
  it('gives the user token for login and password with the partner token, 201', async () => {
    const r = await call<{ user_token: string; id: number }>('/auth', {
      method: 'POST',
      auth: `Bearer ${creds.partnerToken}`,
      body: { login: creds.login, password: creds.password },
    });
    expect(r.status).toBe(201);
    expect(r.body.success).toBe(true);
    expect(r.body.data.user_token).toBe(creds.userToken);
    expect(r.body.meta).toEqual([]);

    const wrong = await call('/auth', {
      method: 'POST',
      auth: `Bearer ${creds.partnerToken}`,
      body: { login: creds.login, password: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, data: null, meta: { message: expect.any(String) } });
    expect((await call('/auth', { method: 'POST', auth: null, body: { login: creds.login, password: creds.password } })).status).toBe(401);
  });

  it('demands both tokens, parses them leniently and answers 401/403/404 in the envelope', async () => {
    expect((await call(`/records/${SMALL}`, { auth: null })).status).toBe(401);
    expect((await call(`/records/${SMALL}`, { auth: `Bearer ${creds.partnerToken}` })).status).toBe(401);
    const badUser = await call(`/records/${SMALL}`, { auth: `Bearer ${creds.partnerToken}, User ${'0'.repeat(32)}` });
    expect(badUser.status).toBe(401);
    expect(badUser.body.success).toBe(false);
    expect((await call(`/records/${SMALL}`, { auth: `Bearer nope, User ${creds.userToken}` })).status).toBe(401);
    expect((await call(`/records/${SMALL}`, { auth: `Bearer ${creds.partnerToken},User ${creds.userToken}` })).status).toBe(200);
    expect((await call(`/records/${SMALL}`, { auth: `bearer ${creds.partnerToken}, user ${creds.userToken}` })).status).toBe(401);

    const forbidden = await call(`/records/${FORBIDDEN}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.meta).toEqual({ message: 'Недостаточно прав' });
    const missing = await call('/records/999');
    expect(missing.status).toBe(404);
    expect(missing.body.meta).toEqual({ message: 'Филиал не найден.' });
    // Partner-only reads of staff are allowed.
    expect((await call(`/company/${SMALL}/staff`, { auth: `Bearer ${creds.partnerToken}` })).status).toBe(200);
  });

  it('invalidates the old user token when the password rotates', async () => {
    const old = creds;
    const rotated = (await control<Credentials>('/rotate-password', 'POST', { password: 'new-secret' })).body;
    expect(rotated.userToken).not.toBe(old.userToken);
    expect((await call(`/accounts/${SMALL}`, { auth: old.authorization })).status).toBe(401);
    expect((await call(`/accounts/${SMALL}`, { auth: rotated.authorization })).status).toBe(200);
    const login = await call<{ user_token: string }>('/auth', {
      method: 'POST',
      auth: `Bearer ${rotated.partnerToken}`,
      body: { login: old.login, password: 'new-secret' },
    });
    expect(login.body.data.user_token).toBe(rotated.userToken);
  });
});

describe('yclients fake: envelope and catalog', () => {
  it('serves staff with [] positions, services with their staff, categories, accounts and meta quirks', async () => {
    const staff = await call(`/company/${SMALL}/staff`);
    expect(meta(staff.body).total_count).toBe(staff.body.data.length);
    expect(staff.body.data.some((s) => Array.isArray(s.position) && s.position.length === 0)).toBe(true);
    const positions = await call(`/company/${SMALL}/staff/positions/`);
    expect(positions.body.data[0]).toEqual({ id: expect.any(Number), title: expect.any(String) });

    const services = await call(`/company/${SMALL}/services`);
    const first = services.body.data[0]!;
    expect(first.staff).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: expect.any(Number), seance_length: expect.any(Number) })]),
    );
    const staffId = (first.staff as { id: number }[])[0]!.id;
    const byStaff = await call(`/company/${SMALL}/services?staff_id=${staffId}`);
    expect(byStaff.body.data.every((s) => (s.staff as { id: number }[]).some((p) => p.id === staffId))).toBe(true);
    const categories = await call(`/company/${SMALL}/service_categories`);
    expect(categories.body.data.map((c) => c.id)).toContain(first.category_id);

    const accounts = await call(`/accounts/${SMALL}`);
    expect(accounts.body.meta).toEqual([]);
    expect(accounts.body.data.map((a) => a.type)).toEqual([0, 1, 1]);
    // No list of payment articles is documented (§8.5): like the real API, there is none.
    const expenses = await call(`/expenses/${SMALL}`);
    expect([expenses.status, expenses.body]).toEqual([404, { success: false, data: null, meta: { message: 'Не найдено' } }]);
    const labels = await call(`/labels/${SMALL}/1`);
    expect(labels.body.data[0]).toMatchObject({ entity: '1', deleted: '0' });
    const single = await call<Row>(`/company/${SMALL}/staff/${staff.body.data[0]!.id}`);
    expect(single.body.data.id).toBe(staff.body.data[0]!.id);
    expect((await call(`/company/${SMALL}/staff/1`)).body.meta).toEqual({ message: 'Сотрудник не найден.' });
  });

  it('shows the mixed date formats, empty-string ids and [] for empty objects', async () => {
    const records = await call(`/records/${SMALL}?count=5`);
    const r = records.body.data[0]!;
    expect(r.date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(r.datetime).toMatch(/T\d{2}:\d{2}:\d{2}\+03:00$/);
    expect(r.create_date).toMatch(/T\d{2}:\d{2}:\d{2}\+0300$/);
    expect(r.last_change_date).toMatch(/\+0300$/);

    const tx = await call(`/transactions/${SMALL}?count=200`);
    expect(tx.body.meta).toEqual([]);
    const historical = tx.body.data.find((t) => t.document_id === '');
    expect(historical).toMatchObject({ record_id: '', visit_id: '', expense: { id: '', title: '' } });
    const all = await call(`/transactions/${BIG}?count=200&page=20`);
    expect(all.body.data.some((t) => Array.isArray(t.supplier) && Array.isArray(t.master) === false)).toBe(true);
    expect(all.body.data.some((t) => t.record_id === 0)).toBe(true);
    expect(all.body.data.some((t) => Number(t.document_id) > 2 ** 31)).toBe(true);
  });
});

describe('yclients fake: paging', () => {
  it('pages client search by page_size <= 200 with meta.total_count, exactly the requested fields', async () => {
    const { body: companies } = await control<{ companies: { id: number; clients: number }[] }>('/companies');
    const total = companies.companies.find((c) => c.id === BIG)!.clients;
    const seen: number[] = [];
    for (let page = 1; ; page++) {
      const r = await search(BIG, {
        page,
        page_size: 200,
        fields: ['id', 'name', 'phone'],
        order_by: 'id',
        order_by_direction: 'ASC',
        operation: 'AND',
        filters: [],
      });
      expect(r.status).toBe(200);
      expect(meta(r.body).total_count).toBe(total);
      if (r.body.data.length === 0) break;
      for (const row of r.body.data) expect(Object.keys(row)).toEqual(['id', 'name', 'phone']);
      seen.push(...r.body.data.map((c) => c.id));
    }
    expect(seen.length).toBe(total);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    const clamped = await search(BIG, { page: 1, page_size: 500 });
    expect(clamped.body.data.length).toBe(200);
    expect(clamped.body.data[0]).toEqual({ id: seen[0] });
    await control('/quirks', 'POST', { overMax: 'reject' });
    expect((await search(BIG, { page: 1, page_size: 201 })).status).toBe(400);

    const quick = await search(BIG, {
      page_size: 200,
      fields: ['id', 'name'],
      filters: [{ type: 'id', state: { value: seen.slice(0, 3) } }],
    });
    expect(quick.body.data.map((c) => c.id)).toEqual(seen.slice(0, 3));
    expect(meta(quick.body).total_count).toBe(3);
    const badFilter = await search(BIG, { filters: [{ type: 'nonsense', state: {} }] });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.meta).toEqual({
      message: 'Недопустимое значение фильтра',
      errors: { filters: ['Недопустимое значение состояния фильтра'] },
    });
  });

  it('pages records in (datetime, id) order with {page, total_count}; ordinal N is on page ceil(N/size)', async () => {
    const source = (await control<{ rows: Row[] }>(`/companies/${SMALL}/source/records`)).body.rows;
    const live = source.filter((r) => r.deleted === false);
    const ids: number[] = [];
    for (let page = 1; ; page++) {
      const r = await call(`/records/${SMALL}?page=${page}&count=200`);
      expect(r.body.meta).toEqual({ page, total_count: live.length });
      if (r.body.data.length === 0) break;
      ids.push(...r.body.data.map((x) => x.id));
    }
    expect(ids).toEqual(live.map((r) => r.id));
    const stamps = live.map((r) => Date.parse(String(r.datetime)));
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    const n = 437;
    const page = await call(`/records/${SMALL}?page=${Math.ceil(n / 200)}&count=200`);
    expect(page.body.data[(n - 1) % 200]!.id).toBe(ids[n - 1]);

    const withDeleted = await call(`/records/${SMALL}?count=1&with_deleted=1`);
    expect(meta(withDeleted.body).total_count).toBe(source.length);
    const day = String(live[300]!.date).slice(0, 10);
    const oneDay = await call(`/records/${SMALL}?start_date=${day}&end_date=${day}&count=200`);
    expect(oneDay.body.data.length).toBeGreaterThan(0);
    expect(oneDay.body.data.every((r) => String(r.date).startsWith(day))).toBe(true);
    expect(meta(oneDay.body).total_count).toBe(live.filter((r) => String(r.date).startsWith(day)).length);
  });

  it('pages transactions by count until a short page, meta [], date ordering; unstable ties when switched on', async () => {
    const source = (await control<{ rows: Row[] }>(`/companies/${SMALL}/source/transactions`)).body.rows;
    const read = async () => {
      const ids: number[] = [];
      for (let page = 1; ; page++) {
        const r = await call(`/transactions/${SMALL}?page=${page}&count=200`);
        ids.push(...r.body.data.map((x) => x.id));
        if (r.body.data.length < 200) break;
      }
      return ids;
    };
    expect(await read()).toEqual(source.map((t) => t.id));
    // A large group of rows shares one date (the historical import) and straddles page 1/2.
    const first = source[0]!.date;
    expect(source.filter((t) => t.date === first).length).toBeGreaterThan(200);

    await control('/quirks', 'POST', { unstableTransactions: true });
    let broken = false;
    for (let attempt = 0; attempt < 5 && !broken; attempt++) {
      const ids = await read();
      expect(ids.length).toBe(source.length);
      broken = new Set(ids).size < source.length;
    }
    expect(broken).toBe(true);
  });

  it('answers an empty page in the middle when the fault injector asks', async () => {
    const r = await fetch(`${sandbox.url}/yclients/api/v1/records/${SMALL}?page=2&count=200`, {
      headers: { authorization: creds.authorization, 'x-sandbox-fault': JSON.stringify({ kind: 'empty' }) },
    });
    const body = (await r.json()) as Envelope<Row[]>;
    expect(body.data).toEqual([]);
    expect(meta(body).total_count).toBeGreaterThan(400);
  });
});

describe('yclients fake: rate limit', () => {
  it('answers 429 in the envelope with Retry-After past 5 a second when switched on', async () => {
    expect((await control('/rate-limit', 'POST', { enabled: true, perSecond: 5, perMinute: 200 })).body).toMatchObject({ enabled: true });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 8; i++) {
      const r = await call(`/accounts/${SMALL}`);
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    expect(statuses.filter((s) => s === 200).length).toBe(5);
    expect(limited!.body).toMatchObject({ success: false, data: null, meta: { message: expect.any(String) } });
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    await control('/rate-limit', 'POST', { enabled: true, perSecond: 100, perMinute: 3 });
    const minute = [];
    for (let i = 0; i < 4; i++) minute.push((await call(`/accounts/${SMALL}`)).status);
    expect(minute).toEqual([200, 200, 200, 429]);
    await control('/rate-limit', 'POST', { enabled: false });
    expect((await call(`/accounts/${SMALL}`)).status).toBe(200);
  });
});

describe('yclients fake: mutations while a sync runs', () => {
  it('inserting a record at the start shifts every ordinal by one', async () => {
    const before = (await call(`/records/${SMALL}?page=1&count=200`)).body;
    const inserted = await control<{ row: Row; ordinal: number }>(`/companies/${SMALL}/records`, 'POST', {
      position: 'start',
      fields: { comment: 'вставка' },
    });
    expect(inserted.status).toBe(201);
    expect(inserted.body.ordinal).toBe(1);
    const after = (await call(`/records/${SMALL}?page=1&count=200`)).body;
    expect(meta(after).total_count).toBe(meta(before).total_count + 1);
    expect(after.data[0]!.id).toBe(inserted.body.row.id);
    expect(after.data[0]!.comment).toBe('вставка');
    expect(after.data.slice(1).map((r) => r.id)).toEqual(before.data.slice(0, 199).map((r) => r.id));
    const single = await call<Row>(`/record/${SMALL}/${inserted.body.row.id}`);
    expect(single.body.data.id).toBe(inserted.body.row.id);
  });

  it('appends at the end, deletes the first row and changes fields with a new last_change_date', async () => {
    const total = meta((await call(`/records/${SMALL}?count=1`)).body).total_count;
    const end = await control<{ row: Row; ordinal: number }>(`/companies/${SMALL}/records`, 'POST', { position: 'end' });
    expect(end.body.ordinal).toBe(total + 1);
    const last = await call(`/records/${SMALL}?page=${total + 1}&count=1`);
    expect(last.body.data[0]!.id).toBe(end.body.row.id);

    const first = (await call(`/records/${SMALL}?count=2`)).body.data;
    const del = await control<{ deleted: number; soft: boolean }>(`/companies/${SMALL}/records/delete`, 'POST', { position: 'first' });
    expect(del.body).toMatchObject({ deleted: first[0]!.id, soft: true });
    expect((await call(`/records/${SMALL}?count=1`)).body.data[0]!.id).toBe(first[1]!.id);
    const withDeleted = await call(`/records/${SMALL}?count=1&with_deleted=1`);
    expect(withDeleted.body.data[0]).toMatchObject({ id: first[0]!.id, deleted: true });

    const target = first[1]!;
    const changed = await control<{ row: Row }>(`/companies/${SMALL}/records/${target.id}`, 'PATCH', {
      comment: 'изменено',
      attendance: -1,
    });
    expect(changed.body.row.last_change_date).not.toBe(target.last_change_date);
    const since = String(changed.body.row.last_change_date).slice(0, 19);
    const incremental = await call(`/records/${SMALL}?changed_after=${since}&with_deleted=1&count=200`);
    expect(incremental.body.data.map((r) => r.id)).toContain(target.id);
    expect(incremental.body.data.find((r) => r.id === target.id)).toMatchObject({ comment: 'изменено', attendance: -1 });
  });

  it('mutates clients and transactions the same way, visible in the source data', async () => {
    const start = await control<{ row: Row; ordinal: number }>(`/companies/${SMALL}/clients`, 'POST', {
      position: 'start',
      fields: { name: 'Первая' },
    });
    expect(start.body.ordinal).toBe(1);
    const page1 = await search(SMALL, { page: 1, page_size: 2, fields: ['id', 'name'] });
    expect(page1.body.data[0]).toEqual({ id: start.body.row.id, name: 'Первая' });
    expect(meta(page1.body).total_count).toBe(401);
    await control(`/companies/${SMALL}/clients/delete`, 'POST', { position: 'first' });
    expect(meta((await search(SMALL, {})).body).total_count).toBe(400);
    const patched = await control<{ row: Row }>(`/companies/${SMALL}/clients/${page1.body.data[1]!.id}`, 'PATCH', {
      phone: '+79990000000',
    });
    expect(patched.body.row.phone).toBe('+79990000000');
    const full = await call<Row>(`/client/${SMALL}/${patched.body.row.id}`);
    expect(full.body.data.phone).toBe('+79990000000');

    const tx = await control<{ row: Row; ordinal: number; total: number }>(`/companies/${SMALL}/transactions`, 'POST', {
      position: 'end',
      fields: { amount: 777 },
    });
    expect(tx.body.ordinal).toBe(tx.body.total);
    const source = (await control<{ rows: Row[]; total: number }>(`/companies/${SMALL}/source/transactions?offset=${tx.body.total - 1}`))
      .body;
    expect(source.rows).toEqual([expect.objectContaining({ id: tx.body.row.id, amount: 777 })]);
  });

  it('creates companies of a requested size quickly and pages them lazily', async () => {
    const created = await control<{ id: number; clients: number; records: number; generated_ms: number }>('/companies', 'POST', {
      clients: 100_000,
      records: 300_000,
    });
    expect(created.status).toBe(201);
    expect(created.body.generated_ms).toBeLessThan(3000);
    const deep = await call(`/records/${created.body.id}?page=1400&count=200`);
    expect(deep.body.data.length).toBe(200);
    expect(meta(deep.body).page).toBe(1400);
    const clients = await search(created.body.id, { page: 500, page_size: 200 });
    expect(meta(clients.body).total_count).toBe(100_000);
    expect(clients.body.data.length).toBe(200);
    const empty = await call(`/records/${EMPTY}`);
    expect(empty.body).toEqual({ success: true, data: [], meta: { page: 1, total_count: 0 } });
  });
});

describe('yclients fake: determinism', () => {
  it('serves the same data for the same seed, and reset restores it', async () => {
    const other = await startSandbox({ port: 0, seed: 7, log: createLogger({ name: 't', level: 'silent' }) });
    try {
      for (const entity of ['clients', 'records', 'transactions', 'staff', 'services']) {
        const a = await control(`/companies/${BIG}/source/${entity}?limit=300`);
        const b = await (await fetch(`${other.url}/yclients/_control/companies/${BIG}/source/${entity}?limit=300`)).json();
        expect(a.body).toEqual(b);
      }
      const otherCreds = (await (await fetch(`${other.url}/yclients/_control/credentials`)).json()) as Credentials;
      expect(otherCreds).toEqual(creds);
    } finally {
      await other.close();
    }
    const before = (await call(`/records/${SMALL}?count=3`)).body;
    await control(`/companies/${SMALL}/records`, 'POST', { position: 'start' });
    await fetch(`${sandbox.url}/_control/reset`, { method: 'POST' });
    expect((await call(`/records/${SMALL}?count=3`)).body).toEqual(before);
  });
});
