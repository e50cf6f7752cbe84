import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

interface SaleJson {
  url: string;
  sale_id: string;
  shops: string[];
  name: string;
  description: string;
  date_from: string | null;
  date_to: string | null;
  products: { url: string; product_id: string; product_url: string }[];
}
interface PageJson<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}
interface Dump {
  counts: { sales: number; shops: number; products: number };
  sales: SaleJson[];
  shops: { shop_id: string; name: string }[];
  products: { product_id: string; name: string }[];
}
interface Credentials {
  client_id: string;
  client_secret: string;
  username: string;
  password: string;
  token_url: string;
}
type Json = Record<string, unknown>;

const API = '/datawiz/api/v1';
let sandbox: RunningSandbox;
let auth: Record<string, string>;

const call = async (path: string, init: RequestInit = {}, withAuth = true) => {
  const url = path.startsWith('http') ? path : `${sandbox.url}${path}`;
  const headers = { ...(withAuth ? auth : {}), ...(init.headers as Record<string, string> | undefined) };
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T = Json>() => JSON.parse(text) as T };
};
const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const control = async <T = Json>(path: string, init: RequestInit = {}) => {
  const res = await fetch(`${sandbox.url}/datawiz/_control${path}`, {
    ...init,
    headers: init.body ? { 'content-type': 'application/json' } : {},
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as T) };
};
const dump = async () => (await control<Dump>('/data')).body as Dump;

const tokenRequest = (fields: Record<string, string>) =>
  call(
    '/datawiz/api/o/token/',
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    },
    false,
  );
const credentials = async () => (await control<Credentials>('/credentials')).body as Credentials;
const passwordGrant = async () => {
  const c = await credentials();
  return tokenRequest({
    grant_type: 'password',
    client_id: c.client_id,
    client_secret: c.client_secret,
    username: c.username,
    password: c.password,
  });
};

/** Follows `next` as given, from `first`, and answers every element and the pages seen. */
async function crawl<T>(first: string): Promise<{ rows: T[]; pages: PageJson<T>[] }> {
  const rows: T[] = [];
  const pages: PageJson<T>[] = [];
  for (let url: string | null = first; url;) {
    const r = await call(url);
    expect(r.status).toBe(200);
    const page = r.json<PageJson<T>>();
    pages.push(page);
    rows.push(...page.results);
    url = page.next;
  }
  return { rows, pages };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, log: createLogger({ name: 't', level: 'silent' }) });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await fetch(`${sandbox.url}/_control/reset`, { method: 'POST' });
  const token = (await passwordGrant()).json<{ access_token: string }>();
  auth = { authorization: `Bearer ${token.access_token}` };
});

describe('datawiz fake: seeded data', () => {
  it('serves the same data on every start, linked sales, shops and products', async () => {
    const other = await startSandbox({ port: 0, seed: 7, log: createLogger({ name: 't', level: 'silent' }) });
    try {
      const a = await dump();
      const b = (await (await fetch(`${other.url}/datawiz/_control/data`)).json()) as Dump;
      expect(a.counts).toEqual({ sales: 120, shops: 30, products: 300 });
      expect(a.sales.map((s) => [s.sale_id, s.name, s.shops])).toEqual(b.sales.map((s) => [s.sale_id, s.name, s.shops]));
      const shopIds = new Set(a.shops.map((s) => s.shop_id));
      const productIds = new Set(a.products.map((p) => p.product_id));
      for (const sale of a.sales) {
        expect(typeof sale.sale_id).toBe('string');
        for (const shop of sale.shops) expect(shopIds.has(shop)).toBe(true);
        for (const p of sale.products) expect(productIds.has(p.product_id)).toBe(true);
      }
    } finally {
      await other.close();
    }
  });
});

