import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startTestSandbox, waitFor, type TestDatabase } from '../../helpers';
import { randomUUID } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { ENV_CONNECTION_ID, parseKeyRing, readPushSecret, rotateKeys } from '@datasync/connections';
import { reconciledRecently } from '@datasync/worker-marketplaces';
import { startPushStack } from './harness';

/**
 * The receivers Ozon and Yandex Market push to (README "Push notifications"): a valid push is stored
 * once and its order reaches the ledger through a targeted poll; a bad one is refused the way the
 * marketplace expects, stored nowhere, logged once.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let s: Awaited<ReturnType<typeof startPushStack>>;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  s = await startPushStack(db.url, sandbox);
}, 120_000);

afterAll(async () => {
  await s?.close();
  await sandbox?.close();
  await db?.drop();
});

const now = () => new Date().toISOString();
/** The n-th good of the fakes' shared catalogue. */
const code = async (n: number) => (await s.control.get<{ items: { code: string }[] }>('/ozon/_control/catalog')).items[n]!.code;

describe('Ozon push receiver', () => {
  it('answers TYPE_PING; stores each order message once and the ledger ends holding the postings as Ozon has them', async () => {
    const ping = await s.push(s.ozon.path, { message_type: 'TYPE_PING', time: now() });
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ version: '1.0', name: 'DataSync', time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });

    const a = await s.control.post<{ posting_number: string }>('/ozon/_control/postings', {
      items: [{ code: await code(0), quantity: 2 }],
    });
    const b = await s.control.post<{ posting_number: string }>('/ozon/_control/postings', {
      items: [{ code: await code(1), quantity: 1 }],
    });
    const newPosting = (posting: string) => ({
      message_type: 'TYPE_NEW_POSTING',
      posting_number: posting,
      products: [{ sku: 1, quantity: 1 }],
      in_process_at: '2026-12-07T10:00:00.000Z',
      warehouse_id: 1,
      seller_id: s.ozonSellerId,
    });
    for (const p of [a, b])
      expect(await s.push(s.ozon.path, newPosting(p.posting_number))).toEqual({ status: 200, body: { result: true } });
    // Ozon re-sends: acknowledged, stored once.
    expect(await s.push(s.ozon.path, newPosting(a.posting_number))).toEqual({ status: 200, body: { result: true } });
    await s.polled(s.ozon.id);
    expect(await s.ledgerOrders(s.ozon.id, 'ozon')).toEqual([`${a.posting_number} reserved`, `${b.posting_number} reserved`].sort());

    // a is cancelled, b ships: one message each.
    await s.control.post(`/ozon/_control/postings/${a.posting_number}/status`, { status: 'cancelled' });
    await s.control.post(`/ozon/_control/postings/${b.posting_number}/status`, { status: 'awaiting_deliver' });
    await s.control.post(`/ozon/_control/postings/${b.posting_number}/status`, { status: 'delivering' });
    const cancelled = {
      message_type: 'TYPE_POSTING_CANCELLED',
      posting_number: a.posting_number,
      products: [{ sku: 1, quantity: 2 }],
      old_state: 'posting_created',
      new_state: 'posting_canceled',
      changed_state_date: '2026-12-07T10:05:00.000Z',
      reason: { id: 352, message: 'Покупатель отменил заказ' },
      warehouse_id: 1,
      seller_id: s.ozonSellerId,
    };
    const changed = {
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: b.posting_number,
      new_state: 'posting_on_way_to_city',
      changed_state_date: '2026-12-07T10:06:00.000Z',
      warehouse_id: 1,
      seller_id: s.ozonSellerId,
    };
    for (const m of [cancelled, changed, cancelled]) expect(await s.push(s.ozon.path, m)).toEqual({ status: 200, body: { result: true } });
    await s.polled(s.ozon.id);
    expect(await s.ledgerOrders(s.ozon.id, 'ozon')).toEqual([`${a.posting_number} cancelled`, `${b.posting_number} shipped`].sort());
    expect(await s.events(s.ozon.id)).toEqual(
      [
        `TYPE_NEW_POSTING ${a.posting_number} new`,
        `TYPE_NEW_POSTING ${b.posting_number} new`,
        `TYPE_POSTING_CANCELLED ${a.posting_number} posting_canceled`,
        `TYPE_STATE_CHANGED ${b.posting_number} posting_on_way_to_city`,
      ].sort(),
    );
  }, 90_000);
});

