import { expect } from 'vitest';
import { sourceWorker } from '../../helpers';
import type { ReliabilitySource } from '../../reliability/source';
import { datawizExpected, datawizStored, expectDatawizEqualToSource, type DatawizFakeData } from './equal-to-source';

/** Datawiz in the reliability suite (test/reliability). */
export const reliability: ReliabilitySource = {
  name: 'datawiz',
  app: 'worker-datawiz',
  start: sourceWorker('datawiz'),
  dataPath: '/datawiz/api/v1/',
  isPage: (r) => r.path.startsWith('/datawiz/api/v1/'),
  reauth: true,
  unauthorized: 'datawiz.token-expired',
  detectsEmptyPage: true,
  async env(control) {
    const creds = await control.get<{ client_id: string; client_secret: string; username: string; password: string }>(
      '/datawiz/_control/credentials',
    );
    return {
      DATAWIZ_CLIENT_ID: creds.client_id,
      DATAWIZ_CLIENT_SECRET: creds.client_secret,
      DATAWIZ_USERNAME: creds.username,
      DATAWIZ_PASSWORD: creds.password,
      DATAWIZ_PAGE_SIZE: '25',
    };
  },
  secrets: (env) => [env.DATAWIZ_CLIENT_SECRET!, env.DATAWIZ_PASSWORD!],
  async prepare(control, pool) {
    await pool.query('TRUNCATE datawiz_sale_products, datawiz_sale_shops, datawiz_sales, datawiz_products, datawiz_shops');
    return {
      submit: { method: 'POST', path: '/api/datawiz/sync', body: {} },
      expectEqual: () => expectDatawizEqualToSource(pool, control),
    };
  },
  job: 'datawiz.sync',
  // The job takes no parameters: one sync only.
  params: () => ({}),
  route: () => ({ method: 'POST', path: '/api/datawiz/sync', body: {} }),
  syncs: {
    count: () => Promise.resolve(1),
    make: (control, pool) =>
      Promise.resolve({ submits: [reliability.route({})], expectEqual: () => expectDatawizEqualToSource(pool, control) }),
  },
  tables: ['datawiz_sale_submissions'],
  async refuseCredentials(control) {
    // The token grant's body carries the client secret and password.
    await control.post('/datawiz/_control/expire-tokens');
    await control.addFault({ path: '/datawiz/api/o/token/', kind: 'status', status: 401, body: { error: 'invalid_client' } });
  },
  kill: { delayMs: 200, counts: { shops: 30, products: 300, sales: 120 } },
  malformed: {
    title: 'datawiz: a promotion whose key is an object and a shop without a name are skipped and counted; the rest equals the source',
    async check(t) {
      const target = await reliability.prepare(t.control, t.pool);
      await t.control.addFault([
        { path: '/datawiz/api/v1/sale', kind: 'corrupt', field: 'sale_id', value: { nested: true }, skip: 1, times: 1 },
        { path: '/datawiz/api/v1/shops', kind: 'corrupt', field: 'name', times: 1 },
      ]);
      const run = await t.api.finished(await t.api.submit(target.submit));
      expect(run.error ?? null).toBeNull();
      expect(run.state).toBe('done');
      expect(run.counts.skipped).toBe(2);
      expect(run.progress.lastSkipped).toMatch(/^sale page 2: sale_id: /);
      const data = await t.control.get<DatawizFakeData>('/datawiz/_control/data');
      const stored = await datawizStored(t.pool);
      expect(stored.sales.length).toBe(data.sales.length - 1);
      expect(stored.shops.length).toBe(data.shops.length - 1);
      // What is stored is exactly the source's rows (no half-parsed one).
      const keptSales = new Set(stored.sales.map((s) => s.sale_id));
      const keptShops = new Set(stored.shops.map((s) => s.shop_id));
      const expected = datawizExpected({
        ...data,
        sales: data.sales.filter((s) => keptSales.has(s.sale_id)),
        shops: data.shops.filter((s) => keptShops.has(s.shop_id)),
      });
      expect({ ...stored, sales: stored.sales.map((s) => ({ ...s, shops: s.shops.filter((id) => keptShops.has(id)) })) }).toEqual({
        ...expected,
        sales: expected.sales.map((s) => ({ ...s, shops: s.shops.filter((id) => keptShops.has(id)) })),
      });
    },
  },
};