describe('datawiz fake: auth', () => {
  it('requires a bearer token and answers 401 in DRF shape', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: 'Signature keyId="x"' }];
    for (const headers of attempts) {
      const r = await call(`${API}/sale/`, { headers }, false);
      expect(r.status).toBe(401);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    }
  });

  it('issues tokens by password grant and rejects bad clients, users and grants', async () => {
    const c = await credentials();
    const ok = await passwordGrant();
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 36000, scope: 'read write' });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const base = { client_id: c.client_id, client_secret: c.client_secret, username: c.username, password: c.password };
    const bad = await tokenRequest({ ...base, grant_type: 'password', password: 'nope' });
    expect([bad.status, bad.json()]).toEqual([400, { error: 'invalid_grant', error_description: 'Invalid credentials given.' }]);
    const client = await tokenRequest({ ...base, grant_type: 'password', client_secret: 'nope' });
    expect([client.status, client.json()]).toEqual([401, { error: 'invalid_client' }]);
    const grant = await tokenRequest({ ...base, grant_type: 'client_credentials' });
    expect([grant.status, grant.json()]).toEqual([400, { error: 'unsupported_grant_type' }]);
  });

  it('refreshes an expired token, rotating the refresh token', async () => {
    const c = await credentials();
    const first = (await passwordGrant()).json<{ access_token: string; refresh_token: string }>();
    await control('/expire-tokens', { method: 'POST' });
    expect((await call(`${API}/sale/`, { headers: { authorization: `Bearer ${first.access_token}` } }, false)).status).toBe(401);
    const refresh = {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: c.client_id,
      client_secret: c.client_secret,
    };
    const second = await tokenRequest(refresh);
    expect(second.status).toBe(200);
    const { access_token } = second.json<{ access_token: string }>();
    expect((await call(`${API}/sale/`, { headers: { authorization: `Bearer ${access_token}` } }, false)).status).toBe(200);
    expect((await tokenRequest(refresh)).json()).toEqual({ error: 'invalid_grant' });
  });
});

