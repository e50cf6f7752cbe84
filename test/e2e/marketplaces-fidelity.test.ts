import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { LoggedRequest, RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, sandboxControl, startTestSandbox, waitFor, type TestDatabase } from '../helpers';
import type { MarketplaceProduct, ProductList } from '@datasync/worker-marketplaces';
import { startMarketplaceStack, toldByFakes } from '../helpers/marketplaces';

/**
 * What the real marketplace APIs document, held against the sandbox (which enforces it by default):
 * per-method limits in every sliding window (counted from the sandbox's own request log, not our
 * limiter), value ranges, WB's opaque `next`, YM's 30-day creation window.
 */

/** The fake's cabinet (`GET /v2/campaigns` → business.id). */
const YM_BUSINESS_ID = 1_234_567;
/** A large seller: 1000 goods more than the seeded twelve, on every marketplace. */
const EXTRA = 1000;
/** Small push batches, so the push needs more requests than a minute's budget allows (Ozon: > 80). */
const BATCH = { ozon: 20, wb: 20, ym: 50 };

/** One request as the sandbox's log (`GET /_control/requests`) reports it. */
type Logged = LoggedRequest;

/**
 * The documented limits, written here from the vendors' documentation (not imported from the worker):
 * per method group, at most `limit` points in any window; WB counts a 4xx answer as 10 requests.
 */
const DOCUMENTED: { name: string; match: RegExp; limit: number; windowMs: number; weigh?: (r: Logged) => number }[] = [
  { name: 'ozon POST /v2/products/stocks', match: /^POST \/ozon\/v2\/products\/stocks$/, limit: 80, windowMs: 60_000 },
  { name: 'ozon every method', match: /^POST \/ozon\//, limit: 50, windowMs: 1000 },
  { name: 'wb cards list', match: /^POST \/wb\/content\/content\/v2\/get\/cards\/list$/, limit: 100, windowMs: 60_000 },
  ...['stocks', 'orders', 'warehouses'].map((g) => ({
    name: `wb ${g}`,
    match: new RegExp(`^[A-Z]+ /wb/marketplace/api/v3/${g}`),
    limit: 300,
    windowMs: 60_000,
    weigh: (r: Logged) => (r.status >= 400 && r.status < 500 ? 10 : 1),
  })),
  { name: 'ym offer-mappings', match: /^POST \/ym\/v2\/businesses\/\d+\/offer-mappings$/, limit: 100, windowMs: 60_000 },
  { name: 'ym warehouses', match: /^POST \/ym\/v2\/businesses\/\d+\/warehouses$/, limit: 100, windowMs: 3_600_000 },
  { name: 'ym campaigns', match: /^GET \/ym\/v2\/campaigns$/, limit: 1000, windowMs: 3_600_000 },
  {
    name: 'ym stocks (SKUs)',
    match: /^PUT \/ym\/v2\/campaigns\/\d+\/offers\/stocks$/,
    limit: 100_000,
    windowMs: 60_000,
    weigh: (r) => r.cost ?? 1,
  },
];

/** The most points any window of `windowMs` ending at a request held. */
function busiestWindow(requests: Logged[], windowMs: number, weigh: (r: Logged) => number = () => 1): number {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  let max = 0;
  let sum = 0;
  let start = 0;
  for (const r of sorted) {
    sum += weigh(r);
    while (sorted[start]!.at <= r.at - windowMs) sum -= weigh(sorted[start++]!);
    max = Math.max(max, sum);
  }
  return max;
}

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;
let redis: Redis;

/** Every product, 500 a page (the API's largest). */
async function allProducts(): Promise<ProductList> {
  const products: MarketplaceProduct[] = [];
  for (;;) {
    const { body } = await mp.api('GET', `/api/marketplaces/products?limit=500&offset=${products.length}`);
    products.push(...body.products);
    if (body.products.length === 0 || products.length >= body.total) return { total: body.total, products };
  }
}

const log = async () => (await control.requests('/')).requests as unknown as Logged[];
const clearLog = () => fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });

