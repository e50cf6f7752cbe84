import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

/** The fake's answers as these tests read them (apps/sandbox/src/avito/index.ts). */
interface Sellers {
  sellers: { hash: string; userId: number; active: number }[];
}
interface ProfileItems {
  result: { count: number; items: { value: { id: number } }[]; categoryTree: { count: number } };
}
interface MobileItem {
  type: 'item' | 'vip' | 'groupTitle';
  value: { title: string; category: { id: number } };
}
interface MobileSearch {
  result: { items: MobileItem[] };
}
interface Refusal {
  error: { link: string };
}

let sandbox: RunningSandbox;
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${sandbox.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, log: createLogger({ name: 't', level: 'silent' }) });
});
afterAll(() => sandbox.close());

describe('avito fake', () => {
  it('serves the same seeded data on every start', async () => {
    const other = await startSandbox({ port: 0, seed: 7, log: createLogger({ name: 't', level: 'silent' }) });
    try {
      const a = (await get('/avito/_control/sellers')).json<Sellers>();
      const b = await (await fetch(`${other.url}/avito/_control/sellers`)).json();
      expect(a).toEqual(b);
      expect(a.sellers.length).toBeGreaterThan(5);
    } finally {
      await other.close();
    }
  });

  it('pages a seller through every listing without repeats', async () => {
    const { sellers } = (await get('/avito/_control/sellers')).json<Sellers>();
    const seller = sellers[0]!;
    expect(seller.active).toBeGreaterThan(100);
    const seen: number[] = [];
    for (let page = 1; ; page++) {
      const body = (await get(`/avito/api/1/user/profile/items?sellerId=${seller.hash}&page=${page}&limit=50`)).json<ProfileItems>();
      expect(body.result.count).toBe(seller.active);
      if (body.result.items.length === 0) break;
      seen.push(...body.result.items.map((i) => i.value.id));
    }
    expect(new Set(seen).size).toBe(seller.active);
  });

  it('rejects a malformed seller hash and answers an unknown one with an empty list', async () => {
    expect((await get('/avito/api/1/user/profile/items?sellerId=xyz')).status).toBe(400);
    const unknown = (await get(`/avito/api/1/user/profile/items?sellerId=${'0'.repeat(32)}`)).json<ProfileItems>();
    expect(unknown.result).toEqual({ count: 0, items: [], categoryTree: { count: 0 } });
  });

  it('filters the mobile search and adds a promoted block and a separator on page 1', async () => {
    const body = (await get('/avito/api/11/items?key=k&query=склад&categoryId=42&limit=5')).json<MobileSearch>();
    const types = body.result.items.map((i) => i.type);
    expect(types).toContain('vip');
    expect(types.at(-1)).toBe('groupTitle');
    for (const i of body.result.items.filter((x) => x.type === 'item')) {
      expect(i.value.title.toLowerCase()).toContain('склад');
      expect(i.value.category.id).toBe(42);
    }
    expect((await get('/avito/api/11/items?query=x')).status).toBe(400);
  });

  it('injects anti-bot answers from presets, per request or from rules', async () => {
    const r = await get('/avito/api/11/items?key=k', { 'x-sandbox-fault': JSON.stringify({ kind: 'status', preset: 'avito.ip-block' }) });
    expect(r.status).toBe(403);
    expect(r.json<Refusal>().error.link).toContain('ipblock');

    await fetch(`${sandbox.url}/_control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/avito/api/11', kind: 'status', status: 429, retryAfter: 2, skip: 1, times: 1 }),
    });
    expect((await get('/avito/api/11/items?key=k')).status).toBe(200);
    const limited = await get('/avito/api/11/items?key=k');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await get('/avito/api/11/items?key=k')).status).toBe(200);
  });

  it('truncates bodies and logs requests for tests to inspect', async () => {
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    const r = await get('/avito/web/1/js/items?p=1', { 'x-sandbox-fault': JSON.stringify({ kind: 'truncate' }) });
    expect(() => JSON.parse(r.text)).toThrow();
    const log = (await (await fetch(`${sandbox.url}/_control/requests?prefix=/avito/web`)).json()) as { total: number };
    expect(log.total).toBe(1);
  });
});
