import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsQueues } from '@datasync/queues';
import { sourceNames as sources } from '@datasync/sources';
import { gatewayClient, useBench } from './sources';
import type { ErrorAnswer, Schedule } from '@datasync/testkit';

/**
 * Input that used to end in a 500 (a stack overflow, an int4 overflow in Postgres) is a 400 naming the
 * field, with no run row, no schedule and no job: bodies are bounded (GATEWAY_JSON_MAX_DEPTH 32,
 * GATEWAY_JSON_MAX_ITEMS 100,000, GATEWAY_JSON_MAX_STRING 100,000, the defaults) before anything
 * validates them; every_ms and on-hand stock stay within their int4 columns.
 */

const t = useBench();
let redis: Redis;
let queues: Queue[];
beforeAll(() => {
  redis = new Redis(t.env.REDIS_URL!, { maxRetriesPerRequest: null });
  queues = [...sources, opsQueues.schedules].map((name) => new Queue(name, { connection: redis, prefix: t.env.REDIS_PREFIX }));
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  redis?.disconnect();
});

/** Everything a request could write: runs, locks, schedules, stock, jobs and schedulers of every queue. */
async function written() {
  const tables: Record<string, unknown[]> = {};
  for (const table of ['sync_runs', 'run_locks', 'schedules', 'stock_levels', 'stock_movements']) {
    tables[table] = (await t.pool.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;
  }
  const jobs: Record<string, unknown> = {};
  for (const q of queues)
    jobs[q.name] = { ids: (await q.getJobs()).map((j) => j.id).sort(), schedulers: (await q.getJobSchedulers()).map((s) => s.key).sort() };
  return { tables, jobs };
}

/** `{"a":{"a":… value}}` nested `depth` deep, as JSON text (JSON.stringify itself overflows on such a value). */
const nested = (depth: number, value = '"x"') => `${'{"a":'.repeat(depth)}${value}${'}'.repeat(depth)}`;

/** POSTs a JSON text as is. */
async function postText(path: string, json: string) {
  const res = await fetch(`${t.stack.gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as ErrorAnswer };
}

describe('bounded input', () => {
  const api = () => gatewayClient(t.stack.gateway.url);

  it('params nested 5000 (and 100,000) deep: 400 naming the field, on every route that takes a body', async () => {
    const before = await written();
    const cases: [string, string, string][] = [
      ['/api/runs', `{"source":"avito","job":"avito.user","params":${nested(5000)}}`, 'params.a.a'],
      ['/api/runs', `{"source":"avito","job":"avito.user","params":${nested(100_000)}}`, 'params.a.a'],
      ['/api/schedules', `{"source":"yclients","everyMinutes":60,"params":${nested(5000)}}`, 'params.a.a'],
      ['/api/yclients/sync', `{"companyId":${nested(5000)}}`, 'companyId.a.a'],
      ['/api/datawiz/sales', `{"sale_id":"S","name":"n","shops":[${nested(5000)}]}`, 'shops.0.a'],
    ];
    for (const [path, body, prefix] of cases) {
      const res = await postText(path, body);
      expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBe(400);
      expect(res.body.error?.code).toBe('invalid_request');
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]!.field.startsWith(prefix), res.body.errors![0]!.field.slice(0, 60)).toBe(true);
      expect(res.body.errors![0]!.message).toBe('nests objects or lists deeper than 32 levels');
    }
    // At the bound (the body is level 1, params 2, …, 32 in all) the body reaches validation as usual.
    const atBound = await postText('/api/runs', `{"source":"avito","job":"avito.user","params":${nested(30)}}`);
    expect(atBound.status).toBe(400);
    expect(atBound.body.errors?.map((e) => e.field)).toContain('params.user');
    expect(await written()).toEqual(before);
  });

  it('a list longer than 100,000 items or a string longer than 100,000 characters: 400 naming the field', async () => {
    const before = await written();
    const long = await api().call<ErrorAnswer>('POST', '/api/runs', { source: 'itresume', params: { start: Array(100_001).fill(0) } });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([{ field: 'params.start', message: 'must hold at most 100000 items' }]);
    const text = await api().call<ErrorAnswer>('POST', '/api/schedules', {
      source: 'yclients',
      name: 'n'.repeat(100_001),
      everyMinutes: 60,
    });
    expect(text.status).toBe(400);
    expect(text.body.errors).toEqual([{ field: 'name', message: 'must be at most 100000 characters' }]);
    expect(await written()).toEqual(before);
  });

  it('keeps large legitimate lists: a Datawiz promotion of 10,000 products (the most Datawiz takes at once) reaches its own validation and the client', async () => {
    const products = Array.from({ length: 10_000 }, (_, i) => String(100_000 + i));
    const res = await api().call<ErrorAnswer>('POST', '/api/datawiz/sales', {
      sale_id: 'BIG-1',
      name: 'Big',
      description: 'big',
      date_from: '2026-03-01',
      date_to: '2026-03-31',
      shops: ['1'],
      products,
    });
    // Not refused by the bounds: valid here, so it was sent to Datawiz (the sandbox), which knows none of these ids.
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.body.error?.code).toBe('upstream_rejected');
    expect(res.body.errors).toContainEqual({ field: 'products.9999.product_id', message: 'Object with product_id=109999 does not exist.' });
  });

  it('a NUL character deep in a body is still named (the check is iterative now)', async () => {
    const before = await written();
    const res = await postText('/api/runs', `{"source":"avito","job":"avito.user","params":${nested(20, '"a\\u0000b"')}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: `params.${Array(20).fill('a').join('.')}`, message: 'must not contain a NUL character' }]);
    expect(await written()).toEqual(before);
  });

  it('everyMinutes past what every_ms (int4) holds: 400 naming everyMinutes, nothing stored', async () => {
    const before = await written();
    for (const everyMinutes of [35_792, 527_040]) {
      const res = await api().call<ErrorAnswer>('POST', '/api/schedules', { source: 'yclients', params: { companyId: 1 }, everyMinutes });
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'everyMinutes', message: expect.stringContaining('at most 35791') }]);
    }
    expect(await written()).toEqual(before);
    // The largest that fits is stored as given.
    const ok = await api().call<Schedule>('POST', '/api/schedules', { source: 'yclients', params: { companyId: 1 }, everyMinutes: 35_791 });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.everyMinutes).toBe(35_791);
    expect((await t.pool.query('SELECT every_ms FROM schedules')).rows).toEqual([{ every_ms: 35_791 * 60_000 }]);
    expect((await api().call('DELETE', `/api/schedules/${ok.body.id}`)).status).toBe(200);
  });

  it('a stock adjustment past 2,147,483,647 on hand: 400 naming delta; stock, ledger and runs unchanged', async () => {
    const { rows } = await t.pool.query(`INSERT INTO marketplace_products (sku, name) VALUES ('BIG-STOCK', 'Screws') RETURNING id`);
    const productId = rows[0].id as number;
    await t.pool.query(`INSERT INTO stock_levels (product_id, on_hand, counted_at) VALUES ($1, 2147000000, now())`, [productId]);
    const level = () => t.pool.query('SELECT product_id, on_hand, reserved FROM stock_levels').then((r) => r.rows);
    const before = await written();
    const res = await api().call<ErrorAnswer>('POST', '/api/marketplaces/products/BIG-STOCK/adjustments', {
      delta: 1_000_000,
      reason: 'delivery',
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'delta', message: expect.stringContaining('more than the 2147483647 a SKU can hold') }]);
    expect(await level()).toEqual([{ product_id: productId, on_hand: 2_147_000_000, reserved: 0 }]);
    expect(await written()).toEqual(before);
    // Up to the bound exactly: stored, with its movement.
    const ok = await api().call('POST', '/api/marketplaces/products/BIG-STOCK/adjustments', { delta: 483_647, reason: 'delivery' });
    expect(ok.status, ok.text).toBe(200);
    expect(await level()).toEqual([{ product_id: productId, on_hand: 2_147_483_647, reserved: 0 }]);
    expect((await t.pool.query('SELECT product_id, kind, on_hand_delta, reason FROM stock_movements')).rows).toEqual([
      { product_id: productId, kind: 'adjustment', on_hand_delta: 483_647, reason: 'delivery' },
    ]);
  });
});
