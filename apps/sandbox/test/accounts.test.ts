import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index';
import { client, start } from './marketplace-client';

/**
 * Several accounts per source (issue #18): YClients users with their own companies, Datawiz and
 * IT Resume clients with their own data (ids colliding), Avito official-API applications. Each
 * account sees only its own rows; wrong credentials get the API's documented refusal.
 */
interface Listing {
  name: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}
type Envelope<T = unknown> = { success: boolean; data: T; meta: unknown };

let sandbox: RunningSandbox;
let raw: ReturnType<typeof client>;
const accountsOf = async (prefix: string) =>
  Object.fromEntries(
    (await raw<{ accounts: Listing[] }>('GET', `/${prefix}/_control/credentials`)).body.accounts.map((a) => [a.name, a]),
  ) as Record<string, Listing>;

beforeAll(async () => {
  sandbox = await start();
  raw = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await raw('POST', '/_control/reset');
});

describe('yclients fake: one user per account', () => {
  const yc = (authorization: string) => client(sandbox, { authorization, accept: 'application/vnd.yclients.v2+json' });

  it('logs each user in to its own token and lists only its own companies', async () => {
    const top = (await raw<Record<string, unknown>>('GET', '/yclients/_control/credentials')).body;
    const { a, b } = await accountsOf('yclients');
    expect(a!.credentials).toEqual({ partnerToken: top.partnerToken, userToken: top.userToken, login: top.login, password: top.password });
    expect(b!.credentials.login).not.toBe(a!.credentials.login);
    const partner = yc(`Bearer ${b!.credentials.partnerToken}`);
    const login = await partner<Envelope<{ user_token: string }>>('POST', '/yclients/api/v1/auth', {
      login: b!.credentials.login,
      password: b!.credentials.password,
    });
    expect(login.status).toBe(201);
    expect(login.body.data.user_token).toBe(b!.credentials.userToken);

    const mine = async (l: Listing) =>
      (
        await yc(`Bearer ${l.credentials.partnerToken}, User ${l.credentials.userToken}`)<Envelope<{ id: number }[]>>(
          'GET',
          '/yclients/api/v1/companies?my=1',
        )
      ).body.data.map((c) => c.id);
    expect(await mine(a!)).toEqual([176275, 176276, 176277]);
    expect(await mine(b!)).toEqual([176280, 176281]);
    expect(a!.settings.companyIds).toEqual([176275, 176276, 176277]);
    expect(b!.settings.companyIds).toEqual([176280, 176281]);
  });

  it('answers 403 Недостаточно прав when a user token reads the other account’s company, and serves its own', async () => {
    const { a, b } = await accountsOf('yclients');
    const asA = yc(`Bearer ${a!.credentials.partnerToken}, User ${a!.credentials.userToken}`);
    const asB = yc(`Bearer ${b!.credentials.partnerToken}, User ${b!.credentials.userToken}`);
    const refused = { success: false, data: null, meta: { message: 'Недостаточно прав' } };
    for (const [who, company] of [
      [asA, 176281],
      [asA, 176280],
      [asB, 176275],
    ] as const) {
      const r = await who<Envelope>('GET', `/yclients/api/v1/records/${company}?count=10`);
      expect(r.status).toBe(403);
      expect(r.body).toEqual(refused);
    }
    const own = await asB<Envelope<{ id: number }[]>>('GET', '/yclients/api/v1/records/176281?count=200&page=1');
    expect(own.status).toBe(200);
    const source = (
      await raw<{ rows: { id: number; deleted?: boolean }[] }>('GET', '/yclients/_control/companies/176281/source/records?limit=1000')
    ).body.rows;
    expect(own.body.data.map((r) => r.id)).toEqual(
      source
        .filter((r) => !r.deleted)
        .slice(0, 200)
        .map((r) => r.id),
    );
  });

  it('refuses a wrong password with 401 and an unknown user token with 401, in the envelope', async () => {
    const { b } = await accountsOf('yclients');
    const partner = yc(`Bearer ${b!.credentials.partnerToken}`);
    const wrong = await partner<Envelope>('POST', '/yclients/api/v1/auth', { login: b!.credentials.login, password: 'sandbox-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.success).toBe(false);
    const unknown = await yc(`Bearer ${b!.credentials.partnerToken}, User ${'0'.repeat(32)}`)<Envelope>(
      'GET',
      '/yclients/api/v1/records/176280',
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ success: false, data: null });
  });
});

describe('datawiz fake: one client per account', () => {
  const form = (fields: Record<string, string>) =>
    fetch(`${sandbox.url}/datawiz/api/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const grant = async (c: Record<string, string>) =>
    form({ grant_type: 'password', client_id: c.clientId!, client_secret: c.clientSecret!, username: c.username!, password: c.password! });
  const shopsWith = async (token: string) => {
    const rows: { shop_id: string; name: string; address: string }[] = [];
    for (let url: string | null = `${sandbox.url}/datawiz/api/v1/shops/`; url;) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { next: string | null; results: typeof rows };
      rows.push(...page.results);
      url = page.next;
    }
    return rows;
  };

  it('gives each client its own shops, under the same shop ids; a wrong password is invalid_grant', async () => {
    const { a, b } = await accountsOf('datawiz');
    const tokenA = ((await (await grant(a!.credentials)).json()) as { access_token: string }).access_token;
    const tokenB = ((await (await grant(b!.credentials)).json()) as { access_token: string }).access_token;
    const shopsA = await shopsWith(tokenA);
    const shopsB = await shopsWith(tokenB);
    const truth = async (name: string) =>
      (await raw<{ shops: { shop_id: string; name: string; address: string }[] }>('GET', `/datawiz/_control/data?account=${name}`)).body
        .shops;
    expect(shopsA.map((s) => [s.shop_id, s.address])).toEqual((await truth('a')).map((s) => [s.shop_id, s.address]));
    expect(shopsB.map((s) => [s.shop_id, s.address])).toEqual((await truth('b')).map((s) => [s.shop_id, s.address]));
    expect(shopsB.map((s) => s.shop_id)).toEqual(shopsA.map((s) => s.shop_id));
    const addressesA = new Set(shopsA.map((s) => s.address));
    expect(shopsB.filter((s) => addressesA.has(s.address))).toEqual([]);

    const wrong = await form({
      ...{ grant_type: 'password' },
      client_id: b!.credentials.clientId!,
      client_secret: b!.credentials.clientSecret!,
      username: b!.credentials.username!,
      password: a!.credentials.password!,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid credentials given.' });
    const otherApp = await form({
      grant_type: 'password',
      client_id: b!.credentials.clientId!,
      client_secret: a!.credentials.clientSecret!,
      username: b!.credentials.username!,
      password: b!.credentials.password!,
    });
    expect(otherApp.status).toBe(401);
    expect(await otherApp.json()).toEqual({ error: 'invalid_client' });
  });
});

describe('itresume fake: one partner per account', () => {
  type Item = { lti_user_id: string; created_at: string; attempt_type: string; is_correct: unknown; passback_params: string | null };
  const window = 'start=2026-04-02&end=2026-04-02%2023:59:59';
  const stats = (c: Record<string, string>) =>
    raw<Item[] | { detail: string }>('GET', `/itresume/api/statistics?client=${c.client}&client_key=${c.clientKey}&${window}`);

  it('serves each partner its own attempts; some share the other’s natural key with another outcome; a wrong key is 403', async () => {
    const { a, b } = await accountsOf('itresume');
    const itemsA = (await stats(a!.credentials)).body as Item[];
    const itemsB = (await stats(b!.credentials)).body as Item[];
    const truth = async (name: string) =>
      (await raw<{ items: Item[] }>('GET', `/itresume/_control/attempts?account=${name}&${window}`)).body.items;
    expect(itemsA).toEqual(await truth('a'));
    expect(itemsB).toEqual(await truth('b'));
    const key = (i: Item) => JSON.stringify([i.lti_user_id, i.created_at, i.attempt_type, i.passback_params]);
    const byKeyA = new Map(itemsA.map((i) => [key(i), i]));
    const shared = itemsB.filter((i) => byKeyA.has(key(i)));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.length).toBeLessThan(itemsB.length / 2);
    for (const i of shared) expect(Boolean(Number(i.is_correct))).not.toBe(Boolean(Number(byKeyA.get(key(i))!.is_correct)));

    const wrong = await stats({ client: b!.credentials.client!, clientKey: a!.credentials.clientKey! });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ detail: 'invalid client' });
  });
});

describe('avito fake: a mobile key and an official-API application per account', () => {
  type Official = { clientId: string; clientSecret: string; sellerHash: string; userId: number };
  const token = async (c: { clientId: string; clientSecret: string }) => {
    const res = await fetch(`${sandbox.url}/avito/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }).toString(),
    });
    return { status: res.status, body: (await res.json()) as { access_token: string; error?: string } };
  };

  it('gives each application its own seller, refuses an unknown client, and tells the mobile keys apart', async () => {
    const listed = (await raw<{ accounts: (Listing & { official: Official })[] }>('GET', '/avito/_control/credentials')).body.accounts;
    const [a, b] = listed;
    for (const l of [a!, b!]) {
      const t = (await token(l.official)).body.access_token;
      const self = await raw<{ id: number; profile_url: string }>('GET', '/avito/core/v1/accounts/self', undefined, {
        authorization: `Bearer ${t}`,
      });
      expect(self.body.id).toBe(l.official.userId);
      expect(self.body.profile_url).toContain(l.official.sellerHash);
    }
    expect(a!.official.userId).not.toBe(b!.official.userId);
    const wrong = await token({ clientId: b!.official.clientId, clientSecret: a!.official.clientSecret });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');

    expect(b!.credentials.mobileKey).not.toBe(a!.credentials.mobileKey);
    await raw('POST', '/_control/faults', { path: '/avito/api', kind: 'status', preset: 'avito.rate-limit', account: 'b' });
    const search = (key: string) => raw('GET', `/avito/api/11/items?key=${key}&query=${encodeURIComponent('диван')}&locationId=621540`);
    expect((await search(a!.credentials.mobileKey!)).status).toBe(200);
    expect((await search(b!.credentials.mobileKey!)).status).toBe(429);
  });
});