describe('Yandex Market push receiver', () => {
  it('answers every notification with {version,name,time}; stores each once; the ledger ends holding the orders as YM has them', async () => {
    const pong = { version: '1.0', name: 'DataSync', time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) };
    const path = `${s.ym.path}/notification`;
    expect(await s.push(path, { notificationType: 'PING', time: now() })).toEqual({ status: 200, body: pong });

    const x = await s.control.post<{ orderId: number }>('/ym/_control/orders', { items: [{ code: await code(2), count: 2 }] });
    const y = await s.control.post<{ orderId: number }>('/ym/_control/orders', { items: [{ code: await code(3), count: 1 }] });
    const created = (orderId: number) => ({
      notificationType: 'ORDER_CREATED',
      campaignId: 21421,
      orderId,
      createdAt: '2026-12-07T10:00:00.000Z',
      items: [{ offerId: 'whatever', count: 1 }],
    });
    for (const m of [created(x.orderId), created(y.orderId), created(x.orderId)])
      expect(await s.push(path, m)).toEqual({ status: 200, body: pong });
    await s.polled(s.ym.id);
    expect(await s.ledgerOrders(s.ym.id, 'ym')).toEqual([`${x.orderId} reserved`, `${y.orderId} reserved`].sort());

    await s.control.post(`/ym/_control/orders/${x.orderId}/status`, { status: 'CANCELLED', substatus: 'USER_CHANGED_MIND' });
    await s.control.post(`/ym/_control/orders/${y.orderId}/status`, { status: 'DELIVERY' });
    const cancelled = {
      notificationType: 'ORDER_CANCELLED',
      campaignId: 21421,
      orderId: x.orderId,
      cancelledAt: '2026-12-07T10:05:00Z',
      items: [],
    };
    const status = {
      notificationType: 'ORDER_STATUS_UPDATED',
      campaignId: 21421,
      orderId: y.orderId,
      status: 'DELIVERY',
      substatus: 'DELIVERY_SERVICE_RECEIVED',
      updatedAt: '2026-12-07T10:06:00Z',
    };
    for (const m of [cancelled, status, status]) expect(await s.push(path, m)).toEqual({ status: 200, body: pong });
    await s.polled(s.ym.id);
    expect(await s.ledgerOrders(s.ym.id, 'ym')).toEqual([`${x.orderId} cancelled`, `${y.orderId} shipped`].sort());
    expect(await s.events(s.ym.id)).toEqual(
      [
        `ORDER_CREATED ${x.orderId} CREATED`,
        `ORDER_CREATED ${y.orderId} CREATED`,
        `ORDER_CANCELLED ${x.orderId} CANCELLED`,
        `ORDER_STATUS_UPDATED ${y.orderId} DELIVERY/DELIVERY_SERVICE_RECEIVED`,
      ].sort(),
    );
  }, 90_000);
});

