import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index';
import { OZON_CREDENTIALS } from '../src/ozon';
import type { PushEvent } from '../src/push-sender';
import { client, start } from './marketplace-client';

/** What the sandbox's read-back says (push-sender.ts `report()`). */
interface Report {
  enabled: boolean;
  suspended: boolean;
  pending: number;
  summary: {
    events: number;
    sent: number;
    dropped: number[];
    suspended: number[];
    duplicated: number[];
    reordered: number[];
    deliveries: number;
    timedOut: number;
    failed: number;
  };
  pings: { ok: boolean; status: number | null }[];
  events: PushEvent[];
  config: { headers: Record<string, string> } | null;
}
interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A tiny loopback receiver: records what it gets, answers as `answer` says. */
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let answer: (body: Record<string, unknown>) => { status: number; body: unknown } = () => ({ status: 200, body: { result: true } });
let sandbox: RunningSandbox;
let raw: ReturnType<typeof client>;
/** Two goods of the seeded catalogue (every marketplace fake sells them under the same code). */
let codes: [string, string];

const report = async (prefix: string) => (await raw<Report>('GET', `${prefix}/_control/push`)).body;
/** Waits until the sender holds nothing back and has nothing in flight. */
async function settled(prefix: string): Promise<Report> {
  for (let i = 0; i < 200; i++) {
    const r = await report(prefix);
    if (r.pending === 0) return r;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`${prefix} push sender never settled`);
}
const newPosting = (which: 0 | 1 = 0) =>
  raw<{ posting_number: string }>('POST', '/ozon/_control/postings', { items: [{ code: codes[which], quantity: 1 }] });

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const a = answer(body);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((res) => receiver.listen(0, '127.0.0.1', res));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await start();
  raw = client(sandbox);
  const catalog = await raw<{ items: { code: string; cargoType: number }[] }>('GET', '/ozon/_control/catalog');
  const plain = catalog.body.items.filter((i) => i.cargoType !== 3);
  codes = [plain[0]!.code, plain[1]!.code];
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((res) => receiver.close(res));
});
beforeEach(async () => {
  await raw('POST', '/_control/reset');
  received = [];
  answer = (body) =>
    body.message_type === 'TYPE_PING' || body.notificationType !== undefined
      ? { status: 200, body: { version: '1', name: 'receiver', time: new Date().toISOString() } }
      : { status: 200, body: { result: true } };
});

