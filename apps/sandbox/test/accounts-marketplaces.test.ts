import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogItem, RunningSandbox } from '../src/index';
import { client, start } from './marketplace-client';

/**
 * Several seller cabinets per marketplace (issue #18): each account sees only its own orders, with
 * ids that collide with the other account's; wrong credentials get the marketplace's own auth error.
 */
interface Listing {
  name: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}
type Posting = { posting_number: string; status: string; products: { offer_id: string; quantity: number }[] };
type Task = { id: number; chrtId: number; createdAt: string };
type YmOrder = { id: number; status: string; items: { offerId: string; count: number }[] };

let sandbox: RunningSandbox;
let raw: ReturnType<typeof client>;
const accounts: Record<string, Record<string, Listing>> = {};
const week = () => ({ since: new Date(Date.now() - 30 * 86400_000).toISOString(), to: new Date(Date.now() + 86400_000).toISOString() });
const named = (list: Listing[]) => Object.fromEntries(list.map((a) => [a.name, a]));
/** What the same rows hold beyond their id. */
const contentsOf = <T>(rows: T[], id: (r: T) => string | number) => new Map(rows.map((r) => [id(r), JSON.stringify(r)]));
const differing = (a: Map<string | number, string>, b: Map<string | number, string>) =>
  [...a].filter(([id, v]) => b.has(id) && b.get(id) !== v);

beforeAll(async () => {
  sandbox = await start();
  raw = client(sandbox);
  for (const prefix of ['ozon', 'wb', 'ym']) {
    accounts[prefix] = named((await raw<{ accounts: Listing[] }>('GET', `/${prefix}/_control/credentials`)).body.accounts);
  }
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await raw('POST', '/_control/reset');
});

