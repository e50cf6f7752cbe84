import { describe, expect, it } from 'vitest';
import type { ErrorAnswer, Schedule } from '@datasync/testkit';
import { allSources, gatewayClient, runBody, sourceWithDistinctParams, useBench } from './sources';
import { useWritten } from './written';

/**
 * Input that used to end in a 500 (a stack overflow, an int4 overflow in Postgres) is a 400 naming the
 * field, with no run row, no schedule and no job: bodies are bounded (GATEWAY_JSON_MAX_DEPTH 32,
 * GATEWAY_JSON_MAX_ITEMS 100,000, GATEWAY_JSON_MAX_STRING 100,000, the defaults) before anything
 * validates them; every_ms and on-hand stock stay within their int4 columns.
 */

const t = useBench();
const written = useWritten(t);
/** Whose runs and schedules: a source whose job takes parameters (the bounds are the same for all), and its first one. */
const some = sourceWithDistinctParams();
const { source, job } = runBody(some);
const param = Object.keys(some.params(0))[0]!;
/** Each source's own POST sync route whose body has a field, with that field. */
const postRoutes = allSources
  .map((s) => ({ route: s.route(s.params(0)), field: Object.keys(s.params(0))[0] }))
  .filter((r) => r.route.method === 'POST' && r.field !== undefined);

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
    expect(postRoutes.length).toBeGreaterThan(0);
    const cases: [string, string, string][] = [
      ['/api/runs', `{"source":"${source}","job":"${job}","params":${nested(5000)}}`, 'params.a.a'],
      ['/api/runs', `{"source":"${source}","job":"${job}","params":${nested(100_000)}}`, 'params.a.a'],
      ['/api/schedules', `{"source":"${source}","job":"${job}","everyMinutes":60,"params":${nested(5000)}}`, 'params.a.a'],
      ...postRoutes.map(({ route, field }): [string, string, string] => [route.path, `{"${field}":${nested(5000)}}`, `${field}.a.a`]),
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
    const atBound = await postText('/api/runs', `{"source":"${source}","job":"${job}","params":${nested(30)}}`);
    expect(atBound.status).toBe(400);
    expect(atBound.body.errors?.map((e) => e.field)).toContain(`params.${param}`);
    expect(await written()).toEqual(before);
  });

  it('a list longer than 100,000 items or a string longer than 100,000 characters: 400 naming the field', async () => {
    const before = await written();
    const long = await api().call<ErrorAnswer>('POST', '/api/runs', { source, job, params: { [param]: Array(100_001).fill(0) } });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([{ field: `params.${param}`, message: 'must hold at most 100000 items' }]);
    const text = await api().call<ErrorAnswer>('POST', '/api/schedules', {
      ...runBody(some),
      name: 'n'.repeat(100_001),
      everyMinutes: 60,
    });
    expect(text.status).toBe(400);
    expect(text.body.errors).toEqual([{ field: 'name', message: 'must be at most 100000 characters' }]);
    expect(await written()).toEqual(before);
  });

  it('a NUL character deep in a body is still named (the check is iterative now)', async () => {
    const before = await written();
    const res = await postText('/api/runs', `{"source":"${source}","job":"${job}","params":${nested(20, '"a\\u0000b"')}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: `params.${Array(20).fill('a').join('.')}`, message: 'must not contain a NUL character' }]);
    expect(await written()).toEqual(before);
  });

  it('everyMinutes past what every_ms (int4) holds: 400 naming everyMinutes, nothing stored', async () => {
    const before = await written();
    for (const everyMinutes of [35_792, 527_040]) {
      const res = await api().call<ErrorAnswer>('POST', '/api/schedules', { ...runBody(some), everyMinutes });
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'everyMinutes', message: expect.stringContaining('at most 35791') }]);
    }
    expect(await written()).toEqual(before);
    // The largest that fits is stored as given.
    const ok = await api().call<Schedule>('POST', '/api/schedules', { ...runBody(some), everyMinutes: 35_791 });
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
