import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPropagationStack } from '@datasync/bench';
import type { RunningSandbox } from '@datasync/sandbox';
import { waitFor, type Run } from '@datasync/testkit';
import { createTestDatabase, sandboxControl, startTestSandbox, type TestDatabase } from '../../helpers';
import { asSet, fakeOrders, ledgerOrders, ledgerStates } from './ledger-equals-fakes';

/**
 * Issue #22 end to end: the Ozon and YM fakes push their order events to the gateway through every
 * fault the sandbox has (drops, duplicates, reordering, a slow receiver); WB is polled only. The
 * faults are proven from the sandbox's read-back first, then: nothing dropped reached the receiver
 * or the ledger, duplicates left one ledger movement, and after the reconciliation poll the ledger's
 * orders equal the fakes' (as sets, every compared field) and every fake was told the ledger's stock.
 */
/** A poll of a push-enabled cabinet reads in full only this long after its last full poll. */
const RECONCILE_MS = 4_000;

interface PushEventReport {
  seq: number;
  type: string;
  key: string;
  fate: string;
  duplicated: number;
  deliveries: { ok: boolean; timedOut: boolean; attempt: number }[];
}
interface PushReport {
  pending: number;
  suspended: boolean;
  summary: { dropped: number[]; suspended: number[]; duplicated: number[]; reordered: number[]; timedOut: number; failed: number };
  events: PushEventReport[];
}

let db: TestDatabase;
let sandbox: RunningSandbox;
let pool: pg.Pool;
let mp: Awaited<ReturnType<typeof startPropagationStack>>;
let control: ReturnType<typeof sandboxControl>;
const prefix = { ozon: '/ozon', ym: '/ym' } as const;

const poll = async (marketplace: 'ozon' | 'wb' | 'ym') => {
  const id = await mp.client.submit({
    method: 'POST',
    path: '/api/marketplaces/poll',
    body: { marketplace, connectionId: mp.connections[marketplace] },
  });
  return (await mp.client.finished(id, 120_000)) as Run & { progress?: { idle?: boolean } };
};
const settled = (m: 'ozon' | 'ym') =>
  waitFor(
    async () => {
      const r = await control.get<PushReport>(`${prefix[m]}/_control/push`);
      return r.pending === 0 ? r : undefined;
    },
    { timeoutMs: 30_000, what: `${m} pushes settled` },
  );
const q = async <T>(sql: string, params: unknown[]) => (await pool.query(sql, params)).rows as T[];

