import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { waitForRun, type Run } from '@datasync/testkit';
import {
  createTestDatabase,
  sandboxControl,
  spawnWorker,
  startTestSandbox,
  testEnv,
  waitForLine,
  type TestDatabase,
  type WorkerProcess,
} from '../../helpers';
import { expectYclientsEqualToSource } from '../yclients/equal-to-source';
import { datasync, keyRing, newKey, startGateway, type Gateway } from './harness';

/**
 * Where connections reach beyond a sync request (issue #18), on a real gateway, real workers,
 * Postgres, Redis and the sandbox's two accounts per fake: a schedule's ticks run on its connection;
 * the Datawiz create route sends with a named connection; a marketplace cabinet's warehouseIds /
 * campaignIds narrow what is read and pushed; a refused connection shows as failing and recovers.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let pool: pg.Pool;
let gateway: Gateway;
let control: ReturnType<typeof sandboxControl>;
let env: Record<string, string>;
const workers: WorkerProcess[] = [];

interface Account {
  name: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}
interface Connection {
  id: string;
  name: string;
  state: string;
  lastError: string | null;
  lastErrorAt: string | null;
}
type Refusal = { errors: { field: string; message: string }[] };
type ErrorAnswer = { error: { code: string; message: string } };
const ids: Record<string, string> = {};

const accountsOf = async (prefix: string) => (await control.get<{ accounts: Account[] }>(`${prefix}/_control/credentials`)).accounts;
const account = async (prefix: string, name: string) => (await accountsOf(prefix)).find((a) => a.name === name)!;
const run = async (id: string) => (await gateway.call<Run>('GET', `/api/runs/${id}`)).body;
const finished = (id: string) => waitForRun(() => run(id), id, { timeoutMs: 120_000, intervalMs: 100 });
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];
const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

async function connect(source: string, name: string, credentials: Record<string, string>, settings: Record<string, unknown>) {
  const res = await gateway.call<{ id: string }>('POST', '/api/connections', { source, name, credentials, settings });
  expect(res.status, res.text).toBe(201);
  ids[name] = res.body.id;
  return res.body.id;
}
async function sync(path: string, body: Record<string, unknown>): Promise<Run> {
  const res = await gateway.call<{ parser_uuid: string }>('POST', path, body);
  expect(res.status, res.text).toBe(200);
  return finished(res.body.parser_uuid);
}
const connection = async (id: string) => (await gateway.call<Connection>('GET', `/api/connections/${id}`)).body;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  const datawizA = await account('/datawiz', 'a');
  env = testEnv(db.url, sandbox.url, {
    DATASYNC_KEYS: keyRing('k1', { k1: newKey() }),
    // The environment's Datawiz client is account a: a promotion sent without a connection lands there.
    DATAWIZ_CLIENT_ID: datawizA.credentials.clientId!,
    DATAWIZ_CLIENT_SECRET: datawizA.credentials.clientSecret!,
    DATAWIZ_USERNAME: datawizA.credentials.username!,
    DATAWIZ_PASSWORD: datawizA.credentials.password!,
    SCHEDULE_MIN_INTERVAL_SECONDS: '1',
    YCLIENTS_REQUESTS_PER_SECOND: '1000',
    YCLIENTS_REQUESTS_PER_MINUTE: '100000',
    MARKETPLACES_POLL_INTERVAL_MS: '0',
    MARKETPLACES_PUSH_INTERVAL_MS: '0',
    MARKETPLACES_CATALOG_INTERVAL_MS: '0',
  });
  gateway = await startGateway(env);
  for (const app of ['worker-yclients', 'worker-marketplaces'] as const) {
    const w = spawnWorker(app, env);
    workers.push(w);
    await waitForLine(w, `${app.slice('worker-'.length)} worker consuming`, 60_000);
  }
  for (const a of await accountsOf('/yclients'))
    await connect('yclients', `yclients-${a.name}`, a.credentials, { ...a.settings, requestsPerSecond: 1000, requestsPerMinute: 100000 });
  for (const a of await accountsOf('/datawiz')) await connect('datawiz', `datawiz-${a.name}`, a.credentials, a.settings);
  await connect('marketplaces', 'ozon-a', (await account('/ozon', 'a')).credentials, { marketplace: 'ozon' });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await gateway?.stop();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('schedules on a connection', () => {
  it('refuses a connection that is not one of the source with 400 naming connectionId; nothing is stored', async () => {
    for (const connectionId of [ids['ozon-a'], '5d0c7a52-1b7e-4c1a-9a51-0d5c3f6f0b01']) {
      const res = await gateway.call<Refusal>('POST', '/api/schedules', {
        source: 'yclients',
        params: { companyId: 176280 },
        everyMinutes: 60,
        connectionId,
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'connectionId', message: expect.stringMatching(/is not a connection of yclients/) }]);
    }
    const cli = await datasync(
      { GATEWAY_URL: gateway.url },
      ...['schedules', 'add', 'yclients', '--companyId', '176280', '--every', '60', '--connection', ids['ozon-a']!],
    );
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/connectionId/);
    expect(await q('SELECT id FROM schedules')).toEqual([]);
  });

  it("a schedule on connection b ticks into runs on b, b's company lands whole; b cannot be deleted while it is scheduled", async () => {
    const made = await gateway.call<{ id: string; connectionId: string }>('POST', '/api/schedules', {
      name: 'salon b every 3 s',
      source: 'yclients',
      params: { companyId: 176280 },
      everyMinutes: 0.05,
      connectionId: ids['yclients-b'],
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body.connectionId).toBe(ids['yclients-b']);
    const scheduleId = made.body.id;
    await expect
      .poll(async () => (await q('SELECT id FROM sync_runs WHERE schedule_id = $1', [scheduleId])).length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    const [first] = await q<{ id: string }>('SELECT id FROM sync_runs WHERE schedule_id = $1 ORDER BY scheduled_for LIMIT 1', [scheduleId]);
    const r = await finished(first!.id);
    expect(r.error ?? null).toBeNull();
    expect(await q('SELECT connection_id, params FROM sync_runs WHERE id = $1', [first!.id])).toEqual([
      { connection_id: ids['yclients-b'], params: { companyId: 176280 } },
    ]);
    // 176280 is one of account b's companies only: a run on the env or on a could not have read it.
    await expectYclientsEqualToSource(pool, control, 176280);

    const refused = await gateway.call<ErrorAnswer>('DELETE', `/api/connections/${ids['yclients-b']}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(new RegExp(`${scheduleId}|run`));
    expect(await q('SELECT id FROM connections WHERE id = $1', [ids['yclients-b']])).toHaveLength(1);
    expect((await gateway.call('DELETE', `/api/schedules/${scheduleId}`)).status).toBe(200);
    // With no run left queued or running, the schedule itself is what the refusal names.
    await expect
      .poll(async () => (await q(`SELECT id FROM sync_runs WHERE state IN ('queued', 'running')`)).length, { timeout: 60_000 })
      .toBe(0);
    const again = await gateway.call<{ id: string }>('POST', '/api/schedules', {
      name: 'nightly b',
      source: 'yclients',
      params: { companyId: 176280 },
      cron: '0 3 * * *',
      connectionId: ids['yclients-b'],
    });
    expect(again.status, again.text).toBe(201);
    const named = await gateway.call<ErrorAnswer>('DELETE', `/api/connections/${ids['yclients-b']}`);
    expect(named.status).toBe(409);
    expect(named.body.error.message).toContain(`schedule ${again.body.id} ("nightly b")`);
    expect((await gateway.call('DELETE', `/api/schedules/${again.body.id}`)).status).toBe(200);
  });

  it('the command line schedules on a connection (`schedules add … --connection <id>`)', async () => {
    const cli = await datasync(
      { GATEWAY_URL: gateway.url },
      ...['schedules', 'add', 'yclients', '--companyId', '176280', '--cron', '0 4 * * *', '--connection', ids['yclients-b']!],
    );
    expect(cli.code, cli.stderr).toBe(0);
    const id = cli.stdout.trim().split(/\s+/)[0]!;
    expect(await q('SELECT connection_id FROM schedules WHERE id = $1', [id])).toEqual([{ connection_id: ids['yclients-b'] }]);
    expect((await gateway.call('DELETE', `/api/schedules/${id}`)).status).toBe(200);
  });
});

describe('Datawiz promotions through a connection', () => {
  const sale = (saleId: string, shop: string, connectionId?: string) => ({
    sale_id: saleId,
    name: `promo ${saleId}`,
    description: '',
    date_from: '2026-06-01',
    date_to: '2026-06-30',
    shops: [shop],
    products: [],
    ...(connectionId ? { connectionId } : {}),
  });
  const saleIdsOf = async (acc: 'a' | 'b') =>
    (await control.get<{ sales: { sale_id: string }[] }>(`/datawiz/_control/data?account=${acc}`)).sales.map((s) => s.sale_id);

  it('lands in account b with connection b, in account a without one; an unknown connection is a 400 and nothing is sent', async () => {
    const shop = (await control.get<{ shops: { shop_id: string }[] }>('/datawiz/_control/data?account=b')).shops[0]!.shop_id;
    const before = { a: await saleIdsOf('a'), b: await saleIdsOf('b') };
    expect(before.a).not.toContain('gap-b-1');
    expect(before.b).not.toContain('gap-b-1');

    const viaB = await gateway.call('POST', '/api/datawiz/sales', sale('gap-b-1', shop, ids['datawiz-b']));
    expect(viaB.status, viaB.text).toBe(201);
    const list = await gateway.call('POST', `/api/datawiz/sales?connection=${ids['datawiz-b']}`, [sale('gap-b-2', shop)]);
    expect(list.status, list.text).toBe(201);
    const viaEnv = await gateway.call('POST', '/api/datawiz/sales', sale('gap-env-1', shop));
    expect(viaEnv.status, viaEnv.text).toBe(201);
    expect((await saleIdsOf('b')).filter((id) => !before.b.includes(id)).sort()).toEqual(['gap-b-1', 'gap-b-2']);
    expect((await saleIdsOf('a')).filter((id) => !before.a.includes(id))).toEqual(['gap-env-1']);

    const unknown = await gateway.call<Refusal>('POST', '/api/datawiz/sales', sale('gap-none', shop, ids['yclients-a']));
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'connectionId', message: expect.stringMatching(/is not a connection of datawiz/) }]);
    expect([...(await saleIdsOf('a')), ...(await saleIdsOf('b'))]).not.toContain('gap-none');
    // Each submission is recorded under the connection that sent it.
    expect(
      sorted(
        await q(
          `SELECT sale_ids, connection_id, outcome FROM datawiz_sale_submissions WHERE sale_ids && ARRAY['gap-b-1','gap-b-2','gap-env-1','gap-none']`,
        ),
      ),
    ).toEqual(
      sorted([
        { sale_ids: ['gap-b-1'], connection_id: ids['datawiz-b'], outcome: 'accepted' },
        { sale_ids: ['gap-b-2'], connection_id: ids['datawiz-b'], outcome: 'accepted' },
        { sale_ids: ['gap-env-1'], connection_id: '00000000-0000-0000-0000-000000000000', outcome: 'accepted' },
      ]),
    );
  });
});

describe('marketplace cabinets narrowed by settings', () => {
  it('an Ozon cabinet with warehouseIds stores (and so pushes to) only those warehouses; a warehouse it does not list fails the read by name', async () => {
    const all = (await control.get<{ warehouses: { warehouse_id: number }[] }>('/ozon/_control/warehouses?account=a')).warehouses;
    expect(all.length).toBeGreaterThan(1);
    const chosen = all[1]!.warehouse_id;
    const id = await connect('marketplaces', 'ozon-a-one', (await account('/ozon', 'a')).credentials, {
      marketplace: 'ozon',
      warehouseIds: [chosen],
    });
    const r = await sync('/api/marketplaces/catalog', { connectionId: id });
    expect(r.error ?? null).toBeNull();
    expect(await q('SELECT warehouse_id, active FROM marketplace_warehouses WHERE connection_id = $1', [id])).toEqual([
      { warehouse_id: String(chosen), active: true },
    ]);
    // The whole cabinet's connection keeps every warehouse (the setting narrows only its own).
    expect((await sync('/api/marketplaces/catalog', { connectionId: ids['ozon-a'] })).error ?? null).toBeNull();
    expect(sorted(await q('SELECT warehouse_id FROM marketplace_warehouses WHERE connection_id = $1', [ids['ozon-a']]))).toEqual(
      sorted(all.map((w) => ({ warehouse_id: String(w.warehouse_id) }))),
    );

    const wrong = await connect('marketplaces', 'ozon-a-wrong', (await account('/ozon', 'a')).credentials, {
      marketplace: 'ozon',
      warehouseIds: [987654321],
    });
    const failed = await sync('/api/marketplaces/catalog', { connectionId: wrong });
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(
      /connection ozon-a-wrong: settings\.warehouseIds names ozon warehouses the cabinet does not list: 987654321/,
    );
  });

  it('a Yandex Market cabinet with campaignIds reads only those campaigns’ warehouses', async () => {
    const fake = await control.get<{ campaigns: { id: number }[]; warehouses: { id: number; campaignId: number }[] }>(
      '/ym/_control/campaigns?account=a',
    );
    const campaign = fake.campaigns[0]!.id;
    // There are warehouses of other campaigns to leave out.
    expect(fake.warehouses.some((w) => w.campaignId !== campaign)).toBe(true);
    const id = await connect('marketplaces', 'ym-a-one', (await account('/ym', 'a')).credentials, {
      marketplace: 'ym',
      campaignIds: [campaign],
    });
    const r = await sync('/api/marketplaces/catalog', { connectionId: id });
    expect(r.error ?? null).toBeNull();
    expect(sorted(await q('SELECT warehouse_id, campaign_id, active FROM marketplace_warehouses WHERE connection_id = $1', [id]))).toEqual(
      sorted(
        fake.warehouses
          .filter((w) => w.campaignId === campaign)
          .map((w) => ({ warehouse_id: String(w.id), campaign_id: String(campaign), active: true })),
      ),
    );
  });
});

describe('a connection the upstream refuses', () => {
  it('fails the run naming the connection and shows failing with the error and time; good credentials and a run make it ok', async () => {
    const b = await account('/yclients', 'b');
    // A login with a wrong password (and no user token): YClients refuses the sign-in.
    const id = await connect(
      'yclients',
      'yclients-b-wrong',
      { partnerToken: b.credentials.partnerToken!, login: b.credentials.login!, password: `${b.credentials.password}-not` },
      { ...b.settings, requestsPerSecond: 1000, requestsPerMinute: 100000 },
    );
    expect((await connection(id)).state).toBe('ok');
    const refused = await sync('/api/yclients/sync', { companyId: 176280, connectionId: id });
    expect(refused.state).toBe('failed');
    expect(refused.error).toContain(`connection yclients-b-wrong (${id})`);
    const failing = await connection(id);
    expect(failing).toMatchObject({ state: 'failing', lastError: expect.any(String) });
    expect(Date.now() - Date.parse(failing.lastErrorAt!)).toBeLessThan(10 * 60_000);
    expect(failing.lastError).not.toContain(b.credentials.password);
    expect(failing.lastError).not.toContain('-not');

    const patched = await gateway.call('PATCH', `/api/connections/${id}`, { credentials: b.credentials });
    expect(patched.status, patched.text).toBe(200);
    const ok = await sync('/api/yclients/sync', { companyId: 176280, connectionId: id });
    expect(ok.error ?? null).toBeNull();
    expect(await connection(id)).toMatchObject({ state: 'ok', lastError: null, lastErrorAt: null });
  });

  it('a refusal mid-life (the sandbox answering 401 to account a) marks it failing; the next good run marks it ok without a PATCH', async () => {
    const fault = (await control.addFault({ path: '/yclients', kind: 'status', status: 401, account: 'a' })) as { ids: number[] };
    const refused = await sync('/api/yclients/sync', { companyId: 176275, connectionId: ids['yclients-a'] });
    // The fault really answered (proof the refusal was injected).
    expect((await control.injected())[fault.ids[0]!] ?? 0).toBeGreaterThan(0);
    await control.clearFaults();
    expect(refused.state).toBe('failed');
    expect(refused.error).toContain(`connection yclients-a (${ids['yclients-a']})`);
    expect(await connection(ids['yclients-a']!)).toMatchObject({ state: 'failing', lastError: expect.any(String) });
    const ok = await sync('/api/yclients/sync', { companyId: 176275, connectionId: ids['yclients-a'] });
    expect(ok.error ?? null).toBeNull();
    expect(await connection(ids['yclients-a']!)).toMatchObject({ state: 'ok', lastError: null, lastErrorAt: null });
  });
});
