import type pg from 'pg';
import { marketplaceEnv } from '../../helpers/marketplaces';
import { expect, it } from 'vitest';
import { describeDeletes, spread, type Keys } from './harness';

interface Products {
  total: number;
  products: { sku: string; deletedAt: string | null }[];
}

/**
 * Marketplaces: one catalogue pass reads Ozon, Wildberries and Yandex Market whole. A listing is
 * deleted when its marketplace's catalogue no longer lists the good; a product when no marketplace does.
 */
const FAKES = { ozon: '/ozon', wb: '/wb', ym: '/ym' } as const;
type Marketplace = keyof typeof FAKES;
const MARKETS = Object.keys(FAKES) as Marketplace[];

describeDeletes({
  source: 'marketplaces',
  setup: { app: 'worker-marketplaces', env: marketplaceEnv },
  async prepare(t) {
    const codes = (await t.control.get<{ items: { code: string }[] }>('/ozon/_control/catalog')).items.map((i) => i.code).sort();
    const removedOn = async () =>
      Object.fromEntries(
        await Promise.all(
          MARKETS.map(
            async (m) => [m, (await t.control.get<{ removed: string[] }>(`${FAKES[m]}/_control/catalog/removed`)).removed] as const,
          ),
        ),
      ) as Record<Marketplace, string[]>;
    const removed = async (): Promise<Keys> => {
      const on = await removedOn();
      return {
        listings: MARKETS.flatMap((m) => on[m].map((code) => `${m}:${code}`)),
        products: codes.filter((code) => MARKETS.every((m) => on[m].includes(code))),
      };
    };
    const stored = async (pool: pg.Pool, deleted: boolean): Promise<Keys> => ({
      listings: (
        await pool.query<{ k: string }>(
          `SELECT l.marketplace || ':' || p.sku AS k FROM marketplace_listings l JOIN marketplace_products p ON p.id = l.product_id
           WHERE (l.deleted_at IS NOT NULL) = $1`,
          [deleted],
        )
      ).rows.map((r) => r.k),
      products: (
        await pool.query<{ k: string }>('SELECT sku AS k FROM marketplace_products WHERE (deleted_at IS NOT NULL) = $1', [deleted])
      ).rows.map((r) => r.k),
    });
    const take = (m: Marketplace, action: 'remove' | 'restore', list: string[]) =>
      t.control.post(`${FAKES[m]}/_control/catalog/${action}`, { codes: list });
    return {
      submit: { method: 'POST', path: '/api/marketplaces/catalog', body: {} },
      streams: ['listings', 'products'],
      // Each time: one good delisted from Wildberries only (its listing there goes), one from every marketplace (the product goes).
      async remove() {
        const on = await removedOn();
        const [wbOnly, everywhere] = spread(
          codes,
          MARKETS.flatMap((m) => on[m]),
          2,
        );
        await take('wb', 'remove', [wbOnly!]);
        for (const m of MARKETS) await take(m, 'remove', [everywhere!]);
      },
      async restoreOne() {
        const code = (await removed()).products![0]!;
        for (const m of MARKETS) await take(m, 'restore', [code]);
        return { products: [code], listings: MARKETS.map((m) => `${m}:${code}`) };
      },
      removedUpstream: removed,
      deletedHere: (pool) => stored(pool, true),
      liveHere: (pool) => stored(pool, false),
      // Yandex Market's offer mappings (one page) are the last page the catalogue pass reads.
      lastPageStreams: ['listings', 'products'],
      lastPageFault: () => Promise.resolve({ path: '/ym/v2/businesses/', method: 'POST', kind: 'status', status: 500 }),
      kill: {
        // Every catalogue request slow: the pass is mid-way (its reads under way) once the run is held.
        delay: { path: '/', kind: 'delay', delayMs: 700 },
        ready: () => true,
      },
    };
  },
  reads(t, scope) {
    it('the products routes leave out deleted products unless includeDeleted=true; a bad includeDeleted is a 400 naming it', async () => {
      const gone = (await scope().removedUpstream()).products!;
      expect(gone.length, 'goods delisted everywhere').toBeGreaterThan(0);
      const list = async (query: string) => (await t.api.call<Products>('GET', `/api/marketplaces/products?limit=500${query}`)).body;
      const shown = await list('');
      const all = await list('&includeDeleted=true');
      expect(shown.products.map((p) => p.sku).sort()).toEqual(
        all.products
          .map((p) => p.sku)
          .filter((sku) => !gone.includes(sku))
          .sort(),
      );
      expect(shown.total).toBe(all.total - gone.length);
      expect(
        all.products
          .filter((p) => p.deletedAt !== null)
          .map((p) => p.sku)
          .sort(),
      ).toEqual([...gone].sort());

      const sku = encodeURIComponent(gone[0]!);
      expect((await t.api.call('GET', `/api/marketplaces/products/${sku}`)).status).toBe(404);
      const one = await t.api.call<{ sku: string; deletedAt: string | null }>(
        'GET',
        `/api/marketplaces/products/${sku}?includeDeleted=true`,
      );
      expect(one.status).toBe(200);
      expect(one.body.deletedAt).not.toBeNull();

      for (const path of ['/api/marketplaces/products?includeDeleted=1', `/api/marketplaces/products/${sku}?includeDeleted=TRUE`]) {
        const bad = await t.api.call<{ errors?: unknown }>('GET', path);
        expect(bad.status, path).toBe(400);
        expect(bad.body.errors, path).toEqual([{ field: 'includeDeleted', message: 'must be true or false' }]);
      }
    });
  },
});