describe('marketplace pushes through drops, duplicates, reordering and a slow receiver', () => {
  let codes: string[];
  beforeAll(async () => {
    db = await createTestDatabase();
    sandbox = await startTestSandbox();
    control = sandboxControl(sandbox.url);
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    mp = await startPropagationStack(db.url, sandbox, { MARKETPLACES_RECONCILE_INTERVAL_MS: String(RECONCILE_MS) });
    const catalog = await control.get<{ items: { code: string; cargoType: number }[] }>('/ozon/_control/catalog');
    codes = catalog.items
      .filter((i) => i.cargoType !== 3)
      .map((i) => i.code)
      .slice(0, 4);
    for (const code of codes) {
      const res = await mp.client.call('POST', `/api/marketplaces/products/${encodeURIComponent(code)}/adjustments`, {
        onHand: 30,
        reason: 'count',
      });
      expect(res.status, res.text).toBe(200);
    }
    // The first full poll of each cabinet (the seeded orders): from here on, pushes bring the news.
    for (const m of ['ozon', 'ym', 'wb'] as const) expect((await poll(m)).state).toBe('done');
  }, 180_000);

  afterAll(async () => {
    await mp?.stack.close();
    await pool?.end();
    await sandbox?.close();
    await db?.drop();
  });

  it('proves every fault from the read-back, then the ledger ends equal to the fakes after the reconciliation poll', async () => {
    const faults = { drop: 0.15, dropNext: 1, duplicates: 0.3, duplicateNext: 1, reorder: true, reorderWindow: 3, retryDelayMs: 50 };
    // Slow: a quarter of Ozon's deliveries count 6 s (over its 5 s), of YM's 15 s (over its 10 s).
    await control.post('/ozon/_control/push', { url: mp.receivers.ozon, seed: 7, ...faults, slowMs: 6_000, slow: 0.25 });
    await control.post('/ym/_control/push', { url: mp.receivers.ym, seed: 8, ...faults, slowMs: 15_000, slow: 0.25 });

    const postings: string[] = [];
    const orders: number[] = [];
    for (let i = 0; i < 8; i++) {
      const code = codes[i % codes.length]!;
      postings.push(
        (await control.post<{ posting_number: string }>('/ozon/_control/postings', { items: [{ offer_id: code, quantity: 1 }] }))
          .posting_number,
      );
      orders.push((await control.post<{ orderId: number }>('/ym/_control/orders', { items: [{ offerId: code, count: 1 }] })).orderId);
    }
    // The first order of each is left alone (its creation push is the dropped one); later ones move on.
    await control.post(`/ozon/_control/postings/${postings[4]}/status`, { status: 'cancelled' });
    await control.post(`/ozon/_control/postings/${postings[5]}/status`, { status: 'awaiting_deliver' });
    await control.post(`/ozon/_control/postings/${postings[6]}/status`, { status: 'delivering' });
    await control.post(`/ym/_control/orders/${orders[4]}/status`, { status: 'CANCELLED' });
    await control.post(`/ym/_control/orders/${orders[5]}/status`, { status: 'PROCESSING', substatus: 'SHIPPED' });
    const wbChrt = (await control.get<{ items: { code: string; wb: { chrtId: number } }[] }>('/wb/_control/catalog')).items.find(
      (i) => i.code === codes[0],
    )!;
    await control.post('/wb/_control/orders', { items: [{ chrtId: wbChrt.wb.chrtId, quantity: 1 }] });

    const report = { ozon: await settled('ozon'), ym: await settled('ym') };
    const lost: Record<'ozon' | 'ym', string[]> = { ozon: [], ym: [] };
    for (const m of ['ozon', 'ym'] as const) {
      const r = report[m];
      // 1. The faults happened (the sandbox's own record).
      expect(r.summary.dropped.length, `${m} dropped`).toBeGreaterThan(0);
      expect(r.summary.duplicated.length, `${m} duplicated`).toBeGreaterThan(0);
      expect(r.summary.reordered.length, `${m} reordered`).toBeGreaterThan(0);
      expect(r.summary.timedOut, `${m} slow answers`).toBeGreaterThan(0);
      // Orders none of whose events was ever sent: only a full poll can bring them.
      const byKey = new Map<string, PushEventReport[]>();
      for (const e of r.events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
      lost[m] = [...byKey].filter(([, es]) => es.every((e) => e.deliveries.length === 0)).map(([k]) => k);
      expect(lost[m].length, `${m} orders with every event dropped`).toBeGreaterThan(0);
      console.log(`${m} push faults (sandbox read-back): ${JSON.stringify(r.summary)}; orders never pushed: ${lost[m].join(', ')}`);
    }

    // 2. The receivers' targeted polls are done; the lost orders reached neither the receiver nor the ledger.
    await waitFor(async () => (await q('SELECT 1 FROM marketplace_push_events WHERE polled_at IS NULL', [])).length === 0, {
      timeoutMs: 60_000,
      what: 'targeted polls of every stored push',
    });
    for (const m of ['ozon', 'ym'] as const) {
      const conn = mp.connections[m];
      expect(
        await q('SELECT order_id FROM marketplace_push_events WHERE connection_id = $1 AND order_id = ANY($2)', [conn, lost[m]]),
      ).toEqual([]);
      expect(await q('SELECT order_id FROM marketplace_orders WHERE connection_id = $1 AND order_id = ANY($2)', [conn, lost[m]])).toEqual(
        [],
      );
      // 3. A duplicated or re-sent event is stored once, and moved the ledger once per line and step.
      const repeated = report[m].events.filter((e) => e.duplicated > 0 || e.deliveries.length > 1);
      expect(repeated.length).toBeGreaterThan(0);
      for (const e of repeated) {
        const stored = await q<{ n: number }>(
          'SELECT count(*)::int AS n FROM marketplace_push_events WHERE connection_id = $1 AND order_id = $2 AND message_type = $3',
          [conn, e.key, e.type],
        );
        expect(stored[0]!.n, `${m} ${e.type} ${e.key} stored`).toBe(1);
        const moves = await q<{ kind: string; n: number }>(
          'SELECT kind::text, count(*)::int AS n FROM stock_movements WHERE connection_id = $1 AND order_id = $2 GROUP BY kind',
          [conn, e.key],
        );
        for (const mv of moves) expect(mv.n, `${m} ${e.key} ${mv.kind}`).toBe(1);
      }
    }

    // 4. The reconciliation: a poll after the interval reads in full and brings the lost orders.
    await new Promise((r) => setTimeout(r, RECONCILE_MS + 200));
    for (const m of ['ozon', 'ym', 'wb'] as const) {
      const run = await poll(m);
      expect(run.state).toBe('done');
      expect(run.progress?.idle, `${m} poll read in full`).not.toBe(true);
    }
    for (const m of ['ozon', 'ym'] as const) {
      const conn = mp.connections[m];
      expect(asSet(await ledgerOrders(pool, conn, m))).toEqual(asSet(await fakeOrders(control, m)));
      const mine = m === 'ozon' ? postings : orders.map(String);
      const cancelled = mine[4]!;
      const shipped = mine[m === 'ozon' ? 6 : 5]!;
      const expected = new Set(mine.map((id) => `${id} ${id === cancelled ? 'released' : id === shipped ? 'consumed' : 'reserved'}`));
      expect(await ledgerStates(pool, conn, m, mine)).toEqual(expected);
    }
    // 5. Every fake was told what the ledger holds for each counted SKU.
    const levels = await q<{ sku: string; available: number }>(
      `SELECT p.sku, l.on_hand - l.reserved AS available FROM stock_levels l JOIN marketplace_products p ON p.id = l.product_id WHERE p.sku = ANY($1)`,
      [codes],
    );
    expect(levels).toHaveLength(codes.length);
    for (const { sku, available } of levels) {
      await waitFor(
        async () => {
          const rows = [
            ...(await control.get<{ stocks: { code: string; stock: number }[] }>('/ozon/_control/stocks')).stocks
              .filter((s) => s.code === sku)
              .map((s) => s.stock),
            ...(await control.get<{ stocks: { code: string; count: number }[] }>('/ym/_control/stocks')).stocks
              .filter((s) => s.code === sku)
              .map((s) => s.count),
            ...(await control.get<{ stocks: { code: string; amount: number; warehouseId: number }[] }>('/wb/_control/stocks')).stocks
              .filter((s) => s.code === sku && s.warehouseId !== 700_001)
              .map((s) => s.amount),
          ];
          return rows.length >= 3 && rows.every((v) => v === available);
        },
        { timeoutMs: 60_000, what: `${sku} = ${available} on every fake` },
      );
    }
  }, 240_000);

  it('Ozon pauses pushes to a receiver that keeps answering too slowly; the reconciliation poll brings what it never sent', async () => {
    // Every delivery counts 6 s (over Ozon's 5 s): after 6 failures in a row the endpoint is paused.
    await control.post('/ozon/_control/push', { url: mp.receivers.ozon, slowMs: 6_000, slow: 1, retries: 0 });
    const made: string[] = [];
    for (let i = 0; i < 9; i++)
      made.push(
        (
          await control.post<{ posting_number: string }>('/ozon/_control/postings', {
            items: [{ offer_id: codes[i % codes.length]!, quantity: 1 }],
          })
        ).posting_number,
      );
    const r = await settled('ozon');
    expect(r.suspended).toBe(true);
    expect(r.summary.timedOut).toBe(6);
    const paused = r.events.filter((e) => e.fate === 'suspended').map((e) => e.key);
    expect(paused).toEqual(made.slice(6));
    // The slow deliveries did arrive (the receiver answered, too late for Ozon); the paused ones never did.
    await waitFor(async () => (await q('SELECT 1 FROM marketplace_push_events WHERE polled_at IS NULL', [])).length === 0, {
      timeoutMs: 60_000,
      what: 'targeted polls',
    });
    const conn = mp.connections.ozon;
    const stored = await q<{ order_id: string }>(
      'SELECT DISTINCT order_id FROM marketplace_push_events WHERE connection_id = $1 AND order_id = ANY($2)',
      [conn, made],
    );
    expect(new Set(stored.map((x) => x.order_id))).toEqual(new Set(made.slice(0, 6)));
    expect(await q('SELECT order_id FROM marketplace_orders WHERE connection_id = $1 AND order_id = ANY($2)', [conn, paused])).toEqual([]);

    await new Promise((res) => setTimeout(res, RECONCILE_MS + 200));
    const run = await poll('ozon');
    expect(run.state).toBe('done');
    expect(asSet(await ledgerOrders(pool, conn, 'ozon'))).toEqual(asSet(await fakeOrders(control, 'ozon')));
    expect(await ledgerStates(pool, conn, 'ozon', made)).toEqual(new Set(made.map((id) => `${id} reserved`)));
  }, 120_000);
});