describe('datawiz fake: lists', () => {
  it('pages sales with absolute next/previous links that stay on the sandbox', async () => {
    const source = await dump();
    const { rows, pages } = await crawl<SaleJson>(`${API}/sale/?page_size=25`);
    expect(rows).toEqual(source.sales);
    expect(pages.map((p) => p.results.length)).toEqual([25, 25, 25, 25, 20]);
    expect(pages.every((p) => p.count === 120)).toBe(true);
    expect(pages[0]?.previous).toBeNull();
    expect(pages[0]?.next).toBe(`${sandbox.url}${API}/sale/?page=2&page_size=25`);
    expect(pages[1]?.previous).toBe(`${sandbox.url}${API}/sale/?page_size=25`);
    expect(pages[2]?.previous).toBe(`${sandbox.url}${API}/sale/?page=2&page_size=25`);
    expect(pages.at(-1)?.next).toBeNull();
    expect(rows[0]?.url).toBe(`${sandbox.url}${API}/sale/${rows[0]?.sale_id}/`);
  });

  it('pages shops and products by the default page size', async () => {
    const source = await dump();
    const shops = await crawl<{ shop_id: string }>(`${API}/shops/`);
    expect(shops.pages.map((p) => p.results.length)).toEqual([20, 10]);
    expect(shops.rows.map((s) => s.shop_id)).toEqual(source.shops.map((s) => s.shop_id));
    const products = await crawl<{ product_id: string }>(`${API}/products/?page_size=100`);
    expect(products.pages).toHaveLength(3);
    expect(products.rows).toEqual(source.products);
  });

  it('builds links from X-Forwarded-Host/Proto or Host', async () => {
    const r = await call(`${API}/sale/`, { headers: { 'x-forwarded-host': 'sandbox.internal:8080', 'x-forwarded-proto': 'https' } });
    const page = r.json<PageJson<SaleJson>>();
    expect(page.next).toBe('https://sandbox.internal:8080/datawiz/api/v1/sale/?page=2');
    expect(page.results[0]?.url.startsWith('https://sandbox.internal:8080/datawiz/api/v1/sale/')).toBe(true);
  });

  it('rejects pages past the end, caps page_size and honours page=last', async () => {
    expect((await call(`${API}/sale/?page=99`)).json()).toEqual({ detail: 'Invalid page.' });
    expect((await call(`${API}/sale/?page=0`)).status).toBe(404);
    expect((await call(`${API}/sale/?page=x`)).status).toBe(404);
    const big = (await call(`${API}/products/?page_size=100000`)).json<PageJson<unknown>>();
    expect([big.results.length, big.next]).toEqual([300, null]);
    const last = (await call(`${API}/sale/?page=last&page_size=50`)).json<PageJson<unknown>>();
    expect(last.results).toHaveLength(20);
  });

  it('searches names, every term case-insensitively', async () => {
    const source = await dump();
    const expected = source.sales.filter((s) => s.name.toLowerCase().includes('акция'));
    expect(expected.length).toBeGreaterThan(1);
    const { rows } = await crawl<SaleJson>(`${API}/sale/?search=${encodeURIComponent('АКЦИЯ')}&page_size=5`);
    expect(rows).toEqual(expected);
    const two = (await call(`${API}/sale/?search=${encodeURIComponent('акция кока-кола')}`)).json<PageJson<SaleJson>>();
    expect(two.results.map((s) => s.name)).toContain('Акция Кока-Кола');
    for (const s of two.results) expect(s.name.toLowerCase()).toMatch(/акция.*кока-кола|кока-кола.*акция/);
    expect((await call(`${API}/sale/?search=zzzz-none`)).json()).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it('orders by name and identifier in both directions', async () => {
    const { sales } = await dump();
    const ids = (list: SaleJson[]) => list.map((s) => s.sale_id);
    const cases: [string, (a: SaleJson, b: SaleJson) => number][] = [
      ['name', (a, b) => byText(a.name, b.name) || byText(a.sale_id, b.sale_id)],
      ['-name', (a, b) => byText(b.name, a.name) || byText(a.sale_id, b.sale_id)],
      ['identifier', (a, b) => byText(a.sale_id, b.sale_id)],
      ['-identifier', (a, b) => byText(b.sale_id, a.sale_id)],
    ];
    for (const [ordering, cmp] of cases) {
      const { rows } = await crawl<SaleJson>(`${API}/sale/?ordering=${ordering}&page_size=40`);
      expect(ids(rows)).toEqual(ids([...sales].sort(cmp)));
    }
    // Identifiers are text: "1000" sorts before "999".
    const first = (await call(`${API}/sale/?ordering=identifier&page_size=1`)).json<PageJson<SaleJson>>();
    expect(first.results[0]?.sale_id.startsWith('1')).toBe(true);
    // An unknown field is ignored: default (insertion) order.
    const plain = (await call(`${API}/sale/?ordering=bogus`)).json<PageJson<SaleJson>>();
    expect(ids(plain.results)).toEqual(ids(sales.slice(0, 20)));
  });

  it('answers an empty page when the empty fault is injected', async () => {
    const r = await call(`${API}/sale/`, { headers: { 'x-sandbox-fault': JSON.stringify({ kind: 'empty' }) } });
    expect(r.json<PageJson<unknown>>()).toMatchObject({ count: 120, results: [] });
  });
});

describe('datawiz fake: formats, HEAD, OPTIONS, detail', () => {
  it('renders JSON or the browsable API by format parameter, suffix or Accept', async () => {
    const plain = await call(`${API}/sale/?format=json`);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    const page = plain.json<PageJson<SaleJson>>();
    expect(page.next).toBe(`${sandbox.url}${API}/sale/?format=json&page=2`);

    const suffix = await call(`${API}/sale.json?page=2`);
    expect(suffix.json<PageJson<SaleJson>>().previous).toBe(`${sandbox.url}${API}/sale.json`);
    const sale = page.results[0] as SaleJson;
    expect((await call(`${API}/sale/${sale.sale_id}.json`)).json()).toEqual(sale);

    for (const path of [`${API}/sale/?format=api`, `${API}/sale.api`, `${API}/sale/${sale.sale_id}.api`]) {
      const html = await call(path);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.text).toContain('Django REST framework');
    }
    expect((await call(`${API}/sale/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })).text).toContain('Sale List');
    expect((await call(`${API}/sale/?format=xml`)).status).toBe(404);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await call(`${API}/sale/?page=2`);
    const head = await call(`${API}/sale/?page=2`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    for (const h of ['content-type', 'content-length', 'etag', 'allow', 'vary']) expect(head.headers.get(h)).toBe(get.headers.get(h));
    expect(head.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
  });

  it('describes the fields with OPTIONS', async () => {
    const r = await call(`${API}/sale/`, { method: 'OPTIONS' });
    expect(r.status).toBe(200);
    const meta = r.json<{ name: string; renders: string[]; actions: { POST: Record<string, Json> } }>();
    expect(meta.name).toBe('Sale List');
    expect(meta.renders).toEqual(['application/json', 'text/html']);
    const fields = meta.actions.POST;
    expect(Object.keys(fields)).toEqual(['url', 'sale_id', 'shops', 'name', 'description', 'date_from', 'date_to', 'products']);
    expect(fields.url).toEqual({ type: 'field', required: false, read_only: true, label: 'Url' });
    expect(fields.sale_id).toEqual({ type: 'string', required: true, read_only: false, label: 'Sale id', max_length: 200 });
    expect(fields.name).toEqual({ type: 'string', required: true, read_only: false, label: 'Name', max_length: 100 });
    // Required as the brief's field table has them.
    for (const f of ['description', 'date_from', 'date_to', 'shops', 'products']) expect(fields[f], f).toMatchObject({ required: true });
    expect(fields.date_from).toMatchObject({ type: 'date', required: true });
    expect(fields.products).toMatchObject({
      type: 'field',
      label: 'Products',
      child: { type: 'nested object', children: { product_id: { required: true, read_only: false }, product_url: { read_only: true } } },
    });
  });

  it('answers 404 {"detail": "Not found"} for unknown ids and redirects a missing slash', async () => {
    const r = await call(`${API}/sale/does-not-exist/`);
    expect([r.status, r.json()]).toEqual([404, { detail: 'Not found' }]);
    expect((await call(`${API}/shops/nope/`)).json()).toEqual({ detail: 'Not found' });
    expect((await call(`${API}/receipts/`)).status).toBe(404);
    const redirect = await call(`${API}/sale?page=2`);
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, `${API}/sale/?page=2`]);
    const sale = (await dump()).sales[0] as SaleJson;
    expect((await call(`${API}/sales/${sale.sale_id}/`)).json()).toEqual(sale);
    const item = sale.products[0];
    expect(item && (await call(item.url)).json()).toEqual(item);
    expect((await call(`${API}/sale/`, { method: 'DELETE' })).json()).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });
});

describe('datawiz fake: POST', () => {
  it("inserts new sales and updates existing ones, answering the documented 200 {results: {updated, created}} (or the brief's form on request)", async () => {
    const source = await dump();
    const existing = source.sales[5] as SaleJson;
    const [shopA, shopB] = source.shops;
    const product = source.products[0];
    const full = { description: '', date_from: '2025-03-01', date_to: '2025-03-31', shops: [shopA?.shop_id], products: [] };
    const one = await post(`${API}/sale/`, { ...full, sale_id: 'new-1', name: 'Новая акция' });
    expect([one.status, one.json()]).toEqual([200, { results: { updated: 0, created: 1 } }]);
    const many = await post(`${API}/sale/`, [
      { ...existing, name: 'Переименована', products: existing.products.map((p) => ({ product_id: p.product_id })) },
      {
        sale_id: 5000,
        name: 'Числовой id',
        description: '',
        date_from: '2025-01-01',
        date_to: '2025-01-31',
        shops: [shopB?.shop_id],
        products: [{ product_id: product?.product_id }],
      },
    ]);
    expect([many.status, many.json()]).toEqual([200, { results: { updated: 1, created: 1 } }]);

    const updated = (await call(`${API}/sale/${existing.sale_id}/`)).json<SaleJson>();
    expect(updated).toEqual({ ...existing, name: 'Переименована' });
    const created = (await call(`${API}/sale/5000/`)).json<SaleJson>();
    expect(created).toMatchObject({ sale_id: '5000', description: '', shops: [shopB?.shop_id], date_to: '2025-01-31' });
    expect(created.products.map((p) => p.product_id)).toEqual([product?.product_id]);
    expect((await dump()).counts.sales).toBe(122);

    expect((await control('/create-answer', { method: 'POST', body: JSON.stringify({ form: 'brief' }) })).status).toBe(200);
    const brief = await post(`${API}/sale/`, { ...full, sale_id: 'new-2', name: 'Ещё одна' });
    expect([brief.status, brief.json()]).toEqual([201, { updated: 0, inserted: 1 }]);
    expect((await control('/create-answer', { method: 'POST', body: JSON.stringify({ form: 'documented' }) })).status).toBe(200);

    // A form body cannot carry the nested products list, which is required.
    const form = await call(`${API}/sale/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `sale_id=form-1&name=${encodeURIComponent('Из формы')}&description=&date_from=2025-01-01&date_to=2025-01-02&shops=${shopA?.shop_id}&shops=${shopB?.shop_id}`,
    });
    expect([form.status, form.json()]).toEqual([400, { products: ['This field is required.'] }]);
  });

  it('answers per-field errors like DRF and writes nothing', async () => {
    const before = await dump();
    const ok = { sale_id: 'x', name: 'n', description: '', date_from: '2025-01-01', date_to: '2025-01-02', shops: [], products: [] };
    const cases: [unknown, Json][] = [
      [
        {},
        Object.fromEntries(
          ['sale_id', 'shops', 'name', 'description', 'date_from', 'date_to', 'products'].map((f) => [f, ['This field is required.']]),
        ),
      ],
      [{ ...ok, name: '   ' }, { name: ['This field may not be blank.'] }],
      [{ ...ok, name: null }, { name: ['This field may not be null.'] }],
      [{ ...ok, date_to: null }, { date_to: ['This field may not be null.'] }],
      [
        { ...ok, sale_id: 's'.repeat(201), name: 'n'.repeat(101) },
        {
          sale_id: ['Ensure this field has no more than 200 characters.'],
          name: ['Ensure this field has no more than 100 characters.'],
        },
      ],
      [{ ...ok, date_from: '30.06.2018' }, { date_from: ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'] }],
      [{ ...ok, shops: '1' }, { shops: ['Expected a list of items but got type "str".'] }],
      [{ ...ok, shops: ['no-such-shop'] }, { shops: ['Object with shop_id=no-such-shop does not exist.'] }],
      [
        { ...ok, products: [{}, { product_id: 'zz' }] },
        {
          products: [{ product_id: ['This field is required.'] }, { product_id: ['Object with product_id=zz does not exist.'] }],
        },
      ],
      [{ ...ok, products: { product_id: 'zz' } }, { products: { non_field_errors: ['Expected a list of items but got type "dict".'] } }],
      [{ ...ok, date_from: '2025-02-01', date_to: '2025-01-01' }, { non_field_errors: ['date_to must not be earlier than date_from.'] }],
      ['just a string', { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
    ];
    for (const [body, errors] of cases) {
      const r = await post(`${API}/sale/`, body);
      expect([r.status, r.json()]).toEqual([400, errors]);
    }
    const list = await post(`${API}/sale/`, [{ ...ok, sale_id: 'ok', name: 'fine' }, { ...ok, name: undefined, sale_id: 'bad' }, 7]);
    expect([list.status, list.json()]).toEqual([
      400,
      [{}, { name: ['This field is required.'] }, { non_field_errors: ['Invalid data. Expected a dictionary, but got int.'] }],
    ]);
    const broken = await call(`${API}/sale/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sale_id":' });
    expect(broken.status).toBe(400);
    expect(broken.json<{ detail: string }>().detail).toMatch(/^JSON parse error - /);
    expect((await dump()).sales).toEqual(before.sales);
  });
});

describe('datawiz fake: control mutations', () => {
  it('renames a sale, removes a shop, deletes a sale, and reset restores them', async () => {
    const before = await dump();
    const [a, b] = before.sales.filter((s) => s.shops.length > 1) as [SaleJson, SaleJson];
    const renamed = await control<SaleJson>(`/sales/${a.sale_id}`, { method: 'PATCH', body: JSON.stringify({ name: 'Новое имя' }) });
    expect(renamed.body?.name).toBe('Новое имя');
    const shop = a.shops[0] as string;
    const unlinked = await control<SaleJson>(`/sales/${a.sale_id}/shops/${shop}`, { method: 'DELETE' });
    expect(unlinked.body?.shops).toEqual(a.shops.slice(1));
    expect((await control(`/sales/${b.sale_id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await control(`/sales/${b.sale_id}`, { method: 'DELETE' })).status).toBe(404);

    const seen = (await crawl<SaleJson>(`${API}/sale/?page_size=100`)).rows;
    expect(seen).toHaveLength(119);
    expect(seen.find((s) => s.sale_id === a.sale_id)).toMatchObject({ name: 'Новое имя', shops: a.shops.slice(1) });
    expect((await call(`${API}/sale/${b.sale_id}/`)).status).toBe(404);

    expect((await control('/reset', { method: 'POST' })).status).toBe(204);
    expect((await dump()).sales).toEqual(before.sales);
  });
});