describe('bad pushes', () => {
  it('are refused with the status and body each marketplace expects, stored nowhere, logged once without the secret', async () => {
    const ozonNew = {
      message_type: 'TYPE_NEW_POSTING',
      posting_number: '1-2-3',
      products: [{ sku: 1, quantity: 1 }],
      seller_id: s.ozonSellerId,
    };
    const ymNew = { notificationType: 'ORDER_CREATED', campaignId: 21421, orderId: 1, createdAt: now(), items: [] };
    const wrongSecret = 'x'.repeat(43);
    const ozonRefused = {
      error: { code: 'ERROR_UNKNOWN', message: 'push refused: unknown connection or wrong push secret', details: null },
    };
    const ymRefused = { error: { type: 'UNKNOWN', message: 'push refused: unknown connection or wrong push secret' } };
    const cases: { name: string; path: string; body: unknown; status: number; answer: unknown }[] = [
      {
        name: 'ozon wrong secret',
        path: `/api/marketplaces/push/ozon/${s.ozon.id}/${wrongSecret}`,
        body: ozonNew,
        status: 403,
        answer: ozonRefused,
      },
      {
        name: 'ozon unknown connection',
        path: `/api/marketplaces/push/ozon/00000000-0000-4000-8000-00000000beef/${s.ozon.secret}`,
        body: ozonNew,
        status: 403,
        answer: ozonRefused,
      },
      // The YM connection's secret does not open the Ozon receiver of the YM connection.
      {
        name: 'ozon receiver, ym connection',
        path: `/api/marketplaces/push/ozon/${s.ym.id}/${s.ym.secret}`,
        body: ozonNew,
        status: 403,
        answer: ozonRefused,
      },
      {
        name: 'ozon not JSON',
        path: s.ozon.path,
        body: '{"message_type":',
        status: 400,
        answer: { error: { code: 'ERROR_PARAMETER_VALUE_MISSED', message: '(body): not JSON', details: null } },
      },
      {
        name: 'ozon missing posting_number',
        path: s.ozon.path,
        body: { ...ozonNew, posting_number: undefined },
        status: 400,
        answer: { error: { code: 'ERROR_PARAMETER_VALUE_MISSED', message: expect.stringMatching(/^posting_number: /), details: null } },
      },
      {
        name: 'ozon unknown seller',
        path: s.ozon.path,
        body: { ...ozonNew, seller_id: 999 },
        status: 403,
        answer: { error: { code: 'ERROR_UNKNOWN', message: "push refused: seller 999 is not this connection's cabinet", details: null } },
      },
      {
        name: 'ozon too large',
        path: s.ozon.path,
        body: { ...ozonNew, padding: 'x'.repeat(300_000) },
        status: 413,
        answer: { error: { code: 'ERROR_UNKNOWN', message: 'body larger than 262144 bytes', details: null } },
      },
      {
        name: 'ym wrong secret',
        path: `/api/marketplaces/push/yandex-market/${s.ym.id}/${wrongSecret}/notification`,
        body: ymNew,
        status: 403,
        answer: ymRefused,
      },
      {
        name: 'ym not JSON',
        path: `${s.ym.path}/notification`,
        body: 'nope',
        status: 400,
        answer: { error: { type: 'WRONG_EVENT_FORMAT', message: '(body): not JSON' } },
      },
      {
        name: 'ym unknown type',
        path: `${s.ym.path}/notification`,
        body: { ...ymNew, notificationType: 'ORDER_TELEPORTED' },
        status: 400,
        answer: { error: { type: 'WRONG_EVENT_FORMAT', message: 'notificationType: unknown type ORDER_TELEPORTED' } },
      },
      {
        name: 'ym missing orderId',
        path: `${s.ym.path}/notification`,
        body: { ...ymNew, orderId: undefined },
        status: 400,
        answer: { error: { type: 'WRONG_EVENT_FORMAT', message: expect.stringMatching(/^orderId: /) } },
      },
      {
        name: 'ym unknown campaign',
        path: `${s.ym.path}/notification`,
        body: { ...ymNew, campaignId: 777 },
        status: 403,
        answer: { error: { type: 'UNKNOWN', message: "push refused: seller 777 is not this connection's cabinet" } },
      },
    ];
    for (const c of cases) {
      const stored = await s.allEvents();
      const logged = s.lines.filter((l) => l.msg === 'push refused').length;
      const res = await s.push(c.path, c.body);
      expect({ name: c.name, status: res.status, body: res.body }).toEqual({ name: c.name, status: c.status, body: c.answer });
      expect(await s.allEvents(), c.name).toBe(stored);
      await waitFor(() => (s.lines.filter((l) => l.msg === 'push refused').length > logged ? true : undefined), {
        what: `log of ${c.name}`,
      });
      expect(s.lines.filter((l) => l.msg === 'push refused').length, c.name).toBe(logged + 1);
    }
    // No line ever holds a secret.
    for (const secret of [s.ozon.secret, s.ym.secret]) expect(s.raw.filter((l) => l.includes(secret))).toEqual([]);
  }, 60_000);

  it('an address outside the connection pushAllowIps is refused; inside it, taken', async () => {
    const settings = (allow: string[]) => ({ settings: { marketplace: 'ozon', baseUrl: `${sandbox.url}/ozon`, pushAllowIps: allow } });
    expect((await s.client.call('PATCH', `/api/connections/${s.ozon.id}`, settings(['10.9.9.0/24']))).status).toBe(200);
    const stored = await s.allEvents();
    const ping = {
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: 'allow-list-1',
      new_state: 'posting_created',
      changed_state_date: now(),
      seller_id: s.ozonSellerId,
    };
    const refused = await s.push(s.ozon.path, ping);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'ERROR_UNKNOWN', message: expect.stringMatching(/^push refused: address .* is not in pushAllowIps$/), details: null },
    });
    expect(await s.allEvents()).toBe(stored);
    expect((await s.client.call('PATCH', `/api/connections/${s.ozon.id}`, settings(['127.0.0.1', '::1']))).status).toBe(200);
    expect(await s.push(s.ozon.path, ping)).toEqual({ status: 200, body: { result: true } });
    expect(await s.allEvents()).toBe(stored + 1);
    // A malformed range is a 400 naming the field.
    const bad = await s.client.call<{ errors?: { field: string }[] }>('PATCH', `/api/connections/${s.ozon.id}`, settings(['10.0.0.0/99']));
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['settings.pushAllowIps.0']);
  }, 30_000);
});

