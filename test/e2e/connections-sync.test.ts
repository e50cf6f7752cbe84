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
} from '../helpers';
import { datasync, keyRing, leaked, newKey, pgDump, redisDump, startGateway, type Gateway } from './connections/harness';
import { expectYclientsEqualToSource } from './yclients/equal-to-source';

/**
 * Syncing through stored connections (issue #18) on a real gateway and real worker processes
 * (logging at debug), Postgres, Redis and the sandbox's two accounts per fake: two YClients logins
 * and two Ozon cabinets sync at the same time and each table holds its own account's data; a 429
 * storm on one account leaves the other's run time alone; a deleted connection is refused by name;
 * no credential is found in clear anywhere.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let pool: pg.Pool;
let gateway: Gateway;
let control: ReturnType<typeof sandboxControl>;
let env: Record<string, string>;
const workers: WorkerProcess[] = [];
/** Every credential this file stores: none may be found in clear anywhere. */
const secrets: string[] = [];

interface Account {
  name: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}
const ids: Record<string, string> = {};

const accountsOf = async (prefix: string) => (await control.get<{ accounts: Account[] }>(`${prefix}/_control/credentials`)).accounts;
const run = async (id: string) => (await gateway.call<Run>('GET', `/api/runs/${id}`)).body;
const finished = (id: string, timeoutMs = 120_000) => waitForRun(() => run(id), id, { timeoutMs, intervalMs: 100 });
async function submit(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await gateway.call<{ parser_uuid: string }>('POST', path, body);
  expect(res.status, res.text).toBe(200);
  return res.body.parser_uuid;
}
async function done(id: string): Promise<Run> {
  const r = await finished(id);
  expect(r.error ?? null, JSON.stringify(r.error)).toBeNull();
  expect(r.state).toBe('done');
  return r;
}
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];
const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  // No environment credentials for YClients or Ozon: every run here goes through a stored connection.
  env = testEnv(db.url, sandbox.url, {
    DATASYNC_KEYS: keyRing('k1', { k1: newKey() }),
    YCLIENTS_REQUESTS_PER_SECOND: '1000',
    YCLIENTS_REQUESTS_PER_MINUTE: '100000',
    MARKETPLACES_POLL_INTERVAL_MS: '0',
    MARKETPLACES_PUSH_INTERVAL_MS: '0',
    MARKETPLACES_CATALOG_INTERVAL_MS: '0',
  });
  gateway = await startGateway(env);
  for (const app of ['worker-yclients', 'worker-marketplaces'] as const) {
    const w = spawnWorker(app, env, { logLevel: 'debug' });
    workers.push(w);
    await waitForLine(w, `${app.slice('worker-'.length)} worker consuming`, 60_000);
  }
  for (const [source, prefix] of [
    ['yclients', '/yclients'],
    ['marketplaces', '/ozon'],
  ] as const) {
    for (const a of await accountsOf(prefix)) {
      const name = `${prefix.slice(1)}-${a.name}`;
      const res = await gateway.call<{ id: string }>('POST', '/api/connections', {
        source,
        name,
        credentials: a.credentials,
        settings: source === 'yclients' ? { ...a.settings, requestsPerSecond: 1000, requestsPerMinute: 100000 } : a.settings,
      });
      expect(res.status, res.text).toBe(201);
      ids[name] = res.body.id;
      secrets.push(
        ...Object.entries(a.credentials)
          .filter(([field]) => !['login', 'clientId', 'client'].includes(field))
          .map(([, v]) => v),
      );
    }
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await gateway?.stop();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('syncing through connections', () => {
  it('two YClients logins sync their own companies at the same time; each company equals its account', async () => {
    const [a, b] = await Promise.all([
      submit('/api/yclients/sync', { companyId: 176275, connectionId: ids['yclients-a'] }),
      submit('/api/yclients/sync', { companyId: 176280, connectionId: ids['yclients-b'] }),
    ]);
    await Promise.all([done(a), done(b)]);
    await expectYclientsEqualToSource(pool, control, 176275);
    await expectYclientsEqualToSource(pool, control, 176280);
    // The runs carry the connection's id, never its credentials; each stream state is its connection's.
    expect(await q('SELECT id, connection_id FROM sync_runs WHERE id = ANY($1) ORDER BY id', [[a, b]])).toEqual(
      [
        { id: a, connection_id: ids['yclients-a'] },
        { id: b, connection_id: ids['yclients-b'] },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
    const states = await q<{ scope: string; connection_id: string }>(
      `SELECT DISTINCT scope, connection_id FROM stream_state WHERE source = 'yclients' ORDER BY scope`,
    );
    expect(states).toEqual([
      { scope: '176275', connection_id: ids['yclients-a'] },
      { scope: '176280', connection_id: ids['yclients-b'] },
    ]);
  });

  it('a connection limited to its companies (settings.companyIds) cannot sync another login’s company; nothing of it is stored', async () => {
    const before = await q('SELECT count(*)::int AS n FROM yclients_clients WHERE company_id = 176281');
    const id = await submit('/api/yclients/sync', { companyId: 176281, connectionId: ids['yclients-a'] });
    const r = await finished(id);
    expect(r.state).toBe('failed');
    expect(r.error).toBe('connection yclients-a may not sync company 176281 (its companyIds: 176275, 176276, 176277)');
    expect(await q('SELECT count(*)::int AS n FROM yclients_clients WHERE company_id = 176281')).toEqual(before);
  });

  it('two Ozon cabinets read their catalogues and orders at the same time; each connection holds its own cabinet, ids colliding', async () => {
    const cabinets = ['ozon-a', 'ozon-b'] as const;
    await Promise.all(cabinets.map(async (c) => done(await submit('/api/marketplaces/catalog', { connectionId: ids[c] }))));
    await Promise.all(
      cabinets.map(async (c) =>
        done(await submit('/api/marketplaces/poll', { marketplace: 'ozon', kind: 'orders', connectionId: ids[c] })),
      ),
    );
    for (const [c, account] of [
      ['ozon-a', 'a'],
      ['ozon-b', 'b'],
    ] as const) {
      const connectionId = ids[c];
      const catalog = await control.get<{ items: { ozon: { offerId: string; productId: number } }[] }>(
        `/ozon/_control/catalog?account=${account}`,
      );
      const listings = await q<{ listing_id: string; push_key: string }>(
        `SELECT listing_id, push_key FROM marketplace_listings WHERE marketplace = 'ozon' AND connection_id = $1`,
        [connectionId],
      );
      expect(sorted(listings)).toEqual(
        sorted(catalog.items.map((i) => ({ listing_id: i.ozon.offerId, push_key: String(i.ozon.productId) }))),
      );
      const fakeWarehouses = await control.get<{ warehouses: { warehouse_id: number; name: string }[] }>(
        `/ozon/_control/warehouses?account=${account}`,
      );
      const warehouses = await q(
        `SELECT warehouse_id, name FROM marketplace_warehouses WHERE marketplace = 'ozon' AND connection_id = $1`,
        [connectionId],
      );
      expect(sorted(warehouses)).toEqual(
        sorted(fakeWarehouses.warehouses.map((w) => ({ warehouse_id: String(w.warehouse_id), name: w.name }))),
      );
      const postings = await control.get<{ postings: { posting_number: string; status: string; substatus?: string }[] }>(
        `/ozon/_control/postings?account=${account}`,
      );
      const orders = await q<{ order_id: string; status: string }>(
        `SELECT order_id, status FROM marketplace_orders WHERE marketplace = 'ozon' AND connection_id = $1`,
        [connectionId],
      );
      expect(orders.length).toBeGreaterThan(0);
      // Every stored order is this cabinet's posting as this cabinet tells it (the other cabinet's same number differs).
      const byNumber = new Map(postings.postings.map((p) => [p.posting_number, p.status]));
      expect(sorted(orders)).toEqual(
        sorted(orders.map((o) => ({ order_id: o.order_id, status: byNumber.get(o.order_id) ?? 'not this cabinet' }))),
      );
    }
    // The cabinets' ids collide (that is why the connection is in every key), and both are kept.
    const shared = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM marketplace_listings a JOIN marketplace_listings b
         ON a.marketplace = b.marketplace AND a.listing_id = b.listing_id AND a.connection_id = $1 AND b.connection_id = $2`,
      [ids['ozon-a'], ids['ozon-b']],
    );
    expect(shared[0]!.n).toBeGreaterThan(0);
  });

  it("a 429 storm on YClients account a leaves account b's run time within 50% of b running alone", async () => {
    const company = 176281;
    // A full pass each time: b's stream state for the company is forgotten before each measurement.
    const timeB = async (): Promise<number> => {
      await pool.query(`DELETE FROM stream_state WHERE source = 'yclients' AND connection_id = $1`, [ids['yclients-b']]);
      const r = await done(await submit('/api/yclients/sync', { companyId: company, connectionId: ids['yclients-b'] }));
      return Date.parse(r.finishedAt!) - Date.parse(r.startedAt!);
    };
    const ratios: number[] = [];
    let injected = 0;
    // 2 shared cores make single timings noisy: 5 rounds, the median ratio.
    for (let round = 0; round < 5; round++) {
      const alone = await timeB();
      const fault = (await control.addFault({ path: '/yclients', kind: 'status', status: 429, retryAfter: 1, account: 'a' })) as {
        ids: number[];
      };
      await pool.query(`DELETE FROM stream_state WHERE source = 'yclients' AND connection_id = $1`, [ids['yclients-a']]);
      const stormed = await submit('/api/yclients/sync', { companyId: 176275, connectionId: ids['yclients-a'] });
      // a is inside its storm (its requests answered 429) before b starts.
      await expect.poll(async () => (await control.injected())[fault.ids[0]!] ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
      const during = await timeB();
      injected += (await control.injected())[fault.ids[0]!] ?? 0;
      await control.clearFaults();
      await finished(stormed);
      ratios.push(during / alone);
    }
    ratios.sort((x, y) => x - y);
    const median = ratios[2]!;
    console.log(
      `b's run time with a's 429 storm / alone, 5 rounds: ${ratios.map((r) => r.toFixed(3)).join(', ')} (median ${median.toFixed(3)})`,
    );
    // Proof the storm happened: account a's requests were answered 429.
    expect(injected).toBeGreaterThan(0);
    // A cool-down shared with a (Retry-After: 1 s on every request) would at least double b's run
    // time; 1.5 leaves room for a loaded machine (1.206 was seen under a concurrent bench run).
    expect(median).toBeLessThanOrEqual(1.5);
  });

  it('the command line syncs through a connection (`sync … --connection <id> --wait`)', async () => {
    const cli = await datasync(
      { GATEWAY_URL: gateway.url },
      'sync',
      'yclients',
      '--companyId',
      '176280',
      '--connection',
      ids['yclients-b']!,
      '--wait',
    );
    expect(cli.code, cli.stderr).toBe(0);
    const runId = cli.stdout.trim().split('\n')[0]!;
    expect(await q('SELECT state::text, connection_id, params FROM sync_runs WHERE id = $1', [runId])).toEqual([
      { state: 'done', connection_id: ids['yclients-b'], params: { companyId: 176280 } },
    ]);
  });

  it('a sync naming a deleted connection is refused with 400 naming connectionId; nothing is stored or queued', async () => {
    const made = await gateway.call<{ id: string }>('POST', '/api/connections', {
      source: 'yclients',
      name: 'to-delete',
      credentials: (await accountsOf('/yclients'))[0]!.credentials,
      settings: {},
    });
    expect(made.status, made.text).toBe(201);
    expect((await gateway.call('DELETE', `/api/connections/${made.body.id}`)).status).toBe(200);
    const before = await q('SELECT count(*)::int AS n FROM sync_runs');
    for (const [path, body] of [
      ['/api/yclients/sync', { companyId: 176275, connectionId: made.body.id }],
      ['/api/runs', { source: 'yclients', params: { companyId: 176275 }, connectionId: made.body.id }],
      // Another source's connection is not this source's.
      ['/api/yclients/sync', { companyId: 176275, connectionId: ids['ozon-a'] }],
    ] as const) {
      const res = await gateway.call<{ errors: { field: string; message: string }[] }>('POST', path, body);
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'connectionId', message: expect.stringMatching(/is not a connection of yclients/) }]);
    }
    const avito = await gateway.call<{ errors: { field: string }[] }>(
      'GET',
      `/api/avito/user?user=2b2b6de3afacc864a8bacdf8cacf42c9&connection=${made.body.id}`,
    );
    expect(avito.status, avito.text).toBe(400);
    expect(avito.body.errors).toEqual([{ field: 'connection', message: expect.stringMatching(/is not a connection of avito/) }]);
    const notUuid = await gateway.call<{ errors: { field: string }[] }>('POST', '/api/yclients/sync', {
      companyId: 176275,
      connectionId: 'salon',
    });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.errors.map((e) => e.field)).toEqual(['connectionId']);
    expect(await q('SELECT count(*)::int AS n FROM sync_runs')).toEqual(before);
  });

  it('no credential is in clear in a pg_dump, any Redis key, the workers’ and gateway’s debug logs, the answers or run errors', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const errors = (await q<{ error: string | null }>('SELECT error FROM sync_runs')).map((r) => r.error ?? '').join('\n');
    const places: Record<string, string> = {
      pg_dump: await pgDump(db.url),
      redis: await redisDump(env.REDIS_PREFIX!),
      workerLogs: workers.map((w) => w.output()).join('\n'),
      gatewayLog: gateway.output(),
      answers: gateway.answers.join('\n'),
      runErrors: errors,
    };
    // The logs really are at debug (they would hide nothing otherwise).
    expect(places.workerLogs).toMatch(/"level":20/);
    for (const [where, text] of Object.entries(places)) expect(leaked(text, secrets), where).toEqual([]);
  });
});
