import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { waitFor } from '@datasync/testkit';
import { createTestDatabase, sandboxControl, startTestSandbox, type TestDatabase } from '../helpers';
import { startMarketplaceStack } from '../helpers/marketplaces';

/**
 * Stock allocation rules end to end (README "Stock allocation rules"): rules set through the API, a
 * push, and what each fake warehouse was told, against figures worked out by hand here.
 */

const SKU = 'DS-1002';
let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;
/** Active warehouse ids per marketplace, in id order. */
let wh: Record<'ozon' | 'wb' | 'ym', [string, string]>;

interface RuleAnswer {
  status: number;
  body: { rule?: Record<string, unknown>; rules?: Record<string, unknown>[]; errors?: { field: string; message: string }[] };
}
const rules = (method: 'PUT' | 'DELETE' | 'GET', body?: unknown, query = '') =>
  mp.api(method, `/api/marketplaces/rules${query}`, body) as unknown as Promise<RuleAnswer>;

/** What each fake warehouse was last told for SKU, by warehouse id. */
async function told(): Promise<Record<string, number>> {
  const ozon = await control.get<{ stocks: { code: string; warehouse_id: number; stock: number }[] }>(
    `/ozon/_control/stocks?offer_id=${SKU}`,
  );
  const wb = await control.get<{ stocks: { code: string; warehouseId: number; amount: number }[] }>('/wb/_control/stocks');
  const ym = await control.get<{ stocks: { code: string; warehouseId: number; count: number }[] }>('/ym/_control/stocks');
  return Object.fromEntries([
    ...ozon.stocks.filter((s) => s.code === SKU).map((s) => [`ozon:${s.warehouse_id}`, s.stock]),
    ...wb.stocks.filter((s) => s.code === SKU).map((s) => [`wb:${s.warehouseId}`, s.amount]),
    ...ym.stocks.filter((s) => s.code === SKU).map((s) => [`ym:${s.warehouseId}`, s.count]),
  ]);
}

const reach = (want: Record<string, number>) =>
  waitFor(
    async () => {
      const now = await told();
      return Object.entries(want).every(([k, v]) => now[k] === v) ? now : undefined;
    },
    { timeoutMs: 60_000, what: `fakes told ${JSON.stringify(want)}` },
  );

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  mp = await startMarketplaceStack(db.url, sandbox.url);
  expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');
  const { body } = await mp.api('GET', '/api/marketplaces/warehouses');
  const active = (m: string) =>
    body.warehouses
      .filter((w) => w.marketplace === m && w.active)
      .map((w) => w.warehouseId)
      .sort();
  wh = { ozon: active('ozon') as [string, string], wb: active('wb') as [string, string], ym: active('ym') as [string, string] };
  for (const ids of Object.values(wh)) expect(ids).toHaveLength(2);
});

afterAll(async () => {
  await mp?.stack.close();
  await sandbox?.close();
  await db?.drop();
});