describe('push secret and metric', () => {
  it('the secret is shown only with the API key; a new one replaces the old', async () => {
    const anonymous = await fetch(`${s.stack.gateway.url}/api/marketplaces/connections/${s.ozon.id}/push-secret`);
    expect(anonymous.status).toBe(401);
    const shown = await s.client.call<{ pushSecret: string; receiverPath: string }>(
      'GET',
      `/api/marketplaces/connections/${s.ozon.id}/push-secret`,
    );
    expect(shown.body).toEqual({ connectionId: s.ozon.id, marketplace: 'ozon', pushSecret: s.ozon.secret, receiverPath: s.ozon.path });
    // Stored sealed: the secret is nowhere in the table in clear.
    const { rows } = await s.pool.query(`SELECT encode(secret_ciphertext, 'escape') AS c FROM connection_push_secrets`);
    for (const r of rows) expect(String(r.c)).not.toContain(s.ozon.secret);
  });

  it('datasync_stock_propagation_seconds counts orders seen by a push', async () => {
    const text = await waitFor(
      async () => {
        const res = await s.client.call<string>('GET', '/metrics');
        const body = typeof res.body === 'string' ? res.body : res.text;
        return /datasync_stock_propagation_seconds_count\{seen="push"\} [1-9]/.test(body) ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'the propagation metric' },
    );
    expect(text).toMatch(/# TYPE datasync_stock_propagation_seconds histogram/);
    // The figure itself (not asserted: timings on a shared machine are noise), for the record.
    const sample = (name: string) => Number(new RegExp(`${name}\\{seen="push"\\} ([\\d.e+-]+)`).exec(text)?.[1]);
    const [sum, count] = [sample('datasync_stock_propagation_seconds_sum'), sample('datasync_stock_propagation_seconds_count')];
    console.info(`order seen by a push → every marketplace told: mean ${(sum / count).toFixed(3)} s over ${count} orders`);
    expect(text).toMatch(/datasync_stock_propagation_seconds_bucket\{seen="push",le="\+Inf"\} [1-9]/);
  }, 90_000);
});

describe('reconciliation and a new secret', () => {
  it('a scheduled poll of a pushing connection within MARKETPLACES_RECONCILE_INTERVAL_MS is skipped; an asked one, or past it, reads', async () => {
    // A full poll through the API: it reads, whatever the interval, and saves the cursor the interval counts from.
    const full = await s.client.finished(
      await s.client.submit({ method: 'POST', path: '/api/marketplaces/poll', body: { marketplace: 'ozon', connectionId: s.ozon.id } }),
    );
    expect(full.state).toBe('done');
    const schedule = await s.client.call<{ id: string }>('POST', '/api/schedules', {
      name: 'ozon push cabinet poll',
      source: 'marketplaces',
      job: 'marketplaces.poll',
      params: { marketplace: 'ozon' },
      cron: '0 3 * * *',
      timezone: 'Europe/Moscow',
      connectionId: s.ozon.id,
    });
    expect(schedule.status).toBe(201);
    const runOf = async (scheduled: boolean) => {
      const id = randomUUID();
      await s.pool.query(
        `INSERT INTO sync_runs (id, source, job_name, params, schedule_id, connection_id) VALUES ($1, 'marketplaces', 'marketplaces.poll', '{}', $2, $3)`,
        [id, scheduled ? schedule.body.id : null, s.ozon.id],
      );
      return id;
    };
    const ctx = async (scheduled: boolean, connectionId = s.ozon.id) => ({
      pool: s.pool,
      runId: await runOf(scheduled),
      connection: { id: connectionId, name: 'x', settings: {}, credentials: undefined },
    });
    expect(await reconciledRecently(await ctx(true), 'ozon', 900_000)).toBe(true);
    expect(await reconciledRecently(await ctx(false), 'ozon', 900_000)).toBe(false);
    expect(await reconciledRecently(await ctx(true), 'ozon', 0)).toBe(false);
    // Past the interval (the last full poll is older): read in full.
    expect(await reconciledRecently(await ctx(true), 'ozon', 1)).toBe(false);
    // No push secret (the environment connection): polled as before.
    expect(await reconciledRecently(await ctx(true, ENV_CONNECTION_ID), 'ozon', 900_000)).toBe(false);
  });

  it('a new push secret replaces the old one', async () => {
    const made = await s.client.call<{ pushSecret: string; receiverPath: string }>(
      'POST',
      `/api/marketplaces/connections/${s.ozon.id}/push-secret`,
    );
    expect(made.status).toBe(200);
    expect(made.body.pushSecret).not.toBe(s.ozon.secret);
    const ping = { message_type: 'TYPE_PING', time: now() };
    expect((await s.push(s.ozon.path, ping)).status).toBe(403);
    expect((await s.push(made.body.receiverPath, ping)).status).toBe(200);
    // An Ozon connection has no YM receiver, and the push-secret routes are for Ozon and YM connections only.
    expect(
      (await s.push(`/api/marketplaces/push/yandex-market/${s.ozon.id}/${made.body.pushSecret}/notification`, { notificationType: 'PING' }))
        .status,
    ).toBe(403);
  });
});

describe('key rotation', () => {
  it('`keys rotate` re-wraps the push secrets too: they open with the new key alone, unchanged', async () => {
    const before = await readPushSecret(s.pool, parseKeyRing(JSON.stringify({ current: 'k1', keys: { k1: s.k1 } })), s.ym.id);
    expect(before).toBe(s.ym.secret);
    const k2 = randomBytes(32).toString('base64');
    const report = await rotateKeys(s.pool, parseKeyRing(JSON.stringify({ current: 'k2', keys: { k1: s.k1, k2 } }))!, 'cli');
    expect(report.failed).toEqual([]);
    expect(report.pushSecretsRewrapped).toBe(2);
    const onlyK2 = parseKeyRing(JSON.stringify({ current: 'k2', keys: { k2 } }));
    expect(await readPushSecret(s.pool, onlyK2, s.ym.id)).toBe(s.ym.secret);
    expect((await s.pool.query('SELECT DISTINCT key_id FROM connection_push_secrets')).rows).toEqual([{ key_id: 'k2' }]);
  });
});