/** Every documented limit held in every window, and not one 429/420 answer. */
function expectWithinLimits(requests: Logged[]): void {
  const over = DOCUMENTED.map((d) => {
    const hits = requests.filter((r) => d.match.test(`${r.method} ${r.path}`));
    return { name: d.name, requests: hits.length, busiest: busiestWindow(hits, d.windowMs, d.weigh), limit: d.limit };
  }).filter((d) => d.busiest > d.limit);
  expect(over).toEqual([]);
  expect(requests.filter((r) => r.status === 429 || r.status === 420).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([]);
}

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox(42, { catalogExtra: EXTRA });
  control = sandboxControl(sandbox.url);
  for (const fake of ['ozon', 'wb', 'ym'])
    expect((await control.get<{ enabled: boolean }>(`/${fake}/_control/rate-limits`)).enabled).toBe(true);
  mp = await startMarketplaceStack(db.url, sandbox.url, {
    OZON_STOCK_BATCH: String(BATCH.ozon),
    WB_STOCK_BATCH: String(BATCH.wb),
    YM_STOCK_BATCH: String(BATCH.ym),
  });
  redis = new Redis(mp.stack.config.REDIS_URL, { maxRetriesPerRequest: null });
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await mp?.stack.close();
  await sandbox?.close();
  await db?.drop();
});

