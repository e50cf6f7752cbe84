import type pg from 'pg';
import { ozonStage, ymStage } from '@datasync/worker-marketplaces';
import type { SandboxControl } from '@datasync/testkit';

/** One order as a comparable row: what the ledger stores of it, and what the fake says it is. */
export interface OrderRow {
  order_id: string;
  status: string;
  substatus: string | null;
  stage: string;
  /** `sku×quantity` per line, sorted. */
  lines: string;
}

interface OzonPosting {
  posting_number: string;
  status: string;
  cancellation: { cancelled_after_ship: boolean };
  products: { offer_id: string; quantity: number }[];
}
interface YmOrder {
  orderId: number;
  status: string;
  substatus: string;
  items: { offerId: string; count: number }[];
}

const lines = (xs: [string, number][]) =>
  xs
    .map(([sku, q]) => `${sku}×${q}`)
    .sort()
    .join(',');
export const asSet = (rows: OrderRow[]) => new Set(rows.map((r) => JSON.stringify(r)));

/** Every posting / order the fake holds for account `a`, as the ledger should hold it. */
export async function fakeOrders(control: SandboxControl, marketplace: 'ozon' | 'ym'): Promise<OrderRow[]> {
  if (marketplace === 'ozon') {
    const { postings } = await control.get<{ postings: OzonPosting[] }>('/ozon/_control/postings');
    return postings.map((p) => ({
      order_id: p.posting_number,
      status: p.status,
      substatus: null,
      stage: ozonStage({ status: p.status, cancellation: p.cancellation } as Parameters<typeof ozonStage>[0]),
      lines: lines(p.products.map((l) => [l.offer_id, l.quantity])),
    }));
  }
  const { orders } = await control.get<{ orders: YmOrder[] }>('/ym/_control/orders');
  return orders.map((o) => ({
    order_id: String(o.orderId),
    status: o.status,
    substatus: o.substatus,
    stage: ymStage(o.status, o.substatus),
    lines: lines(o.items.map((l) => [l.offerId, l.count])),
  }));
}

/** The ledger's orders of one connection, in the same shape (Ozon's substatus is not compared: the fake's is its own reading). */
export async function ledgerOrders(pool: pg.Pool, connectionId: string, marketplace: 'ozon' | 'ym'): Promise<OrderRow[]> {
  const { rows } = await pool.query<OrderRow>(
    `SELECT o.order_id, o.status, CASE WHEN o.marketplace = 'ym' THEN o.substatus END AS substatus, o.stage,
            string_agg(i.marketplace_sku || '×' || i.quantity, ',' ORDER BY i.marketplace_sku || '×' || i.quantity) AS lines
       FROM marketplace_orders o
       JOIN marketplace_order_items i USING (marketplace, order_id, connection_id)
      WHERE o.connection_id = $1 AND o.marketplace = $2
      GROUP BY o.order_id, o.status, o.substatus, o.stage, o.marketplace`,
    [connectionId, marketplace],
  );
  return rows;
}

/** How far the ledger moved each line of the given orders: `order line-state` rows. */
export async function ledgerStates(pool: pg.Pool, connectionId: string, marketplace: string, orderIds: string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ s: string }>(
    `SELECT order_id || ' ' || ledger_state AS s FROM marketplace_order_items WHERE connection_id = $1 AND marketplace = $2 AND order_id = ANY($3)`,
    [connectionId, marketplace, orderIds],
  );
  return new Set(rows.map((r) => r.s));
}
