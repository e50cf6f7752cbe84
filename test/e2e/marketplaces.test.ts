import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import type { CatalogItem, RunningSandbox } from '@datasync/sandbox';
import { createLogger } from '@datasync/logger';
import { opsQueues } from '@datasync/queues';
import { MARKETPLACE_SCHEDULE_IDS } from '@datasync/worker-marketplaces';
import { createTestDatabase, sandboxControl, sourceWorker, startTestSandbox, waitFor, type TestDatabase } from '../helpers';
import { fakesReach, startMarketplaceStack, toldByFakes } from '../helpers/marketplaces';

const API_KEY = 'stock-page-key';
let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  // About the ledger across marketplaces, which changes one SKU many times in a row: Ozon's one update
  // per pair every 30 s (held by marketplaces-push.test.ts) is shortened to 1 s, on the fake and here alike.
  await control.post('/ozon/_control/rate-limits', { rules: { 'stock-pair': { limit: 1, windowMs: 1000 } } });
  mp = await startMarketplaceStack(db.url, sandbox.url, { GATEWAY_API_KEY: API_KEY, OZON_STOCK_PAIR_INTERVAL_MS: '1100' });
  const catalog = await mp.run('/api/marketplaces/catalog');
  expect(catalog.state).toBe('done');
  // The first poll of each marketplace is the baseline: open orders reserve, history moves nothing.
  for (const marketplace of ['ozon', 'wb', 'ym']) expect((await mp.run('/api/marketplaces/poll', { marketplace })).state).toBe('done');
});

afterAll(async () => {
  await mp?.stack.close();
  await sandbox?.close();
  await db?.drop();
});

const pollAll = async () => {
  for (const marketplace of ['ozon', 'wb', 'ym']) expect((await mp.run('/api/marketplaces/poll', { marketplace })).state).toBe('done');
};