describe('marketplace fakes: several accounts', () => {
  it('lists two cabinets per marketplace, the first one with the credentials the top level always had', async () => {
    const ozon = (await raw<Record<string, unknown>>('GET', '/ozon/_control/credentials')).body;
    expect(Object.keys(accounts.ozon!)).toEqual(['a', 'b']);
    expect(accounts.ozon!.a!.credentials).toEqual({ clientId: ozon['Client-Id'], apiKey: ozon['Api-Key'] });
    expect(accounts.ozon!.b!.credentials.clientId).not.toBe(accounts.ozon!.a!.credentials.clientId);
    const wb = (await raw<{ tokens: { full: string } }>('GET', '/wb/_control/credentials')).body;
    expect(accounts.wb!.a!.credentials).toEqual({ token: wb.tokens.full });
    expect(accounts.wb!.b!.credentials.token).not.toBe(wb.tokens.full);
    const ym = (await raw<Record<string, unknown>>('GET', '/ym/_control/credentials')).body;
    expect(accounts.ym!.a!.credentials).toEqual({ apiKey: ym['Api-Key'] });
    expect(accounts.ym!.b!.credentials.apiKey).not.toBe(ym['Api-Key']);
    expect([accounts.ozon!.b!.settings.marketplace, accounts.wb!.b!.settings.marketplace, accounts.ym!.b!.settings.marketplace]).toEqual([
      'ozon',
      'wb',
      'ym',
    ]);
  });

  it('Ozon: each cabinet pages only its own postings; posting numbers and offer ids collide, contents differ', async () => {
    const postingsOf = async (name: string) => {
      const c = accounts.ozon![name]!.credentials;
      const ozon = client(sandbox, { 'Client-Id': c.clientId!, 'Api-Key': c.apiKey! });
      const r = await ozon<{ result: { postings: Posting[]; has_next: boolean } }>('POST', '/ozon/v3/posting/fbs/list', {
        dir: 'ASC',
        filter: week(),
        limit: 50,
        offset: 0,
        with: {},
      });
      expect(r.status).toBe(200);
      expect(r.body.result.has_next).toBe(false);
      return r.body.result.postings;
    };
    const a = await postingsOf('a');
    const b = await postingsOf('b');
    const truth = async (name: string) =>
      (await raw<{ postings: Posting[] }>('GET', `/ozon/_control/postings?account=${name}`)).body.postings.map((p) => p.posting_number);
    expect(new Set(a.map((p) => p.posting_number))).toEqual(new Set(await truth('a')));
    expect(new Set(b.map((p) => p.posting_number))).toEqual(new Set(await truth('b')));
    expect(b.map((p) => p.posting_number)).toEqual(a.map((p) => p.posting_number));
    expect(
      differing(
        contentsOf(a, (p) => p.posting_number),
        contentsOf(b, (p) => p.posting_number),
      ).length,
    ).toBeGreaterThan(0);

    const catalog = async (name: string) =>
      (await raw<{ items: CatalogItem[] }>('GET', `/ozon/_control/catalog?account=${name}`)).body.items;
    const [ca, cb] = [await catalog('a'), await catalog('b')];
    expect(cb.map((i) => [i.ozon.offerId, i.ozon.sku])).toEqual(ca.map((i) => [i.ozon.offerId, i.ozon.sku]));
    expect(cb.map((i) => i.price)).not.toEqual(ca.map((i) => i.price));
  });

  it('Ozon: B’s Client-Id with A’s key is refused with Ozon’s error', async () => {
    const r = await raw<{ code: number; message: string }>(
      'POST',
      '/ozon/v2/warehouse/list',
      { limit: 10 },
      {
        'Client-Id': accounts.ozon!.b!.credentials.clientId!,
        'Api-Key': accounts.ozon!.a!.credentials.apiKey!,
      },
    );
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: 5, message: 'Invalid Api-Key, please check the key and try again', details: [] });
  });

  it('Wildberries: each seller sees only its own assembly tasks, whose ids collide', async () => {
    const tasksOf = async (name: string) => {
      const wb = client(sandbox, { Authorization: accounts.wb![name]!.credentials.token! });
      const r = await wb<{ orders: Task[] }>('GET', '/wb/marketplace/api/v3/orders?limit=1000&next=0');
      expect(r.status).toBe(200);
      return r.body.orders;
    };
    const a = await tasksOf('a');
    const b = await tasksOf('b');
    const truth = async (name: string) => (await raw<{ orders: Task[] }>('GET', `/wb/_control/orders?account=${name}`)).body.orders;
    expect(new Set(a.map((t) => t.id))).toEqual(new Set((await truth('a')).map((t) => t.id)));
    expect(new Set(b.map((t) => t.id))).toEqual(new Set((await truth('b')).map((t) => t.id)));
    expect(new Set(b.map((t) => t.id))).toEqual(new Set(a.map((t) => t.id)));
    expect(
      differing(
        contentsOf(a, (t) => t.id),
        contentsOf(b, (t) => t.id),
      ).length,
    ).toBeGreaterThan(0);
  });

  it('Wildberries: an unknown token is refused in the gateway’s shape', async () => {
    const forged = `${accounts.wb!.b!.credentials.token!.split('.').slice(0, 2).join('.')}.forged`;
    const r = await raw<{ status: number; detail: string }>('GET', '/wb/marketplace/api/v3/orders?limit=10&next=0', undefined, {
      Authorization: forged,
    });
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe('token is malformed or not recognised');
  });

  it('Yandex Market: each business sees only its own orders, whose ids collide; a wrong key is refused', async () => {
    const campaign = (accounts.ym!.a!.settings.campaignIds as number[])[0]!;
    const ordersOf = async (name: string) => {
      const ym = client(sandbox, { 'Api-Key': accounts.ym![name]!.credentials.apiKey! });
      const r = await ym<{ orders: YmOrder[]; paging: { nextPageToken?: string } }>('GET', `/ym/v2/campaigns/${campaign}/orders?limit=50`);
      expect(r.status).toBe(200);
      expect(r.body.paging.nextPageToken).toBeUndefined();
      return r.body.orders;
    };
    const a = await ordersOf('a');
    const b = await ordersOf('b');
    const truth = async (name: string) =>
      (await raw<{ orders: { orderId: number; campaignId: number }[] }>('GET', `/ym/_control/orders?account=${name}`)).body.orders
        .filter((o) => o.campaignId === campaign)
        .map((o) => o.orderId);
    expect(new Set(a.map((o) => o.id))).toEqual(new Set(await truth('a')));
    expect(new Set(b.map((o) => o.id))).toEqual(new Set(await truth('b')));
    expect(a.map((o) => o.id).filter((id) => b.some((o) => o.id === id)).length).toBeGreaterThan(0);
    const wrong = await raw<{ errors: { message: string }[] }>('GET', `/ym/v2/campaigns/${campaign}/orders`, undefined, {
      'Api-Key': `${accounts.ym!.b!.credentials.apiKey!}x`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0]!.message).toBe('Api-Key token is invalid');
  });

  it('a fault rule naming account a leaves account b alone', async () => {
    const rule = (
      await raw<{ ids: number[] }>('POST', '/_control/faults', { path: '/ozon', kind: 'status', preset: 'ozon.rate-limit', account: 'a' })
    ).body.ids[0]!;
    const call = (name: string) => {
      const c = accounts.ozon![name]!.credentials;
      return raw('POST', '/ozon/v2/warehouse/list', { limit: 10 }, { 'Client-Id': c.clientId!, 'Api-Key': c.apiKey! });
    };
    expect((await call('a')).status).toBe(429);
    expect((await call('a')).status).toBe(429);
    expect((await call('b')).status).toBe(200);
    const { injected } = (await raw<{ injected: Record<string, number> }>('GET', '/_control/faults')).body;
    expect(injected[rule]).toBe(2);
    const logged = (await raw<{ requests: { account?: string; status: number }[] }>('GET', '/_control/requests?prefix=/ozon')).body
      .requests;
    expect(logged.map((r) => [r.account, r.status])).toEqual([
      ['a', 429],
      ['a', 429],
      ['b', 200],
    ]);
  });
});
