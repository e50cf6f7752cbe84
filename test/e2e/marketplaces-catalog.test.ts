import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { loadResolver } from '@datasync/stock-ledger';
import { importCatalog, type CatalogEntry, type Connector } from '@datasync/worker-marketplaces';
import { LISTINGS, type ListingSpec } from '@datasync/worker-marketplaces/listings';
import { createTestDatabase, type TestDatabase } from '../helpers';

/**
 * The catalogue job writes one `marketplace_listings` row per (product, marketplace), its keys
 * derived by the marketplace's connector. The connectors here answer fixed catalogues (the fakes'
 * own catalogue is imported by marketplaces.test.ts); what is looked at is what the job stores.
 */
let db: TestDatabase;
let pool: pg.Pool;
const log = createLogger({ name: 'catalog-test', level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const connector = (marketplace: Connector['marketplace'], listing: ListingSpec, entries: CatalogEntry[]): Connector => ({
  marketplace,
  listing,
  batchSize: 100,
  configured: true,
  warehouses: async () => [],
  catalog: async () => entries,
  orders: async function* () {},
  returns: async function* () {},
  push: async () => [],
});

const listings = async () =>
  (
    await pool.query(
      `SELECT p.sku, l.marketplace, l.listing_id, l.push_key, l.match_keys, l.ids
       FROM marketplace_listings l JOIN marketplace_products p ON p.id = l.product_id ORDER BY p.sku, l.marketplace`,
    )
  ).rows;

describe('catalogue import: one listing per (product, marketplace)', () => {
  it('joins the catalogues into listings, keeps a field a marketplace stops giving, and keeps a WB size on its product', async () => {
    await importCatalog(
      pool,
      [
        connector('ozon', LISTINGS.ozon, [
          { sku: 'A-1', join: 'sku', name: 'Tee, S', barcodes: ['460001'], ids: { offerId: 'A-1', productId: '11', sku: '21' } },
        ]),
        connector('wb', LISTINGS.wb, [
          {
            sku: 'A-S',
            join: 'barcode',
            name: 'Tee, S',
            barcodes: ['460001'],
            ids: { nmId: '41', chrtId: '51', barcode: '460001', vendorCode: 'A' },
          },
          {
            sku: 'CAP',
            join: 'barcode',
            name: 'Cap',
            barcodes: ['460009'],
            ids: { nmId: '42', chrtId: '52', barcode: '460009', vendorCode: 'CAP' },
          },
        ]),
        connector('ym', LISTINGS.ym, [
          { sku: 'A-1', join: 'sku', name: 'Tee, S', barcodes: ['460001'], ids: { offerId: 'A-1', marketSku: '31' } },
        ]),
      ],
      log,
    );
    expect(await listings()).toEqual([
      {
        sku: 'A-1',
        marketplace: 'ozon',
        listing_id: 'A-1',
        push_key: '11',
        match_keys: ['A-1', '21'],
        ids: { offerId: 'A-1', productId: '11', sku: '21' },
      },
      {
        sku: 'A-1',
        marketplace: 'wb',
        listing_id: '51',
        push_key: '51',
        match_keys: ['51', '460001'],
        ids: { nmId: '41', chrtId: '51', barcode: '460001', vendorCode: 'A' },
      },
      { sku: 'A-1', marketplace: 'ym', listing_id: 'A-1', push_key: 'A-1', match_keys: ['A-1'], ids: { offerId: 'A-1', marketSku: '31' } },
      {
        sku: 'CAP',
        marketplace: 'wb',
        listing_id: '52',
        push_key: '52',
        match_keys: ['52', '460009'],
        ids: { nmId: '42', chrtId: '52', barcode: '460009', vendorCode: 'CAP' },
      },
    ]);

    // Again, later: Ozon no longer names the FBS sku, the WB size has a new barcode (matching no
    // product), YM is not read. Nothing is lost; the size stays with the product it joined.
    await importCatalog(
      pool,
      [
        connector('ozon', LISTINGS.ozon, [
          { sku: 'A-1', join: 'sku', name: 'Tee, S', barcodes: [], ids: { offerId: 'A-1', productId: '11', sku: null } },
        ]),
        connector('wb', LISTINGS.wb, [
          {
            sku: 'A-S',
            join: 'barcode',
            name: 'Tee, S',
            barcodes: ['460777'],
            ids: { nmId: '41', chrtId: '51', barcode: '460777', vendorCode: 'A' },
          },
        ]),
      ],
      log,
    );
    expect(await listings()).toEqual([
      {
        sku: 'A-1',
        marketplace: 'ozon',
        listing_id: 'A-1',
        push_key: '11',
        match_keys: ['A-1', '21'],
        ids: { offerId: 'A-1', productId: '11', sku: '21' },
      },
      {
        sku: 'A-1',
        marketplace: 'wb',
        listing_id: '51',
        push_key: '51',
        match_keys: ['51', '460777'],
        ids: { nmId: '41', chrtId: '51', barcode: '460777', vendorCode: 'A' },
      },
      { sku: 'A-1', marketplace: 'ym', listing_id: 'A-1', push_key: 'A-1', match_keys: ['A-1'], ids: { offerId: 'A-1', marketSku: '31' } },
      {
        sku: 'CAP',
        marketplace: 'wb',
        listing_id: '52',
        push_key: '52',
        match_keys: ['52', '460009'],
        ids: { nmId: '42', chrtId: '52', barcode: '460009', vendorCode: 'CAP' },
      },
    ]);
    expect((await pool.query('SELECT sku, name, barcode FROM marketplace_products ORDER BY sku')).rows).toEqual([
      { sku: 'A-1', name: 'Tee, S', barcode: '460001' },
      { sku: 'CAP', name: 'Cap', barcode: '460009' },
    ]);

    // Order and return lines find the product by any of its listing's match keys.
    const ids = new Map(
      (await pool.query<{ sku: string; id: number }>('SELECT sku, id FROM marketplace_products')).rows.map((r) => [r.sku, r.id]),
    );
    const ozon = await loadResolver(pool, 'ozon');
    const wb = await loadResolver(pool, 'wb');
    expect([ozon('A-1'), ozon('21'), ozon('11'), wb('51'), wb('460777'), wb('460001'), wb('460009')]).toEqual([
      ids.get('A-1'),
      ids.get('A-1'),
      undefined,
      ids.get('A-1'),
      ids.get('A-1'),
      undefined,
      ids.get('CAP'),
    ]);
  });
});
