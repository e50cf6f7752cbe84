import type pg from 'pg';
import type { DatawizFakeData } from '../datawiz/equal-to-source';
import { describeDeletes, spread, type Keys } from './harness';

/** Datawiz: shops, products and promotions (`/sale/`), each a complete pass of its collection per run. */
const PAGE_SIZE = 25;
const COLLECTIONS = { shops: 'shops', products: 'products', sales: 'sales' } as const;
const TABLE = { shops: ['datawiz_shops', 'shop_id'], products: ['datawiz_products', 'product_id'], sales: ['datawiz_sales', 'sale_id'] };
type Stream = keyof typeof COLLECTIONS;
const STREAMS = Object.keys(COLLECTIONS) as Stream[];

describeDeletes({
  source: 'datawiz',
  env: { DATAWIZ_PAGE_SIZE: String(PAGE_SIZE) },
  async prepare(t) {
    const data = () => t.control.get<DatawizFakeData>('/datawiz/_control/data');
    const removed = () => t.control.get<Keys>('/datawiz/_control/removed');
    const keysOf = (d: DatawizFakeData, s: Stream): string[] =>
      s === 'shops'
        ? d.shops.map((r) => r.shop_id)
        : s === 'products'
          ? d.products.map((r) => r.product_id)
          : d.sales.map((r) => r.sale_id);
    const stored = async (pool: pg.Pool, deleted: boolean): Promise<Keys> => {
      const out: Keys = {};
      for (const s of STREAMS) {
        const [table, key] = TABLE[s];
        out[s] = (
          await pool.query<{ k: string }>(`SELECT ${key} AS k FROM ${table} WHERE (deleted_at IS NOT NULL) = $1`, [deleted])
        ).rows.map((r) => r.k);
      }
      return out;
    };
    return {
      submit: { method: 'POST', path: '/api/datawiz/sync', body: {} },
      streams: STREAMS,
      async remove(streams = STREAMS) {
        const [now, gone] = await Promise.all([data(), removed()]);
        for (const s of streams as Stream[]) {
          const ids = spread(keysOf(now, s).sort(), gone[s] ?? [], s === 'shops' ? 1 : 3);
          await t.control.post('/datawiz/_control/remove', { collection: COLLECTIONS[s], ids });
        }
      },
      async restoreOne() {
        const gone = await removed();
        const back: Keys = {};
        for (const s of STREAMS) {
          const id = gone[s]![0];
          if (!id) continue;
          await t.control.post('/datawiz/_control/restore', { collection: COLLECTIONS[s], ids: [id] });
          back[s] = [id];
        }
        return back;
      },
      removedUpstream: removed,
      deletedHere: (pool) => stored(pool, true),
      liveHere: (pool) => stored(pool, false),
      // The products' pass fails on its last page: no product (and, never reached, no promotion) is deleted.
      lastPageStreams: ['products', 'sales'],
      async lastPageFault() {
        const pages = Math.ceil((await data()).counts.products / PAGE_SIZE);
        return { path: '/datawiz/api/v1/products/', method: 'GET', kind: 'status', status: 500, skip: pages - 1 };
      },
      kill: {
        delay: { path: '/datawiz/api/v1/', kind: 'delay', delayMs: 150 },
        // Mid-way through the products' pass (shops take 2 pages, products 12).
        ready: (run) => run.progress.stage === 'products' && Number(run.progress.page ?? 0) >= 3,
        firstPage: { prefix: '/datawiz/api/v1/products/', is: (r) => r.query.page === undefined },
      },
    };
  },
});