describe('marketplaces: what the documentation says', () => {
  it('a large catalogue import and push keep every documented limit in every sliding window, with no 429/420', async () => {
    await clearLog();
    expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');
    const body = await allProducts();
    expect(body.total).toBe(12 + 6 + EXTRA);
    const imported = await log();
    // The WB cards came in pages of 100: more than the burst of 5.
    expect(imported.filter((r) => r.path === '/wb/content/content/v2/get/cards/list').length).toBeGreaterThan(10);
    expectWithinLimits(imported);

    // Count every SKU while the queue is paused: one push run then carries them all.
    for (const marketplace of ['ozon', 'wb', 'ym']) expect((await mp.run('/api/marketplaces/poll', { marketplace })).state).toBe('done');
    const queue = new Queue('marketplaces', { connection: redis, prefix: mp.stack.config.REDIS_PREFIX });
    await queue.pause();
    const skus: string[] = body.products.map((p) => p.sku);
    const runs = new Set<string>();
    for (let i = 0; i < skus.length; i += 25) {
      const answers = await Promise.all(
        skus
          .slice(i, i + 25)
          .map((sku, k) =>
            mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 10 + ((i + k) % 40), reason: 'stock take' }),
          ),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        runs.add(a.body.parser_uuid);
      }
    }
    await clearLog();
    await queue.resume();
    await queue.close();
    // More than a minute of Ozon pushes: wait longer than mp.finished does.
    for (const id of runs) {
      const run = await waitFor(
        async () => {
          const { body: r } = await mp.api('GET', `/api/runs/${id}`);
          return r.state === 'done' || r.state === 'failed' ? r : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 500, what: `push run ${id}` },
      );
      expect(run.state).toBe('done');
    }
    await waitFor(
      async () =>
        (await allProducts()).products.every(
          (p) => p.pushes.length >= 6 && p.pushes.every((x) => x.pushedValue === p.available || x.error),
        ),
      {
        timeoutMs: 180_000,
        what: 'every SKU pushed everywhere',
      },
    );
    const pushed = await log();
    // More Ozon pushes than a minute allows: the budget had to spread them.
    expect(pushed.filter((r) => r.path === '/ozon/v2/products/stocks').length).toBeGreaterThan(80);
    expectWithinLimits(pushed);
    // ... and none refused as too frequent per (product, warehouse).
    expect((await control.get<{ stocks: { refused: number }[] }>('/ozon/_control/stocks')).stocks.filter((s) => s.refused > 0)).toEqual([]);
  }, 300_000);

  it('a stock above WB’s 100000 is pushed as 100000 (not refused and left stale), and shown as clamped', async () => {
    // The fake refuses what WB refuses: 409 UploadDataLimit above 100000.
    const creds = await control.get<{ tokens: { full: string } }>('/wb/_control/credentials');
    const product = await mp.product('DS-1002');
    const refused = await fetch(`${sandbox.url}/wb/marketplace/api/v3/stocks/658435`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: creds.tokens.full },
      body: JSON.stringify({ stocks: [{ chrtId: Number(product.ids.wb.chrtId), amount: 150_000 }] }),
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }[])[0]!.code).toBe('UploadDataLimit');

    const adjusted = await mp.api('POST', '/api/marketplaces/products/DS-1002/adjustments', {
      onHand: 150_000 + product.reserved,
      reason: 'big delivery',
    });
    expect(adjusted.body.product.available).toBe(150_000);
    const told = await waitFor(
      async () => {
        const t = await toldByFakes(sandbox.url, 'DS-1002');
        return t.wb.length >= 2 && [...t.wb].every((v) => v === 100_000) && [...t.ozon, ...t.ym].every((v) => v === 150_000)
          ? t
          : undefined;
      },
      { timeoutMs: 90_000, what: 'WB at 100000, Ozon and YM at 150000' },
    );
    expect(told.ozon).toHaveLength(2);
    const after = await mp.product('DS-1002');
    const view = after.pushes.map((p) => ({
      marketplace: p.marketplace,
      pushedValue: p.pushedValue,
      clampedFrom: p.clampedFrom,
      error: p.error,
    }));
    expect(view).toEqual([
      { marketplace: 'ozon', pushedValue: 150_000, clampedFrom: null, error: null },
      { marketplace: 'ozon', pushedValue: 150_000, clampedFrom: null, error: null },
      { marketplace: 'wb', pushedValue: 100_000, clampedFrom: 150_000, error: null },
      { marketplace: 'wb', pushedValue: 100_000, clampedFrom: 150_000, error: null },
      { marketplace: 'ym', pushedValue: 150_000, clampedFrom: null, error: null },
      { marketplace: 'ym', pushedValue: 150_000, clampedFrom: null, error: null },
    ]);
  }, 120_000);

  it('WB’s order list is paged by the next it answers (opaque, not a task id)', async () => {
    const before = await mp.product('DS-1004');
    const created = await control.post<{ orders: { id: number }[] }>('/wb/_control/orders', {
      items: [{ code: 'DS-1004', quantity: 1001 }],
    });
    expect(created.orders).toHaveLength(1001);
    await clearLog();
    expect((await mp.run('/api/marketplaces/poll', { marketplace: 'wb', kind: 'orders' })).state).toBe('done');
    const listed = (await log()).filter((r) => r.method === 'GET' && r.path === '/wb/marketplace/api/v3/orders');
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed[0]!.query.next).toBe('0');
    // What the fake answers to the worker's first request, asked again with the same query.
    const token = (await control.get<{ tokens: { full: string } }>('/wb/_control/credentials')).tokens.full;
    const first = (await (
      await fetch(`${sandbox.url}/wb/marketplace/api/v3/orders?${new URLSearchParams(listed[0]!.query as Record<string, string>)}`, {
        headers: { authorization: token },
      })
    ).json()) as { next: number };
    const taskIds = new Set((await control.get<{ orders: { id: number }[] }>('/wb/_control/orders')).orders.map((o) => o.id));
    expect(taskIds.has(first.next)).toBe(false);
    expect(listed[1]!.query.next).toBe(String(first.next));
    expect(listed.every((r) => r.status === 200)).toBe(true);
    // Every new task (one unit each) was seen: 1001 more reserved.
    expect((await mp.product('DS-1004')).reserved).toBe(before.reserved + 1001);
  }, 120_000);

  it('a YM order created before the 30-day window that changes now is seen', async () => {
    const old = await control.post<{ orderId: number }>('/ym/_control/orders', {
      items: [{ offerId: 'DS-1005', count: 1 }],
      createdDaysAgo: 40,
    });
    await control.post(`/ym/_control/orders/${old.orderId}/status`, { status: 'CANCELLED', substatus: 'USER_CHANGED_MIND' });
    // The fake, like YM, leaves it out of an update-date filter alone (its creation window defaults to 30 days).
    const creds = await control.get<Record<string, string>>('/ym/_control/credentials');
    const plain = await fetch(`${sandbox.url}/ym/v1/businesses/${YM_BUSINESS_ID}/orders?limit=50`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': creds['Api-Key'] },
      body: JSON.stringify({ dates: { updateDateFrom: new Date(Date.now() - 3_600_000).toISOString() } }),
    });
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { orders: { orderId: number }[] }).orders.map((o) => o.orderId)).not.toContain(old.orderId);

    expect((await mp.run('/api/marketplaces/poll', { marketplace: 'ym', kind: 'orders' })).state).toBe('done');
    const orders = await mp.api('GET', '/api/marketplaces/orders?marketplace=ym&sku=DS-1005&limit=500');
    expect(orders.body.orders.find((o) => o.orderId === String(old.orderId))).toMatchObject({
      status: 'CANCELLED',
      stage: 'cancelled',
    });
  }, 60_000);
});
