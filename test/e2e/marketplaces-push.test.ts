import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, sandboxControl, startTestSandbox, type TestDatabase } from '../helpers';
import { fakesReach, startMarketplaceStack, toldByFakes } from '../helpers/marketplaces';

/** Batch sizes well below the APIs' own (100 / 1000 / 2000), so 18 SKUs need several requests. */
const BATCH = { ozon: 4, wb: 5, ym: 7 };

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;
let redis: Redis;

interface Logged {
  at: number;
  method: string;
  path: string;
  status: number;
}
const logged = async (prefix: string, method: string) =>
  ((await control.requests(prefix)).requests as unknown as Logged[]).filter((r) => r.method === method);

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  mp = await startMarketplaceStack(db.url, sandbox.url, {
    OZON_STOCK_BATCH: String(BATCH.ozon),
    WB_STOCK_BATCH: String(BATCH.wb),
    YM_STOCK_BATCH: String(BATCH.ym),
    // Long enough to wait out the fakes' Retry-After answers.
    HTTP_RETRIES: '6',
    HTTP_RETRY_MAX_MS: '3000',
    JOB_ATTEMPTS: '5',
  });
  redis = new Redis(mp.stack.config.REDIS_URL, { maxRetriesPerRequest: null });
  expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');
});

afterAll(async () => {
  redis?.disconnect();
  await mp?.stack.close();
  await sandbox?.close();
  await db?.drop();
});