describe('sandbox push mode', () => {
  it('refuses a non-loopback URL and an unknown field with a 400 naming the field', async () => {
    const remote = await raw<{ field: string }>('POST', '/ozon/_control/push', { url: 'http://example.org/push' });
    expect(remote.status).toBe(400);
    expect(remote.body.field).toBe('url');
    const typo = await raw<{ field: string }>('POST', '/ozon/_control/push', { url: receiverUrl, dupes: 1 });
    expect(typo.status).toBe(400);
    expect(typo.body.field).toBe('dupes');
    const bad = await raw<{ field: string }>('POST', '/ym/_control/push', { url: receiverUrl, drop: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('drop');
    expect(received).toEqual([]);
    // Wildberries has no push: no such control route.
    expect((await raw('POST', '/wb/_control/push', { url: receiverUrl })).status).toBe(404);
  });

  it('Ozon: pings on configuration, then sends the documented messages with seller_id as orders move', async () => {
    const set = await raw<Report>('POST', '/ozon/_control/push', { url: `${receiverUrl}/ozon/1/secret`, headers: { 'x-test': 'v' } });
    expect(set.status).toBe(201);
    expect(set.body.config?.headers).toEqual({ 'x-test': '***' });
    expect(received.map((r) => r.body.message_type)).toEqual(['TYPE_PING']);
    const posting = (await newPosting()).body.posting_number;
    await settled('/ozon');
    await raw('POST', `/ozon/_control/postings/${posting}/status`, { status: 'awaiting_deliver' });
    await settled('/ozon');
    await raw('POST', `/ozon/_control/postings/${posting}/status`, { status: 'cancelled' });
    await settled('/ozon');
    expect(received.every((r) => r.path === '/ozon/1/secret' && r.headers['x-test'] === 'v')).toBe(true);
    const [, created, moved, cancelled] = received.map((r) => r.body);
    expect(created).toMatchObject({
      message_type: 'TYPE_NEW_POSTING',
      seller_id: Number(OZON_CREDENTIALS.clientId),
      posting_number: posting,
      products: [{ sku: expect.any(Number), quantity: 1 }],
      warehouse_id: expect.any(Number),
    });
    expect(moved).toMatchObject({
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: posting,
      new_state: 'posting_transferring_to_delivery',
    });
    expect(cancelled).toMatchObject({
      message_type: 'TYPE_POSTING_CANCELLED',
      posting_number: posting,
      old_state: 'posting_transferring_to_delivery',
      new_state: 'posting_canceled',
    });
    expect((await report('/ozon')).summary).toMatchObject({ events: 3, sent: 3, failed: 0 });
  });

  it('YM: posts to <url>/notification with campaignId, and refuses a URL whose PING fails', async () => {
    answer = () => ({ status: 500, body: {} });
    const refused = await raw<{ ping: { status: number } }>('POST', '/ym/_control/push', { url: receiverUrl });
    expect(refused.status).toBe(502);
    expect(refused.body.ping.status).toBe(500);
    expect((await report('/ym')).enabled).toBe(false);
    answer = () => ({ status: 200, body: { version: '1', name: 'r', time: new Date().toISOString() } });
    received = [];
    expect((await raw('POST', '/ym/_control/push', { url: `${receiverUrl}/ym/7/s` })).status).toBe(201);
    const order = await raw<{ orderId: number }>('POST', '/ym/_control/orders', { items: [{ code: codes[0], count: 2 }] });
    await settled('/ym');
    const cancel = await raw('POST', `/ym/_control/orders/${order.body.orderId}/status`, { status: 'CANCELLED' });
    expect(cancel.status, cancel.text).toBe(200);
    await settled('/ym');
    expect(received.map((r) => r.path)).toEqual(['/ym/7/s/notification', '/ym/7/s/notification', '/ym/7/s/notification']);
    expect(received.map((r) => r.body)).toEqual([
      { notificationType: 'PING', time: expect.any(String) },
      {
        notificationType: 'ORDER_CREATED',
        campaignId: 21_421,
        orderId: order.body.orderId,
        createdAt: expect.any(String),
        items: [{ offerId: expect.any(String), count: 2 }],
      },
      {
        notificationType: 'ORDER_CANCELLED',
        campaignId: 21_421,
        orderId: order.body.orderId,
        cancelledAt: expect.any(String),
        items: [{ offerId: expect.any(String), count: 2 }],
      },
    ]);
  });

  it('drops, duplicates and reorders as configured, deterministically, and says so in the read-back', async () => {
    const run = async () => {
      await raw('POST', '/_control/reset');
      received = [];
      const config = { url: receiverUrl, drop: 0.25, duplicates: 0.3, reorder: true, reorderWindow: 3, seed: 42 };
      expect((await raw('POST', '/ozon/_control/push', config)).status).toBe(201);
      for (let i = 0; i < 12; i++) await newPosting(i % 2 ? 0 : 1);
      return settled('/ozon');
    };
    const first = await run();
    const gotFirst = received.filter((r) => r.body.message_type !== 'TYPE_PING').map((r) => r.body.posting_number);
    // Every fault was injected at least once…
    expect(first.summary.dropped.length).toBeGreaterThan(0);
    expect(first.summary.duplicated.length).toBeGreaterThan(0);
    expect(first.summary.reordered.length).toBeGreaterThan(0);
    // …and the receiver saw exactly what the read-back says: dropped never, duplicated twice.
    const sent = first.events.filter((e) => e.fate === 'sent');
    expect(new Set(gotFirst)).toEqual(new Set(sent.map((e) => e.key)));
    for (const e of first.events) {
      const times = gotFirst.filter((n) => n === e.key).length;
      expect(times).toBe(e.fate === 'dropped' ? 0 : 1 + e.duplicated);
    }
    expect(gotFirst).not.toEqual([...gotFirst].sort());
    // Same seed, same fates and the same order of arrival.
    const second = await run();
    expect(second.summary).toEqual(first.summary);
    expect(received.filter((r) => r.body.message_type !== 'TYPE_PING').map((r) => r.body.posting_number)).toEqual(gotFirst);
  });

  it('held events are released when push mode is turned off; nothing is sent after', async () => {
    expect((await raw('POST', '/ozon/_control/push', { url: receiverUrl, reorder: true, reorderHoldMs: 10_000 })).status).toBe(201);
    const posting = (await newPosting()).body.posting_number;
    expect((await report('/ozon')).pending).toBe(1);
    expect((await raw('DELETE', '/ozon/_control/push')).status).toBe(200);
    const r = await settled('/ozon');
    expect(r.enabled).toBe(false);
    expect(r.events.map((e) => [e.key, e.fate])).toEqual([[posting, 'sent']]);
    await newPosting();
    expect((await settled('/ozon')).events).toHaveLength(1);
    expect(received.filter((x) => x.body.message_type === 'TYPE_NEW_POSTING').map((x) => x.body.posting_number)).toEqual([posting]);
  });

  it('slow receiver: YM re-sends a push whose answer took over its timeout; Ozon pauses an endpoint failing most pushes', async () => {
    expect((await raw('POST', '/ym/_control/push', { url: receiverUrl, slowMs: 20_000, retries: 2, retryDelayMs: 20 })).status).toBe(201);
    await raw('POST', '/ym/_control/orders', { items: [{ code: codes[0] }] });
    const ym = await settled('/ym');
    // Counted as 20 s (over YM's 10 s): the first try and both re-sends time out, the receiver got all three.
    expect(ym.events[0]!.deliveries.map((d) => [d.attempt, d.timedOut])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(received.filter((r) => r.body.notificationType === 'ORDER_CREATED')).toHaveLength(3);

    received = [];
    expect((await raw('POST', '/ozon/_control/push', { url: receiverUrl, slowMs: 6_000, retries: 0 })).status).toBe(201);
    for (let i = 0; i < 8; i++) await newPosting();
    const ozon = await settled('/ozon');
    expect(ozon.suspended).toBe(true);
    // Six slow deliveries (over Ozon's 5 s) pause the endpoint; the next two events are never sent.
    expect(ozon.summary.timedOut).toBe(6);
    expect(ozon.summary.suspended).toEqual([7, 8]);
    expect(received.filter((r) => r.body.message_type === 'TYPE_NEW_POSTING')).toHaveLength(6);
  });
});