describe('marketplaces: stock allocation rules', () => {
  it('pushes what the rules give each warehouse, shows it on the product, and a removed rule stops applying', async () => {
    const [o1, o2] = wh.ozon;
    const [w1, w2] = wh.wb;
    const [y1, y2] = wh.ym;
    const put = [
      // Global default: keep 2 units back everywhere.
      { bufferUnits: 2 },
      // Ozon: this SKU split 1:2 between its two warehouses.
      { sku: SKU, marketplace: 'ozon', warehouseId: o1, weight: 1 },
      { sku: SKU, marketplace: 'ozon', warehouseId: o2, weight: 2 },
      // WB: a 10 % buffer for every SKU (instead of the global 2), and the first warehouse left out.
      { marketplace: 'wb', bufferPercent: 10 },
      { marketplace: 'wb', warehouseId: w1, excluded: true },
      // YM: this SKU at most 5 on the first warehouse.
      { sku: SKU, marketplace: 'ym', warehouseId: y1, cap: 5 },
    ];
    for (const rule of put) {
      const res = await rules('PUT', rule);
      expect(res.status, JSON.stringify(rule)).toBe(200);
    }
    const adjusted = await mp.api('POST', `/api/marketplaces/products/${SKU}/adjustments`, { onHand: 24, reason: 'stock take' });
    expect(adjusted.status).toBe(200);
    expect(adjusted.body.product.available).toBe(24);

    // By hand, available 24:
    // ozon: pool 24 − 2 = 22; 22 × 1/3 = 7.33, 22 × 2/3 = 14.67 → 7 and 14, the leftover unit to the larger remainder → 7, 15.
    // wb: 10 % of 24 = 2.4 → 3 kept back, pool 21; w1 excluded → 0, w2 (no weights) the whole pool → 21.
    // ym: pool 22; y1 capped at 5, y2 the whole pool → 22.
    const expected = {
      [`ozon:${o1}`]: 7,
      [`ozon:${o2}`]: 15,
      [`wb:${w1}`]: 0,
      [`wb:${w2}`]: 21,
      [`ym:${y1}`]: 5,
      [`ym:${y2}`]: 22,
    };
    expect(await reach(expected)).toMatchObject(expected);

    // The product shows the pool, the rule that applied and each warehouse's figure.
    const { body } = await mp.api('GET', `/api/marketplaces/products?search=${SKU}`);
    const product = body.products.find((p) => p.sku === SKU) as unknown as {
      allocation: {
        marketplace: string;
        pool: number;
        buffer: number;
        weighted: boolean;
        warehouses: { warehouseId: string; value: number; rules: unknown[] }[];
      }[];
    };
    const shown = product.allocation.map((a) => ({
      marketplace: a.marketplace,
      pool: a.pool,
      buffer: a.buffer,
      weighted: a.weighted,
      values: Object.fromEntries(a.warehouses.map((w) => [w.warehouseId, w.value])),
    }));
    expect(shown).toEqual([
      { marketplace: 'ozon', pool: 22, buffer: 2, weighted: true, values: { [o1]: 7, [o2]: 15 } },
      { marketplace: 'wb', pool: 21, buffer: 3, weighted: false, values: { [w1]: 0, [w2]: 21 } },
      { marketplace: 'ym', pool: 22, buffer: 2, weighted: false, values: { [y1]: 5, [y2]: 22 } },
    ]);
    const ymFirst = product.allocation.find((a) => a.marketplace === 'ym')!.warehouses.find((w) => w.warehouseId === y1)!;
    expect(ymFirst.rules).toEqual([
      { sku: SKU, marketplace: 'ym', warehouseId: y1 },
      { sku: null, marketplace: null, warehouseId: null },
    ]);

    // The stored rules are exactly the ones put.
    const listed = await rules('GET');
    expect(listed.body.rules!.map(({ updatedAt: _u, ...r }) => r)).toEqual(
      expect.arrayContaining(
        put.map((r) => ({
          sku: null,
          marketplace: null,
          warehouseId: null,
          bufferUnits: null,
          bufferPercent: null,
          cap: null,
          excluded: null,
          weight: null,
          ...r,
        })),
      ),
    );
    expect(listed.body.rules).toHaveLength(put.length);

    // Removing the YM cap: y1 gets the whole pool again.
    const removed = await rules('DELETE', undefined, `?sku=${SKU}&marketplace=ym&warehouseId=${y1}`);
    expect(removed.status).toBe(200);
    expect(await reach({ [`ym:${y1}`]: 22, [`ym:${y2}`]: 22 })).toMatchObject({ [`ym:${y1}`]: 22 });
    expect((await rules('DELETE', undefined, `?sku=${SKU}&marketplace=ym&warehouseId=${y1}`)).status).toBe(404);
  }, 120_000);

  it('refuses a bad rule with a 400 naming the field, and stores nothing', async () => {
    const before = (await rules('GET')).body.rules;
    const o1 = wh.ozon[0];
    const cases: [unknown, string][] = [
      [{ marketplace: 'amazon', weight: 1 }, 'marketplace'],
      [{ marketplace: 'ozon', weight: -1 }, 'weight'],
      [{ marketplace: 'ozon', weight: 1.5 }, 'weight'],
      [{ marketplace: 'ozon', weight: 1_000_001 }, 'weight'],
      [{ marketplace: 'ozon', cap: '5' }, 'cap'],
      [{ marketplace: 'ozon', excluded: 'yes' }, 'excluded'],
      [{ marketplace: 'ozon', bufferPercent: 101 }, 'bufferPercent'],
      [{ marketplace: 'ozon', bufferUnits: 1, bufferPercent: 5 }, 'bufferPercent'],
      [{ sku: SKU, weight: 1 }, 'marketplace'],
      [{ warehouseId: o1, cap: 1 }, 'marketplace'],
      [{ marketplace: 'ozon', warehouseId: o1, bufferUnits: 1 }, 'warehouseId'],
      [{ marketplace: 'ozon', warehouseId: '999', cap: 1 }, 'warehouseId'],
      [{ sku: 'NO-SUCH-SKU', marketplace: 'ozon', cap: 1 }, 'sku'],
      [{ marketplace: 'ozon' }, '(request)'],
      [{ marketplace: 'ozon', cap: 1, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await rules('PUT', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.errors!.map((e) => e.field),
        JSON.stringify(body),
      ).toContain(field);
      for (const e of res.body.errors!)
        expect(e.message, JSON.stringify(body)).not.toMatch(/Invalid input|expected \w+, received|Too (small|big)/);
    }
    expect((await rules('DELETE', undefined, '?marketplace=amazon')).status).toBe(400);
    expect((await rules('DELETE', undefined, '?sku=DS-1002')).status).toBe(400);
    expect((await rules('GET', undefined, '?marketplace=amazon')).status).toBe(400);
    expect((await rules('GET')).body.rules).toEqual(before);
  });
});