describe('marketplaces: stock push', () => {
  it('pushes many SKUs in batches within each limit, survives 429/420 answers, stores per-item errors', async () => {
    // The fakes' documented limits are on by default; plus injected rate-limit answers on each push endpoint.
    for (const fake of ['ozon', 'wb', 'ym'])
      expect((await control.get<{ enabled: boolean }>(`/${fake}/_control/rate-limits`)).enabled).toBe(true);
    await control.addFault([
      { path: '/ozon/v2/products/stocks', kind: 'status', preset: 'ozon.rate-limit', times: 2 },
      { path: '/wb/marketplace/api/v3/stocks/', method: 'PUT', kind: 'status', preset: 'wb.rate-limit', times: 2 },
      { path: '/ym/v2/campaigns/21421/offers/stocks', method: 'PUT', kind: 'status', preset: 'ym.rate-limit', times: 2 },
    ]);
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });

    // Count every SKU while the queue is paused: one push run then carries all 18.
    const queue = new Queue('marketplaces', { connection: redis, prefix: mp.stack.config.REDIS_PREFIX });
    await queue.pause();
    const { body } = await mp.api('GET', '/api/marketplaces/products?limit=500');
    const skus: string[] = body.products.map((p) => p.sku);
    expect(skus).toHaveLength(18);
    const pushRuns = new Set<string>();
    for (const [i, sku] of skus.entries()) {
      const res = await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 30 + i, reason: 'stock take' });
      expect(res.status).toBe(200);
      pushRuns.add(res.body.parser_uuid);
    }
    expect(pushRuns.size).toBe(1);
    const started = Date.now();
    await queue.resume();
    const run = await mp.finished([...pushRuns][0]!);
    expect(run.state).toBe('done');
    await queue.close();

    // Every marketplace got every SKU's available stock.
    const { body: after } = await mp.api('GET', '/api/marketplaces/products?limit=500');
    for (const p of after.products) {
      const told = await toldByFakes(sandbox.url, p.sku);
      expect(told.ozon).toEqual([p.available, p.available]);
      expect(told.ym).toEqual([p.available, p.available]);
      expect(told.wb).toContain(p.available);
    }

    // Batches within each marketplace's size.
    const ozon = await logged('/ozon/v2/products/stocks', 'POST');
    const wb = await logged('/wb/marketplace/api/v3/stocks', 'PUT');
    const ym = await logged('/ym/v2/campaigns', 'PUT');
    const ozonOk = ozon.filter((r) => r.status === 200);
    // 18 SKUs × 2 warehouses in batches of 4.
    expect(ozonOk).toHaveLength(2 * Math.ceil(18 / BATCH.ozon));
    expect(ym.filter((r) => r.status === 200)).toHaveLength(2 * Math.ceil(18 / BATCH.ym));
    expect(run.counts).toMatchObject({ 'ozon.pushed': 36, 'ym.pushed': 36 });
    // The request bodies are not logged; the per-request item counts are what the run saw.
    expect(run.counts['wb.pushed']! + run.counts['wb.failed']!).toBe(36);

    // Rate-limit answers were survived: exactly the injected ones, none from the fakes' own limits.
    expect(ozon.filter((r) => r.status === 429)).toHaveLength(2);
    expect(ym.filter((r) => r.status === 420)).toHaveLength(2);
    expect(wb.filter((r) => r.status === 429)).toHaveLength(2);
    expect(Date.now()).toBeGreaterThan(started);

    // No Ozon update was refused as too frequent.
    const ozonStocks = await control.get<{ stocks: { refused: number }[] }>('/ozon/_control/stocks');
    expect(ozonStocks.stocks.filter((r) => r.refused > 0)).toEqual([]);

    // Per-item errors are stored: WB refuses bulky goods on its small-goods warehouse (658434).
    const bulky = await mp.product('DS-1009');
    const small = bulky.pushes.find((p) => p.marketplace === 'wb' && p.warehouseId === '658434');
    expect(small).toMatchObject({
      pushedValue: null,
      error: { code: 'CargoWarehouseRestrictionMGT', retryable: false, value: bulky.available },
    });
    expect(bulky.pushes.find((p) => p.marketplace === 'wb' && p.warehouseId === '658435')).toMatchObject({
      pushedValue: bulky.available,
      error: null,
    });
    // The other goods in the refused batches still reached WB.
    const fine = await mp.product('DS-1002');
    expect(fine.pushes.filter((p) => p.marketplace === 'wb').map((p) => p.pushedValue)).toEqual([fine.available, fine.available]);
  }, 120_000);

  it('holds back a repeat Ozon update for 30 s instead of collecting TOO_MANY_REQUESTS, and skips values it already has', async () => {
    await control.clearFaults();
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    const ozonRows = async () =>
      (
        await control.get<{ stocks: { code: string; warehouse_id: number; pushes: number; refused: number; updated_at: string }[] }>(
          '/ozon/_control/stocks?offer_id=DS-1004',
        )
      ).stocks;
    // Ozon takes one update per pair every 30 s: an immediate second change must wait, not be sent.
    const first = await mp.api('POST', '/api/marketplaces/products/DS-1004/adjustments', { delta: 1, reason: 'found one' });
    await fakesReach(sandbox.url, 'DS-1004', first.body.product.available, 60_000);
    const before = await ozonRows();
    const second = await mp.api('POST', '/api/marketplaces/products/DS-1004/adjustments', { delta: 1, reason: 'found another' });
    const wanted = second.body.product.available as number;
    await fakesReach(sandbox.url, 'DS-1004', wanted, 60_000);
    const after = await ozonRows();
    for (const row of after) {
      const was = before.find((b) => b.warehouse_id === row.warehouse_id)!;
      // One more update per pair, none refused, taken at least 30 s after the one before.
      expect(row).toMatchObject({ pushes: was.pushes + 1, refused: 0 });
      expect(Date.parse(row.updated_at) - Date.parse(was.updated_at)).toBeGreaterThanOrEqual(30_000);
    }
    const p = await mp.product('DS-1004');
    expect(p.pushes.every((x) => x.error === null && x.pushedValue === wanted)).toBe(true);

    // Nothing changed since: a push sends nothing.
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    const idle = await mp.run('/api/marketplaces/push', {});
    expect(idle.state).toBe('done');
    expect(
      (await logged('/ozon/v2/products/stocks', 'POST')).length +
        (await logged('/wb/marketplace/api/v3/stocks', 'PUT')).length +
        (await logged('/ym/v2/campaigns', 'PUT')).length,
    ).toBe(0);
  }, 120_000);
});
