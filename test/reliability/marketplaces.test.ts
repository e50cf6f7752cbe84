import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRuleInput, RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, sandboxControl, startTestSandbox, waitFor, type TestDatabase } from '../helpers';
import { startMarketplaceStack, toldByFakes } from '../helpers/marketplaces';

/**
 * Marketplace stock pushes under each marketplace's own rate-limit answers (Yandex Market's 420,
 * with and without Retry-After; Ozon's and WB's 429), server errors and dropped connections: once
 * the push runs that carry the adjustments are done, every fake holds exactly the ledger's available
 * stock for every SKU, while the faults are still active (no fault-free push settles what they left).
 */

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  // Small batches for many requests, under the documented limits the fakes enforce by default.
  mp = await startMarketplaceStack(db.url, sandbox.url, {
    HTTP_RETRY_MAX_MS: '1500',
    OZON_STOCK_BATCH: '5',
    WB_STOCK_BATCH: '5',
    YM_STOCK_BATCH: '5',
  });
  expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');
}, 60_000);
afterAll(async () => {
  await mp?.stack.close();
  await sandbox?.close();
  await db?.drop();
});

const faults: [string, FaultRuleInput[]][] = [
  [
    'Yandex Market 420 (parallel limit), no Retry-After',
    [{ path: '/ym/', kind: 'status', preset: 'ym.parallel-limit', every: 2, times: 3 }],
  ],
  ['Yandex Market 420 with Retry-After', [{ path: '/ym/', kind: 'status', preset: 'ym.rate-limit', retryAfter: 1, times: 2 }]],
  [
    'Ozon and Wildberries 429',
    [
      { path: '/ozon/', kind: 'status', preset: 'ozon.rate-limit', every: 2, times: 3 },
      { path: '/wb/', kind: 'status', preset: 'wb.rate-limit', times: 2 },
    ],
  ],
  [
    '503 on a third of every marketplace request',
    [
      { path: '/ozon/', kind: 'status', status: 503, probability: 0.3 },
      { path: '/wb/', kind: 'status', status: 503, probability: 0.3 },
      { path: '/ym/', kind: 'status', status: 503, probability: 0.3 },
    ],
  ],
  [
    'connection resets and truncated answers',
    [
      { path: '/ozon/', kind: 'reset', every: 3, times: 2 },
      { path: '/ym/', kind: 'truncate', every: 2, times: 2 },
      { path: '/wb/', kind: 'reset', times: 1 },
    ],
  ],
];

describe('marketplace stock pushes under faults', () => {
  it.each(faults.map(([name, rules], i) => [name, rules, i] as const))(
    '%s: every marketplace ends with the ledger’s stock',
    async (_name, rules, round) => {
      const { ids } = (await control.addFault(rules)) as { ids: number[] };
      const { body } = await mp.api('GET', '/api/marketplaces/products?limit=500');
      expect(body.products.length).toBeGreaterThan(5);
      // Each adjustment answers the push run that carries it (a new one, or one it joined).
      const pushes = new Set<string>();
      for (const [i, p] of body.products.entries()) {
        const adjusted = await mp.api('POST', `/api/marketplaces/products/${p.sku}/adjustments`, {
          onHand: 20 + i + 7 * round,
          reason: `round ${round}`,
        });
        expect(adjusted.status).toBe(200);
        pushes.add(adjusted.body.parser_uuid as string);
      }
      // And an explicit push after the last adjustment; every one of these pushes runs under the faults.
      const submitted = await mp.api('POST', '/api/marketplaces/push', {});
      pushes.add(submitted.body.parser_uuid as string);
      const runs = await Promise.all([...pushes].map((id) => mp.finished(id)));
      const run = runs.find((r) => r.id === submitted.body.parser_uuid) ?? runs[runs.length - 1];
      for (const r of runs) expect({ id: r.id, state: r.state, error: r.error ?? null }).toEqual({ id: r.id, state: 'done', error: null });
      // Items a marketplace refused or throttled are pushed again by the worker's own follow-up
      // (MARKETPLACES_PUSH_RETRY_MS), still under the same faults: no fault-free push is made, and the
      // fakes must agree with the ledger while the faults are active.
      const { body: after } = await mp.api('GET', '/api/marketplaces/products?limit=500');
      for (const p of after.products) {
        expect(p.available).toBe(Math.max(0, 20 + body.products.findIndex((x) => x.sku === p.sku) + 7 * round - (p.reserved ?? 0)));
        await waitFor(
          async () => {
            const told = await toldByFakes(sandbox.url, p.sku);
            return [...told.ozon, ...told.wb, ...told.ym].every((v) => v === p.available) &&
              told.ozon.length + told.wb.length + told.ym.length >= 3
              ? told
              : undefined;
          },
          { timeoutMs: 30_000, what: `${p.sku} = ${p.available} on every marketplace, under the faults` },
        );
      }
      // The faults really happened (the sandbox's count of requests each rule acted on).
      const injected = await control.injected();
      await control.clearFaults();
      for (const id of ids) expect(injected[id], `rule ${id} injected`).toBeGreaterThan(0);
      expect(run?.state).toBe('done');
    },
    90_000,
  );
});
