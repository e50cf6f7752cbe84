import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, sandboxControl, startTestSandbox, waitFor, type TestDatabase } from '../helpers';
import { fakesReach, startMarketplaceStack } from '../helpers/marketplaces';

const API_KEY = 'stock-page-key';
const SCREENSHOT = process.env.STOCK_PAGE_SCREENSHOT ?? path.join(os.tmpdir(), 'stock-page.png');
let db: TestDatabase;
let pool: pg.Pool;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every request the browser made, and every console error or uncaught page error. */
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  mp = await startMarketplaceStack(db.url, sandbox.url, { GATEWAY_API_KEY: API_KEY });
  expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');
  for (const marketplace of ['ozon', 'wb', 'ym']) expect((await mp.run('/api/marketplaces/poll', { marketplace })).state).toBe('done');
  browser = await chromium.launch({
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
  context = await browser.newContext({
    httpCredentials: { username: 'seller', password: API_KEY },
    viewport: { width: 1600, height: 1000 },
  });
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});

afterAll(async () => {
  await browser?.close();
  await mp?.stack.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

const NAMES: Record<string, string> = { ozon: 'Ozon', wb: 'Wildberries', ym: 'Yandex Market' };
const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const row = (sku: string) => page.locator(`#products tr[data-sku="${sku}"]`);
/** The focused element's name and the SKU of its row. */
const focused = () =>
  page.evaluate(
    `[document.activeElement?.getAttribute('name'), document.activeElement?.closest('tr')?.getAttribute('data-sku')]`,
  ) as Promise<(string | null)[]>;
const refreshes = async () => Number(await page.locator('body').getAttribute('data-refreshes'));
/** Waits until the page has finished `n` more refreshes than now (the 5 s timer, or the Refresh button). */
async function nextRefreshes(n: number) {
  const start = await refreshes();
  await waitFor(async () => ((await refreshes()) >= start + n ? true : undefined), { timeoutMs: 30_000, what: `${n} page refreshes` });
}

/** Each fake's current value per warehouse for one SKU, keyed `marketplace:warehouseId` (WB's 700001 is not pushed to). */
async function fakeValues(code: string) {
  const ozon = await control.get<{ stocks: { code: string; warehouse_id: number; stock: number }[] }>(
    `/ozon/_control/stocks?offer_id=${encodeURIComponent(code)}`,
  );
  const wb = await control.get<{ stocks: { code: string; warehouseId: number; amount: number }[] }>('/wb/_control/stocks');
  const ym = await control.get<{ stocks: { code: string; warehouseId: number; count: number }[] }>('/ym/_control/stocks');
  return Object.fromEntries([
    ...ozon.stocks.filter((s) => s.code === code).map((s) => [`ozon:${s.warehouse_id}`, s.stock]),
    ...wb.stocks.filter((s) => s.code === code && s.warehouseId !== 700_001).map((s) => [`wb:${s.warehouseId}`, s.amount]),
    ...ym.stocks.filter((s) => s.code === code).map((s) => [`ym:${s.warehouseId}`, s.count]),
  ]);
}

/** The fakes' warehouse names, keyed like `fakeValues`. */
async function fakeWarehouseNames() {
  const ozon = await control.get<{ warehouses: { warehouse_id: number; name: string }[] }>('/ozon/_control/warehouses');
  const wb = await control.get<{ warehouses: { id: number; name: string }[] }>('/wb/_control/warehouses');
  const ym = await control.get<{ warehouses: { id: number; name: string }[] }>('/ym/_control/campaigns');
  return Object.fromEntries([
    ...ozon.warehouses.map((w) => [`ozon:${w.warehouse_id}`, w.name]),
    ...wb.warehouses.filter((w) => w.id !== 700_001).map((w) => [`wb:${w.id}`, w.name]),
    ...ym.warehouses.map((w) => [`ym:${w.id}`, w.name]),
  ]);
}

/** What the page shows per warehouse for one SKU: `marketplace:warehouseId` → {name, told}. */
function shownPushes(sku: string) {
  return row(sku).evaluate((tr) =>
    Object.fromEntries(
      [...tr.querySelectorAll('td[data-marketplace] li[data-warehouse]')].map((li) => [
        `${li.closest('td')!.getAttribute('data-marketplace')}:${li.getAttribute('data-warehouse')}`,
        { name: li.querySelector('.wh')?.textContent, told: li.querySelector('.told')?.textContent ?? null },
      ]),
    ),
  );
}

describe('the stock page API additions', () => {
  it('lists a SKU’s movements newest first, pages back with before=, and refuses bad input by name', async () => {
    const sku = 'DS-1004';
    expect((await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 9, reason: 'stock take' })).status).toBe(200);
    expect((await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { delta: -2, reason: 'broken in transit' })).status).toBe(
      200,
    );
    await control.post('/ozon/_control/postings', { items: [{ offer_id: sku, quantity: 1 }] });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ozon', kind: 'orders' });

    // The oracle is the ledger table itself.
    const { rows } = await pool.query(
      `SELECT m.id::text, m.kind::text, m.on_hand_delta AS "onHandDelta", m.reserved_delta AS "reservedDelta", m.marketplace, m.order_id AS "orderId",
         m.return_id AS "returnId", m.reason, m.created_at FROM stock_movements m JOIN marketplace_products p ON p.id = m.product_id WHERE p.sku = $1 ORDER BY m.id DESC`,
      [sku],
    );
    expect(rows.map((r) => r.kind).slice(0, 3)).toEqual(['reserve', 'adjustment', 'adjustment']);
    const all = await mp.api('GET', `/api/marketplaces/products/${sku}/movements`);
    expect(all.status).toBe(200);
    expect(all.body.sku).toBe(sku);
    expect(rows.length).toBeGreaterThan(2);
    expect(all.body.movements.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() }))).toEqual(
      rows.map(({ created_at, ...r }) => ({ ...r, createdAt: new Date(created_at).toISOString() })),
    );

    const first = await mp.api('GET', `/api/marketplaces/products/${sku}/movements?limit=2`);
    expect(first.body.movements.map((m) => m.id)).toEqual(rows.slice(0, 2).map((r) => r.id));
    const older = await mp.api('GET', `/api/marketplaces/products/${sku}/movements?limit=500&before=${first.body.movements[1]!.id}`);
    expect(older.body.movements.map((m) => m.id)).toEqual(rows.slice(2).map((r) => r.id));

    const missing = await mp.api('GET', '/api/marketplaces/products/NO-SUCH/movements');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toContain('NO-SUCH');
    const bad = await mp.api('GET', `/api/marketplaces/products/${sku}/movements?limit=0&before=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['before', 'limit']);

    // It is in the OpenAPI document like every route.
    const doc = await mp.api('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/api/marketplaces/products/{sku}/movements']!)).toEqual(['get']);
    expect(Object.keys(doc.body.paths['/api/marketplaces/warehouses']!)).toEqual(['get']);
  });

  it('filters products by counted, and lists the warehouses with their names', async () => {
    const { rows } = await pool.query(
      `SELECT p.sku, l.counted_at IS NOT NULL AS counted FROM marketplace_products p LEFT JOIN stock_levels l ON l.product_id = p.id ORDER BY p.sku`,
    );
    const uncounted = await mp.api('GET', '/api/marketplaces/products?counted=false&limit=500');
    expect(uncounted.body.products.map((p) => p.sku)).toEqual(rows.filter((r) => !r.counted).map((r) => r.sku));
    expect(uncounted.body.total).toBe(rows.filter((r) => !r.counted).length);
    const counted = await mp.api('GET', '/api/marketplaces/products?counted=true&limit=500');
    expect(counted.body.products.map((p) => p.sku)).toEqual(rows.filter((r) => r.counted).map((r) => r.sku));
    expect(counted.body.products.length).toBeGreaterThan(0);
    const bad = await mp.api('GET', '/api/marketplaces/products?counted=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'counted', message: 'must be true or false' }]);

    const { body } = await mp.api('GET', '/api/marketplaces/warehouses');
    const names = await fakeWarehouseNames();
    const active = body.warehouses.filter((w) => w.active);
    expect(Object.fromEntries(active.map((w) => [`${w.marketplace}:${w.warehouseId}`, w.name]))).toEqual(names);
    expect(body.warehouses.filter((w) => !w.active).map((w) => `${w.marketplace}:${w.warehouseId}`)).toEqual(['wb:700001']);
  });
});

describe('the stock page, used as a seller would', () => {
  it('loads only with the API key, and shows uncounted SKUs as such with a filter', async () => {
    expect((await fetch(`${mp.stack.gateway.url}/stock`)).status).toBe(401);
    await page.goto(`${mp.stack.gateway.url}/stock`);
    await row('DS-1005').waitFor();
    const { rows } = await pool.query(
      `SELECT p.sku, l.counted_at IS NOT NULL AS counted FROM marketplace_products p LEFT JOIN stock_levels l ON l.product_id = p.id ORDER BY p.sku`,
    );
    expect(await page.locator('#products tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sku')))).toEqual(
      rows.map((r) => r.sku),
    );
    // An uncounted SKU says so in words, not with a dash.
    await expect.poll(() => row('DS-1005').locator('td.on-hand').textContent()).toBe('not counted yet');
    expect(await row('DS-1005').locator('td.uncounted').textContent()).toContain('Not counted yet — never pushed');
    expect(await row('DS-1005').locator('td[data-marketplace]').count()).toBe(0);

    // The marketplace columns and the orders filter come from the API's list, in its order (the page holds none).
    const listed = await mp.api('GET', '/api/marketplaces');
    expect(listed.status).toBe(200);
    expect(listed.body.marketplaces).toEqual(Object.entries(NAMES).map(([id, name]) => ({ id, name })));
    const ids = listed.body.marketplaces.map((m) => m.id);
    const names = listed.body.marketplaces.map((m) => m.name);
    expect(
      await page.locator('#products thead th[data-marketplace]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-marketplace'))),
    ).toEqual(ids);
    expect(
      await page.locator('#products thead th[data-marketplace]').evaluateAll((ths) => ths.map((th) => th.firstChild?.textContent?.trim())),
    ).toEqual(names);
    expect(
      await page.locator('#order-marketplace option').evaluateAll((os) => os.map((o) => [o.getAttribute('value'), o.textContent])),
    ).toEqual([['', 'All'], ...listed.body.marketplaces.map((m) => [m.id, m.name])]);
    expect(await row('DS-1005').locator('td.uncounted').getAttribute('colspan')).toBe(String(1 + ids.length));

    await page.locator('#uncounted').check();
    const uncounted = rows.filter((r) => !r.counted).map((r) => r.sku);
    await page.locator('#product-count', { hasText: `${uncounted.length} uncounted products` }).waitFor();
    expect(await page.locator('#products tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sku')))).toEqual(uncounted);
    expect(uncounted.length).toBeLessThan(rows.length);
    // Search narrows it further.
    await page.locator('#search').fill('DS-100');
    const both = uncounted.filter((s) => s.includes('DS-100'));
    await waitFor(
      async () => {
        const shown = await page.locator('#products tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sku')));
        return JSON.stringify(shown) === JSON.stringify(both) ? true : undefined;
      },
      { what: 'uncounted SKUs matching DS-100' },
    );
    expect(both.length).toBeGreaterThan(0);
    expect(both.length).toBeLessThan(uncounted.length);
    await page.locator('#search').fill('');
    await page.locator('#uncounted').uncheck();
    await waitFor(async () => ((await page.locator('#products tbody tr').count()) === rows.length ? true : undefined), {
      what: 'every product again',
    });
  });

  it('counts a SKU from the keyboard and shows the push reach each warehouse, labelled', async () => {
    const sku = 'DS-1005';
    const quantity = row(sku).locator('input[name=quantity]');
    await quantity.focus();
    await page.keyboard.type('12');
    await page.keyboard.press('Tab');
    expect((await focused())[0]).toBe('reason');
    await page.keyboard.type('stock take');
    await page.keyboard.press('Enter');

    const message = row(sku).locator('.row-msg');
    await waitFor(async () => ((await message.textContent())?.startsWith('✓ Saved') ? true : undefined), { what: 'the row confirmation' });
    expect(await message.textContent()).toContain('on hand not counted → 12');
    // The focus stays where the seller was typing; the counted quantity is cleared, the reason kept for the next row.
    expect(await focused()).toEqual(['reason', sku]);
    expect(await quantity.inputValue()).toBe('');

    const product = await mp.product(sku);
    expect([product.onHand, product.counted]).toEqual([12, true]);
    expect(product.movements[0]).toMatchObject({ kind: 'adjustment', onHandDelta: 12, reason: 'stock take' });
    await fakesReach(sandbox.url, sku, product.available);
    const fake = await fakeValues(sku);
    const names = await fakeWarehouseNames();
    expect(Object.keys(fake).sort()).toEqual(Object.keys(names).sort());
    // The page shows, per marketplace and warehouse (named as the marketplace names it), what the fake now holds.
    const expected = Object.fromEntries(Object.entries(fake).map(([k, v]) => [k, { name: names[k], told: String(v) }]));
    await waitFor(
      async () =>
        JSON.stringify(sorted(Object.entries(await shownPushes(sku)))) === JSON.stringify(sorted(Object.entries(expected)))
          ? true
          : undefined,
      {
        what: 'the pushed values on the page',
      },
    );
    await waitFor(
      async () =>
        (await message.textContent())?.includes(`Now on all ${Object.keys(fake).length} marketplace warehouses.`) ? true : undefined,
      {
        what: 'the confirmation to say the push arrived',
      },
    );
    expect(await row(sku).locator('td.available').textContent()).toBe(String(product.available));
    expect(await row(sku).locator('td[data-marketplace="ozon"] li').first().getAttribute('aria-label')).toMatch(/^Ozon, .+: pushed \d+$/);
  });

  it('keeps a half-typed count through refreshes, then saves it; a count below zero is refused on the row', async () => {
    const sku = 'DS-1010';
    await row(sku).locator('input[name=quantity]').focus();
    await page.keyboard.type('7');
    await page.keyboard.press('Tab');
    await page.keyboard.type('recount after');
    // Meanwhile someone else moves this SKU: the refresh must redraw the row's stock and keep what is typed.
    expect(
      (await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 3, reason: 'count by a colleague' })).status,
    ).toBe(200);
    await nextRefreshes(2);
    expect(await row(sku).locator('td.on-hand').textContent()).toBe('3');
    expect(await row(sku).locator('input[name=quantity]').inputValue()).toBe('7');
    expect(await row(sku).locator('input[name=reason]').inputValue()).toBe('recount after');
    expect(await focused()).toEqual(['reason', sku]);
    await page.keyboard.type(' the delivery');
    await page.keyboard.press('Enter');
    await waitFor(async () => ((await mp.product(sku)).onHand === 7 ? true : undefined), { what: `${sku} counted 7` });
    expect((await mp.product(sku)).movements[0]).toMatchObject({
      kind: 'adjustment',
      onHandDelta: 4,
      reason: 'recount after the delivery',
    });
    await waitFor(async () => ((await row(sku).locator('.row-msg').textContent())?.includes('on hand 3 → 7') ? true : undefined), {
      what: 'the confirmation',
    });

    // A change that would leave less than nothing: the 409 is shown on this row, and nothing changes.
    await row(sku).locator('select[name=mode]').selectOption('delta');
    await row(sku).locator('input[name=quantity]').fill('-100');
    await row(sku).locator('input[name=reason]').fill('write-off');
    await row(sku).locator('input[name=quantity]').press('Enter');
    const alert = row(sku).locator('.row-msg[role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`✗ Not saved: ${sku}: on hand is 7; removing 100 would leave -93; nothing was changed`);
    expect(await row(sku).locator('input[name=quantity]').getAttribute('aria-invalid')).toBe('true');
    expect((await mp.product(sku)).onHand).toBe(7);
    // A bad value is refused on the page before any request.
    await row(sku).locator('input[name=reason]').fill('   ');
    await row(sku).locator('input[name=quantity]').fill('2');
    await row(sku).locator('button[type=submit]').click();
    await waitFor(async () => ((await row(sku).locator('.row-msg').textContent())?.includes('give a reason') ? true : undefined), {
      what: 'the reason error',
    });
  });

  it('shows a SKU’s movement history', async () => {
    const sku = 'DS-1010';
    await row(sku).locator('button.history').click();
    const dialog = page.locator('#history');
    await dialog.locator('tbody tr').first().waitFor();
    expect(await dialog.locator('#history-title').textContent()).toContain(sku);
    const { rows } = await pool.query(
      `SELECT m.kind::text, m.on_hand_delta, m.reserved_delta, m.reason, m.order_id, m.marketplace FROM stock_movements m JOIN marketplace_products p ON p.id = m.product_id
       WHERE p.sku = $1 ORDER BY m.id DESC`,
      [sku],
    );
    const shown = await dialog
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kind'), ...[...tr.cells].slice(2).map((c) => c.textContent)]));
    const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
    expect(shown).toEqual(
      rows.map((r) => [
        r.kind,
        signed(r.on_hand_delta),
        signed(r.reserved_delta),
        r.kind === 'adjustment' ? `“${r.reason}”` : `${NAMES[r.marketplace]} order ${r.order_id}`,
      ]),
    );
    expect(shown.slice(0, 2).map((r) => r[3])).toEqual(['“recount after the delivery”', '“count by a colleague”']);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-history.png') });
    await page.keyboard.press('Escape');
    expect(await dialog.evaluate((d) => d.open)).toBe(false);
  });

  it('shows a SKU’s allocation and edits its rules: the split shown is the hand-computed one, and the API holds the rules', async () => {
    const sku = 'DS-1007';
    // Available exactly 20, so every figure below can be worked out by hand.
    const reserved = (await mp.product(sku)).reserved;
    expect(
      (await mp.api('POST', `/api/marketplaces/products/${sku}/adjustments`, { onHand: 20 + reserved, reason: 'allocation' })).status,
    ).toBe(200);
    expect((await mp.product(sku)).available).toBe(20);
    const names = await fakeWarehouseNames();
    const [A, B] = ['1020003080073000', '22142605386000']; // Ozon's two warehouses, A first in string order
    expect(
      Object.keys(names)
        .filter((k) => k.startsWith('ozon:'))
        .sort(),
    ).toEqual([`ozon:${A}`, `ozon:${B}`]);
    const idsOf = (m: string) =>
      Object.keys(names)
        .filter((k) => k.startsWith(`${m}:`))
        .map((k) => k.slice(m.length + 1));

    await row(sku).locator('button.allocation').click();
    const dialog = page.locator('#allocation');
    const section = (m: string) => dialog.locator(`section[data-allocation-marketplace="${m}"]`);
    /** What the dialog shows each warehouse of one marketplace gets, and its name. */
    const shown = async (m: string) =>
      sorted(
        await section(m)
          .locator('tbody tr')
          .evaluateAll((trs) =>
            trs.map((tr) => [
              tr.getAttribute('data-warehouse'),
              tr.querySelector('th')?.textContent,
              tr.querySelector('td.gets')?.textContent,
            ]),
          ),
      );
    const expected = (m: string, gets: Record<string, number>) => sorted(idsOf(m).map((id) => [id, names[`${m}:${id}`], String(gets[id])]));
    const all = (m: string, n: number) => Object.fromEntries(idsOf(m).map((id) => [id, n]));

    // No rule yet: every warehouse is told the whole available figure.
    await expect.poll(() => shown('ozon'), { timeout: 15_000 }).toEqual(expected('ozon', all('ozon', 20)));
    for (const m of ['wb', 'ym']) expect(await shown(m)).toEqual(expected(m, all(m, 20)));

    const form = dialog.locator('#rule-form');
    const saved = async () => {
      await form.locator('button[type=submit]').click();
      await waitFor(async () => ((await dialog.locator('#rule-msg').textContent())?.startsWith('✓ Saved') ? true : undefined), {
        what: 'the rule saved',
      });
      await dialog.locator('#rule-msg').evaluate((m) => (m.textContent = ''));
    };
    // This SKU on Ozon, the whole pool: 5 units kept back, weight 1 on every warehouse.
    await form.locator('select[name=marketplace]').selectOption('ozon');
    await form.locator('select[name=warehouseId]').selectOption('');
    await form.locator('input[name=bufferUnits]').fill('5');
    await form.locator('input[name=weight]').fill('1');
    await saved();
    // pool 20 − 5 = 15, split 1:1 → 7 each, the one unit left goes to the smaller id (A).
    await expect.poll(() => shown('ozon'), { timeout: 15_000 }).toEqual(expected('ozon', { [A]: 8, [B]: 7 }));
    expect(await section('ozon').locator('.pool').textContent()).toBe('15');

    // Warehouse B for this SKU: weight 3, at most 10.
    await form.locator('select[name=warehouseId]').selectOption(B);
    expect(await form.locator('input[name=bufferUnits]').isDisabled()).toBe(true);
    await form.locator('input[name=weight]').fill('3');
    await form.locator('input[name=cap]').fill('10');
    await saved();
    // 15 split 1:3 → A 3 (remainder 3), B 11 (remainder 1); the unit left goes to A → 4; B capped at 10.
    await expect.poll(() => shown('ozon'), { timeout: 15_000 }).toEqual(expected('ozon', { [A]: 4, [B]: 10 }));
    // The other marketplaces are untouched.
    for (const m of ['wb', 'ym']) expect(await shown(m)).toEqual(expected(m, all(m, 20)));

    const rules = await mp.api('GET', `/api/marketplaces/rules?sku=${sku}`);
    type Rules = { rules: Record<string, unknown>[] };
    expect(rules.status).toBe(200);
    const settings = (r: Record<string, unknown>) => {
      const { updatedAt: _updatedAt, ...rest } = r;
      return rest;
    };
    expect(sorted((rules.body as unknown as Rules).rules.map(settings))).toEqual(
      sorted([
        { sku, marketplace: 'ozon', warehouseId: null, bufferUnits: 5, bufferPercent: null, cap: null, excluded: null, weight: 1 },
        { sku, marketplace: 'ozon', warehouseId: B, bufferUnits: null, bufferPercent: null, cap: 10, excluded: null, weight: 3 },
      ]),
    );
    // The saved rule started a push: the Ozon fake ends holding the split, the others the whole 20.
    await waitFor(
      async () => {
        const v = await fakeValues(sku);
        return v[`ozon:${A}`] === 4 && v[`ozon:${B}`] === 10 && idsOf('wb').every((id) => v[`wb:${id}`] === 20) ? v : undefined;
      },
      // Ozon takes one update per offer and warehouse every 30 s, so the last split may wait for it.
      { timeoutMs: 90_000, what: `${sku} split on the Ozon fake` },
    );

    // Removing the warehouse rule from the page brings back the 1:1 split.
    await dialog.locator('#rule-delete').click();
    await waitFor(async () => ((await dialog.locator('#rule-msg').textContent())?.startsWith('✓ Removed') ? true : undefined), {
      what: 'the rule removed',
    });
    await expect.poll(() => shown('ozon'), { timeout: 15_000 }).toEqual(expected('ozon', { [A]: 8, [B]: 7 }));
    expect(((await mp.api('GET', `/api/marketplaces/rules?sku=${sku}`)).body as unknown as Rules).rules.map((r) => r.warehouseId)).toEqual([
      null,
    ]);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-allocation.png') });
    await page.keyboard.press('Escape');
    expect(await dialog.evaluate((d) => d.open)).toBe(false);
  }, 150_000);

  it('lists orders with their own times, filtered by marketplace, stage and SKU', async () => {
    const posting = await control.post<{ posting_number: string }>('/ozon/_control/postings', {
      items: [{ offer_id: 'DS-1005', quantity: 2 }],
    });
    await mp.run('/api/marketplaces/poll', { marketplace: 'ozon', kind: 'orders' });
    await page.locator('#order-marketplace').selectOption('ozon');
    await page.locator('#order-stage').selectOption('reserved');
    const { rows } = await pool.query(
      `SELECT order_id, changed_at, created_at FROM marketplace_orders WHERE marketplace = 'ozon' AND stage = 'reserved' ORDER BY changed_at DESC NULLS LAST, order_id DESC LIMIT 50`,
    );
    const shownOrders = () =>
      page
        .locator('#orders tbody tr[data-order]')
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.getAttribute('data-order'),
            tr.querySelector('td.changed time')?.getAttribute('datetime'),
            tr.querySelector('td.created time')?.getAttribute('datetime'),
          ]),
        )
        .then((orders) =>
          orders.map(([id, changed, created]) => [
            id,
            changed && new Date(changed).toISOString(),
            created && new Date(created).toISOString(),
          ]),
        );
    const expected = rows.map((r) => [r.order_id, new Date(r.changed_at).toISOString(), new Date(r.created_at).toISOString()]);
    await waitFor(async () => (JSON.stringify(await shownOrders()) === JSON.stringify(expected) ? true : undefined), {
      what: 'the reserved Ozon orders',
    });
    // Each posting still in its first status shows its own time (when it was created, as the fake
    // says), not the time of the poll that first saw it.
    const fake = await control.get<{ postings: { posting_number: string; status: string; in_process_at: string }[] }>(
      '/ozon/_control/postings',
    );
    const first = fake.postings.filter((p) => p.status === 'awaiting_packaging' && expected.some((o) => o[0] === p.posting_number));
    expect(first.length).toBeGreaterThan(2);
    for (const p of first) expect(expected.find((o) => o[0] === p.posting_number)![1]).toBe(new Date(p.in_process_at).toISOString());
    expect(new Set(first.map((p) => p.in_process_at)).size).toBe(first.length);
    expect(first.map((p) => p.posting_number)).toContain(posting.posting_number);

    await page.locator('#order-sku').fill('DS-1005');
    const withSku = await pool.query(
      `SELECT o.order_id FROM marketplace_orders o WHERE o.marketplace = 'ozon' AND o.stage = 'reserved' AND EXISTS (SELECT 1 FROM marketplace_order_items i
         JOIN marketplace_products p ON p.id = i.product_id WHERE i.marketplace = o.marketplace AND i.order_id = o.order_id AND p.sku = 'DS-1005')`,
    );
    const wanted = withSku.rows.map((r) => r.order_id).sort();
    expect(wanted).toContain(posting.posting_number);
    expect(wanted.length).toBeLessThan(expected.length);
    await waitFor(
      async () => (JSON.stringify((await shownOrders()).map((o) => o[0]).sort()) === JSON.stringify(wanted) ? true : undefined),
      {
        what: 'only the reserved Ozon orders of DS-1005',
      },
    );
    expect(await page.locator(`#orders tr[data-order="${posting.posting_number}"]`).textContent()).toContain('DS-1005 × 2');
    // A SKU nobody ordered: the words saying there is none, not an empty table.
    await page.locator('#order-sku').fill('NOBODY-ORDERED-THIS');
    await page.locator('#orders tbody td.muted', { hasText: 'No order matches these filters.' }).waitFor();
    expect(await shownOrders()).toEqual([]);
  });

  it('shows what the marketplaces hold in their own warehouses (FBO), read only, beside what was pushed', async () => {
    const SKU = 'DS-1007';
    const put = async (path: string, body: unknown) => {
      const res = await fetch(`${sandbox.url}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    };
    const { rows: listing } = await pool.query<{ ids: { chrtId: string } }>(
      `SELECT l.ids FROM marketplace_listings l JOIN marketplace_products p ON p.id = l.product_id WHERE p.sku = $1 AND l.marketplace = 'wb'`,
      [SKU],
    );
    const { warehouses } = await control.get<{ warehouses: { warehouse_id: number; name: string }[] }>('/ozon/_control/fbo-warehouses');
    await put('/ozon/_control/fbo-stocks', {
      items: [{ offer_id: SKU, warehouse_id: warehouses[0]!.warehouse_id, available_stock_count: 31 }],
    });
    await put('/wb/_control/fbo-stocks', { items: [{ chrtId: Number(listing[0]!.ids.chrtId), quantity: 52, inWayToClient: 2 }] });
    await put('/ym/_control/fbo-stocks', { items: [{ offerId: SKU, warehouseId: 145, AVAILABLE: 17, FIT: 18 }] });
    for (const marketplace of ['ozon', 'wb', 'ym'])
      expect((await mp.run('/api/marketplaces/poll', { marketplace, kind: 'fbo' })).state).toBe('done');

    await page.goto(`${mp.stack.gateway.url}/stock`);
    await row(SKU).waitFor();
    const expected = [
      ['ozon', String(warehouses[0]!.warehouse_id), `Ozon · ${warehouses[0]!.name}`, '31'],
      ['wb', '-999999', 'Wildberries · Склад WB', '52'],
      ['ym', '145', 'Yandex Market · Маркет Софьино', '17'],
    ];
    const lines = () =>
      row(SKU)
        .locator('td.fbo li')
        .evaluateAll((lis) =>
          lis.map((li) => [
            li.getAttribute('data-fbo-marketplace'),
            li.getAttribute('data-fbo-warehouse'),
            li.querySelector('.wh')?.textContent,
            li.querySelector('.qty')?.textContent,
          ]),
        );
    await expect.poll(lines, { timeout: 30_000 }).toEqual(expected);
    expect(await row(SKU).locator('td.fbo').getAttribute('data-fbo-total')).toBe('100');
    expect(await page.locator('#fbo-header').textContent()).toContain('never pushed');
    // Read only: the cell offers nothing to type into or press, and the API's Available does not include it.
    expect(await row(SKU).locator('td.fbo input, td.fbo button, td.fbo select').count()).toBe(0);
    const api = await mp.api('GET', `/api/marketplaces/products?search=${SKU}`);
    const product = api.body.products.find((p) => p.sku === SKU)!;
    expect(product.available).toBeLessThan(100);
    await row(SKU).screenshot({ path: SCREENSHOT.replace(/\.png$/, '-fbo.png') });
  });

  it('looks right, and nothing it loads comes from anywhere but the gateway', async () => {
    await page.locator('#order-marketplace').selectOption('');
    await page.locator('#order-stage').selectOption('');
    await page.locator('#order-sku').fill('');
    await nextRefreshes(1);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // The first screen, as a seller sees it on opening the page.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-top.png') });
    await row('DS-1005').screenshot({ path: SCREENSHOT.replace(/\.png$/, '-counted.png') });
    const origin = new URL(mp.stack.gateway.url).origin;
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    // The stylesheet and the scripts were served by the gateway itself.
    for (const file of ['styles.css', 'main.js', 'products.js', 'orders.js', 'api.js', 'allocation.js'])
      expect(requests).toContain(`${origin}/stock/${file}`);
    // The only console error allowed is the 409 the test provoked (Chromium logs failed fetches).
    expect(consoleErrors.filter((e) => !e.includes('409'))).toEqual([]);
  });
});