describe('marketplaces: one stock ledger', () => {
  it('maps the seeded catalogue to every marketplace id and lists open orders as reserves', async () => {
    const fakeCatalog = await control.get<{ items: CatalogItem[] }>('/ozon/_control/catalog');
    const { body } = await mp.api('GET', '/api/marketplaces/products?limit=500');
    expect(body.total).toBe(fakeCatalog.items.length);
    for (const item of fakeCatalog.items) {
      const p = body.products.find((x) => x.sku === item.code);
      expect(p?.ids).toEqual({
        ozon: { offerId: item.ozon.offerId, productId: String(item.ozon.productId), sku: String(item.ozon.sku) },
        wb: { nmId: String(item.wb.nmId), chrtId: String(item.wb.chrtId), barcode: item.wb.barcode, vendorCode: item.wb.vendorCode },
        ym: { offerId: item.ym.offerId, marketSku: String(item.ym.marketSku) },
      });
    }
    // Reserves = the fakes' open orders (Ozon's reserved units per product equal ours).
    const reserves = await mp.api('GET', '/api/marketplaces/reserves?marketplace=ozon&limit=500');
    const ozonStocks = await control.get<{ stocks: { code: string; reserved: number; warehouse_id: number }[] }>('/ozon/_control/stocks');
    const fakeReserved = new Map<string, number>();
    for (const s of ozonStocks.stocks) fakeReserved.set(s.code, (fakeReserved.get(s.code) ?? 0) + s.reserved);
    const ours = new Map<string, number>();
    for (const o of reserves.body.orders) for (const i of o.items) ours.set(i.sku!, (ours.get(i.sku!) ?? 0) + i.quantity);
    expect(Object.fromEntries([...ours].filter(([, n]) => n > 0))).toEqual(Object.fromEntries([...fakeReserved].filter(([, n]) => n > 0)));
    expect(reserves.body.orders.length).toBeGreaterThan(0);
    // Bad input is refused naming the field, and nothing is written.
    const noReason = await mp.api('POST', '/api/marketplaces/products/DS-1010/adjustments', { delta: 3 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    const both = await mp.api('POST', '/api/marketplaces/products/DS-1010/adjustments', { delta: 3, onHand: 4, reason: 'x' });
    expect(both.status).toBe(400);
    const below = await mp.api('POST', '/api/marketplaces/products/DS-1010/adjustments', { delta: -1, reason: 'broken' });
    expect(below.status).toBe(409);
    expect(below.body.error?.code).toBe('stock_below_zero');
    expect((await mp.api('POST', '/api/marketplaces/products/NO-SUCH/adjustments', { delta: 1, reason: 'x' })).status).toBe(404);
    expect((await mp.product('DS-1010')).movements.filter((m) => m.kind === 'adjustment')).toEqual([]);
    const badPoll = await mp.api('POST', '/api/marketplaces/poll', { marketplace: 'amazon', kind: 'everything' });
    expect(badPoll.status).toBe(400);
    expect(badPoll.body.errors?.map((e) => e.field).sort()).toEqual(['kind', 'marketplace']);
    // Bad filters are 400s naming the field.
    const bad = await mp.api('GET', '/api/marketplaces/orders?marketplace=amazon&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['limit', 'marketplace']);
  });

  it('an order on one marketplace reaches the other two; a cancellation gives it back, a return restocks; polling again changes nothing', async () => {
    const sku = 'DS-1002';
    const counted = await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 20, reason: 'opening count' });
    expect(counted.status).toBe(200);
    const base = counted.body.product.available as number;
    expect(base).toBe(20 - counted.body.product.reserved);
    await fakesReach(sandbox.url, sku, base);

    // An Ozon order of 2 holds 2 units: every marketplace is told base − 2.
    const posting = await control.post<{ posting_number: string }>('/ozon/_control/postings', { items: [{ offer_id: sku, quantity: 2 }] });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ozon', kind: 'orders' });
    expect((await mp.product(sku)).available).toBe(base - 2);
    const told = await fakesReach(sandbox.url, sku, base - 2);
    expect(told.wb.length).toBeGreaterThan(0);

    // The buyer cancels: the units come back.
    await control.post(`/ozon/_control/postings/${posting.posting_number}/status`, { status: 'cancelled' });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ozon', kind: 'orders' });
    expect((await mp.product(sku)).available).toBe(base);
    await fakesReach(sandbox.url, sku, base);

    // A YM order is shipped (on hand − 1), then returned and picked up fit for sale (on hand + 1).
    const order = await control.post<{ orderId: number }>('/ym/_control/orders', { items: [{ offerId: sku, count: 1 }] });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ym', kind: 'orders' });
    await fakesReach(sandbox.url, sku, base - 1);
    await control.post(`/ym/_control/orders/${order.orderId}/status`, { status: 'PROCESSING', substatus: 'SHIPPED' });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ym', kind: 'orders' });
    const shipped = await mp.product(sku);
    expect(shipped.onHand).toBe(19);
    expect(shipped.available).toBe(base - 1);
    const ret = await control.post<{ id: number }>('/ym/_control/returns', { orderId: order.orderId });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ym', kind: 'returns' });
    expect((await mp.product(sku)).available).toBe(base - 1);
    await control.post(`/ym/_control/returns/${ret.id}/status`, { shipmentStatus: 'PICKED' });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ym', kind: 'returns' });
    const restocked = await mp.product(sku);
    expect(restocked.onHand).toBe(20);
    expect(restocked.available).toBe(base);
    await fakesReach(sandbox.url, sku, base);
    const returns = await mp.api('GET', `/api/marketplaces/returns?marketplace=ym&sku=${sku}`);
    expect(returns.body.returns).toEqual([
      expect.objectContaining({ returnId: String(ret.id), status: 'PICKED', restocked: true, quantity: 1 }),
    ]);

    // The ledger: one movement per event, in order (after the seeded open orders' reserves).
    const kinds = restocked.movements.map((m) => m.kind).reverse();
    expect(kinds.slice(kinds.indexOf('adjustment'))).toEqual(['adjustment', 'reserve', 'release', 'reserve', 'consume', 'restock']);

    // The same events polled again (the cursor overlap re-reads them) move nothing.
    await pollAll();
    await pollAll();
    const again = await mp.product(sku);
    expect(again.movements).toHaveLength(restocked.movements.length);
    expect([again.onHand, again.reserved, again.available]).toEqual([restocked.onHand, restocked.reserved, restocked.available]);
    const history = await mp.api('GET', `/api/marketplaces/orders?marketplace=ozon&sku=${sku}`);
    expect(history.body.orders.find((o) => o.orderId === posting.posting_number)).toMatchObject({
      status: 'cancelled',
      stage: 'cancelled',
    });
  });

  it('a WB order reaches Ozon and Yandex Market, and a poll asks only for what is new', async () => {
    const sku = 'DS-1004';
    const counted = await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 7, reason: 'opening count' });
    const base = counted.body.product.available as number;
    await fakesReach(sandbox.url, sku, base);
    const chrtId = Number(counted.body.product.ids.wb.chrtId);
    await control.post('/wb/_control/orders', { items: [{ chrtId, quantity: 1 }] });
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    await mp.run('/api/marketplaces/poll', { marketplace: 'wb', kind: 'orders' });
    await fakesReach(sandbox.url, sku, base - 1);
    // The task list is asked from the last poll (minus the overlap), not the first-poll horizon,
    // and paged from next = 0 as WB documents.
    const log = await control.requests('/wb/marketplace/api/v3/orders');
    const listed = log.requests.filter((r) => r.path.endsWith('/api/v3/orders'));
    expect(listed.length).toBeGreaterThan(0);
    expect(Number(listed[0]!.query.next)).toBe(0);
    expect(Number(listed[0]!.query.dateFrom)).toBeGreaterThan((Date.now() - 3_600_000) / 1000);
  });

  it('keeps one schedule per marketplace however many workers start, visible at /api/schedules', async () => {
    const redis = new Redis(mp.stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    const config = { ...mp.stack.config, MARKETPLACES_POLL_INTERVAL_MS: 60_000 };
    const [second, third] = await Promise.all([
      sourceWorker('marketplaces')(config, createLogger({ name: 'second', level: 'silent' })),
      sourceWorker('marketplaces')(config, createLogger({ name: 'third', level: 'silent' })),
    ]);
    const queue = new Queue(opsQueues.schedules, { connection: redis, prefix: mp.stack.config.REDIS_PREFIX });
    try {
      const ids = MARKETPLACE_SCHEDULE_IDS;
      const schedulers = await queue.getJobSchedulers();
      // The catalogue refresh is off in this stack (interval 0); polls every minute, push every second.
      expect(schedulers.map((s) => s.key).sort()).toEqual([ids['poll-ozon'], ids['poll-wb'], ids['poll-ym'], ids.push].sort());
      expect(schedulers.find((s) => s.key === ids['poll-ozon'])?.every).toBe(60_000);
      const { body } = await mp.api('GET', '/api/schedules');
      const ours = body.schedules.filter((s) => s.source === 'marketplaces');
      expect(ours).toHaveLength(4);
      expect(ours.find((s) => s.id === ids['poll-wb'])).toMatchObject({ job: 'marketplaces.poll', params: { marketplace: 'wb' } });
    } finally {
      await queue.close();
      await second.close();
      await third.close();
      // Back to manual polls for the rest of this file.
      await sourceWorker('marketplaces')(mp.stack.config, createLogger({ name: 'reset', level: 'silent' })).then((w) => w.close());
      redis.disconnect();
    }
  });

  it('the stock page shows products, and an adjustment made there reaches all three fakes', async () => {
    const browser: Browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      // Without the key the page is refused; with it (the browser's basic-auth prompt) it loads.
      expect((await fetch(`${mp.stack.gateway.url}/stock`)).status).toBe(401);
      const context = await browser.newContext({ httpCredentials: { username: 'stock', password: API_KEY } });
      const page = await context.newPage();
      await page.goto(`${mp.stack.gateway.url}/stock`);
      const row = page.locator('#products tr[data-sku="DS-1005"]');
      await row.waitFor();
      expect(await page.locator('#products tbody tr').count()).toBe(18);
      expect(await page.locator('#orders tbody tr').count()).toBeGreaterThan(0);
      expect(await row.locator('td.on-hand').textContent()).toBe('not counted yet');

      await row.locator('select[name=mode]').selectOption('delta');
      await row.locator('input[name=quantity]').fill('12');
      await row.locator('input[name=reason]').fill('found in the back room');
      await row.locator('button[type=submit]').click();
      const product = await waitFor(async () => {
        const p = await mp.product('DS-1005');
        return p.onHand === 12 ? p : undefined;
      });
      expect(product.movements[0]).toMatchObject({ kind: 'adjustment', onHandDelta: 12, reason: 'found in the back room' });
      await fakesReach(sandbox.url, 'DS-1005', product.available);
      // The page shows what each marketplace was last told once the push is done.
      await waitFor(
        async () =>
          (await row.locator('td[data-marketplace="ym"] .told').first().textContent()) === String(product.available) ? true : undefined,
        {
          timeoutMs: 20_000,
          what: 'the page to show the pushed value',
        },
      );
      const told = await toldByFakes(sandbox.url, 'DS-1005');
      expect(told.ym.every((v) => v === product.available)).toBe(true);

      // A bad adjustment is refused with the field's message, shown on the page.
      await row.locator('input[name=quantity]').fill('1');
      await row.locator('input[name=reason]').fill('   ');
      await row.locator('button[type=submit]').click();
      await row.locator('.row-msg[role=alert]').waitFor();
      expect(await row.locator('.row-msg').textContent()).toContain('reason');
    } finally {
      await browser.close();
    }
  });
});
