import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '@datasync/gateway';
import { createLogger } from '@datasync/logger';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';
import type { OrError } from '@datasync/testkit';

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
/** A second gateway on the same Redis and Postgres: a retry may land on another gateway. */
let other: RunningGateway;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  // No worker: the push runs an adjustment starts stay queued; the ledger is what is looked at.
  stack = await startStack(testEnv(db.url, sandbox.url), { workers: [] });
  other = await startGateway(stack.config, createLogger({ name: 'other', level: 'silent' }));
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await pool.query(`INSERT INTO marketplace_products (sku, name) VALUES ('IDEM-1', 'Kettle'), ('IDEM-2', 'Teapot')`);
});
afterAll(async () => {
  await pool?.end();
  await other?.close();
  await stack?.close();
  await sandbox?.close();
  await db?.drop();
});

const adjust = async (gateway: string, sku: string, body: unknown, key?: string) => {
  const res = await fetch(`${gateway}/api/marketplaces/products/${sku}/adjustments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    body: (await res.json()) as OrError<Record<string, unknown>>,
  };
};
/** The whole ledger and stock of one SKU, every stored field but the generated id and time. */
const ledger = async (sku: string) => ({
  movements: (
    await pool.query(
      `SELECT m.kind, m.on_hand_delta, m.reserved_delta, m.marketplace, m.order_id, m.return_id, m.reason, m.run_id
       FROM stock_movements m JOIN marketplace_products p ON p.id = m.product_id WHERE p.sku = $1 ORDER BY m.id`,
      [sku],
    )
  ).rows,
  level: (
    await pool.query(
      'SELECT l.on_hand, l.reserved FROM stock_levels l JOIN marketplace_products p ON p.id = l.product_id WHERE p.sku = $1',
      [sku],
    )
  ).rows,
});
const movement = (delta: number, reason: string) => ({
  kind: 'adjustment',
  on_hand_delta: delta,
  reserved_delta: 0,
  marketplace: null,
  order_id: null,
  return_id: null,
  reason,
  run_id: null,
});

describe('Idempotency-Key on stock adjustments', () => {
  it('a retried adjustment with the same key applies once and answers the first answer, from any gateway', async () => {
    const first = await adjust(stack.gateway.url, 'IDEM-1', { delta: 5, reason: 'delivery 1' }, 'k-delivery-1');
    expect(first).toMatchObject({ status: 200, replayed: null });
    const again = await adjust(other.url, 'IDEM-1', { delta: 5, reason: 'delivery 1' }, 'k-delivery-1');
    expect(again).toEqual({ status: 200, replayed: 'true', body: first.body });
    expect(await ledger('IDEM-1')).toEqual({ movements: [movement(5, 'delivery 1')], level: [{ on_hand: 5, reserved: 0 }] });

    // Without a key a repeat is a second movement: what the key prevents.
    await adjust(stack.gateway.url, 'IDEM-1', { delta: 1, reason: 'no key' });
    await adjust(stack.gateway.url, 'IDEM-1', { delta: 1, reason: 'no key' });
    expect(await ledger('IDEM-1')).toEqual({
      movements: [movement(5, 'delivery 1'), movement(1, 'no key'), movement(1, 'no key')],
      level: [{ on_hand: 7, reserved: 0 }],
    });
  });

  it('the same key with another body is refused (422) and changes nothing', async () => {
    const before = await ledger('IDEM-1');
    const res = await adjust(other.url, 'IDEM-1', { delta: 50, reason: 'delivery 1' }, 'k-delivery-1');
    expect(res).toEqual({
      status: 422,
      replayed: null,
      body: {
        status: 'unprocessable',
        error: {
          code: 'idempotency_key_reused',
          message: 'Idempotency-Key k-delivery-1 was already used for another request (other body or query) on this route; use a new key',
        },
      },
    });
    expect(await ledger('IDEM-1')).toEqual(before);
  });

  it('ten copies sent at once to two gateways move stock once; the others are told it is in progress or get the answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        adjust(i % 2 ? other.url : stack.gateway.url, 'IDEM-2', { onHand: 40, reason: 'stock take' }, 'k-take-7'),
      ),
    );
    expect(await ledger('IDEM-2')).toEqual({ movements: [movement(40, 'stock take')], level: [{ on_hand: 40, reserved: 0 }] });
    const applied = answers.filter((a) => a.status === 200 && a.replayed === null);
    expect(applied).toHaveLength(1);
    for (const a of answers.filter((x) => x !== applied[0])) {
      if (a.status === 200) expect(a).toEqual({ ...applied[0], replayed: 'true' });
      else expect({ status: a.status, code: a.body.error?.code }).toEqual({ status: 409, code: 'idempotency_key_in_use' });
    }
  });

  it('a first attempt that failed is not remembered: the retry with the same key runs', async () => {
    const refused = await adjust(stack.gateway.url, 'IDEM-2', { delta: -1000, reason: 'too many' }, 'k-fix-1');
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('stock_below_zero');
    const fixed = await adjust(stack.gateway.url, 'IDEM-2', { delta: -1000, reason: 'too many' }, 'k-fix-1');
    expect(fixed.status).toBe(409);
    expect(fixed.replayed).toBeNull();
    expect((await ledger('IDEM-2')).level).toEqual([{ on_hand: 40, reserved: 0 }]);
  });

  it('a key that is not 1–255 visible characters is a 400 naming the header', async () => {
    const res = await adjust(stack.gateway.url, 'IDEM-2', { delta: 1, reason: 'x' }, 'x'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters (a UUID is a good key)' },
    ]);
  });
});
