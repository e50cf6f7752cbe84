import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTINGS } from '@datasync/worker-marketplaces/listings';
import { adminQuery, databaseUrl, TEST_DB_PREFIX } from '../helpers';

/**
 * The `marketplace_listings` migration moves every id of the wide `marketplace_products` columns into
 * listing rows: a scratch database gets every migration before it, wide rows, then the migration.
 */
const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
const MIGRATION = readdirSync(MIGRATIONS).find((d) => d.endsWith('_marketplace_listings'))!;
const before = readdirSync(MIGRATIONS)
  .filter((d) => /^\d{14}_/.test(d) && d < MIGRATION)
  .sort();
const sql = (dir: string) => readFileSync(path.join(MIGRATIONS, dir, 'migration.sql'), 'utf8');

/** The wide columns, as the products were before. */
interface WideRow {
  sku: string;
  name: string;
  barcode: string | null;
  ozon_offer_id: string | null;
  ozon_product_id: string | null;
  ozon_sku: string | null;
  wb_nm_id: string | null;
  wb_chrt_id: string | null;
  wb_barcode: string | null;
  wb_vendor_code: string | null;
  ym_offer_id: string | null;
  ym_market_sku: string | null;
}
const none = {
  barcode: null,
  ozon_offer_id: null,
  ozon_product_id: null,
  ozon_sku: null,
  wb_nm_id: null,
  wb_chrt_id: null,
  wb_barcode: null,
  wb_vendor_code: null,
  ym_offer_id: null,
  ym_market_sku: null,
};
const wide: WideRow[] = [
  // On every marketplace, every id known (what the catalogue job writes).
  {
    sku: 'DS-1',
    name: 'Tee, S',
    barcode: '460001',
    ozon_offer_id: 'DS-1',
    ozon_product_id: '9000000001',
    ozon_sku: '8000000001',
    wb_nm_id: '7000001',
    wb_chrt_id: '6000001',
    wb_barcode: '460001',
    wb_vendor_code: 'DS',
    ym_offer_id: 'DS-1',
    ym_market_sku: '5000000001',
  },
  // Ozon without its sku, YM without its card: listed, the missing ids null.
  { ...none, sku: 'DS-2', name: 'Cap', ozon_offer_id: 'DS-2', ozon_product_id: '9000000002', ym_offer_id: 'DS-2' },
  // WB only: another size of the same card.
  {
    ...none,
    sku: 'DS-3-M',
    name: 'Tee, M',
    barcode: '460003',
    wb_nm_id: '7000001',
    wb_chrt_id: '6000003',
    wb_barcode: '460003',
    wb_vendor_code: 'DS',
  },
  // Partial rows a hand or an old import may have left: an Ozon product id without the offer (not
  // pushed: the push asked for both), a WB barcode without the chrtId, a YM card without the offer.
  { ...none, sku: 'DS-4', name: '', ozon_product_id: '9000000004', wb_barcode: '460004', ym_market_sku: '5000000004' },
  // On no marketplace.
  { ...none, sku: 'DS-5', name: 'Mug' },
];

let admin: pg.Pool;
const name = `${TEST_DB_PREFIX}mig_${randomUUID().replaceAll('-', '').slice(0, 8)}`;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE "${name}"`);
  admin = new pg.Pool({ connectionString: databaseUrl(name), max: 2 });
  for (const dir of before) await admin.query(sql(dir));
});

afterAll(async () => {
  await admin?.end();
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

interface ListingRow {
  sku: string;
  marketplace: string;
  listing_id: string | null;
  push_key: string | null;
  match_keys: string[];
  ids: Record<string, string | null>;
}

describe('migration marketplace_listings', () => {
  it('moves every wide id into one listing row per (product, marketplace), drops the columns, keeps the products', async () => {
    const columns = Object.keys(wide[0]!) as (keyof WideRow)[];
    for (const row of wide) {
      await admin.query(
        `INSERT INTO marketplace_products (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((c) => row[c]),
      );
    }
    const productsBefore = (
      await admin.query('SELECT id, sku, name, barcode, created_at, updated_at FROM marketplace_products ORDER BY id')
    ).rows;

    await admin.query(sql(MIGRATION));

    expect((await admin.query('SELECT id, sku, name, barcode, created_at, updated_at FROM marketplace_products ORDER BY id')).rows).toEqual(
      productsBefore,
    );
    const { rows: left } = await admin.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'marketplace_products' AND column_name ~ '^(ozon|wb|ym)_'`,
    );
    expect(left).toEqual([]);

    const { rows } = await admin.query<ListingRow>(
      `SELECT p.sku, l.marketplace, l.listing_id, l.push_key, l.match_keys, l.ids FROM marketplace_listings l JOIN marketplace_products p ON p.id = l.product_id`,
    );
    const key = (r: { sku: string; marketplace: string }) => `${r.sku}/${r.marketplace}`;
    const expected: ListingRow[] = [
      {
        sku: 'DS-1',
        marketplace: 'ozon',
        listing_id: 'DS-1',
        push_key: '9000000001',
        match_keys: ['DS-1', '8000000001'],
        ids: { offerId: 'DS-1', productId: '9000000001', sku: '8000000001' },
      },
      {
        sku: 'DS-1',
        marketplace: 'wb',
        listing_id: '6000001',
        push_key: '6000001',
        match_keys: ['6000001', '460001'],
        ids: { nmId: '7000001', chrtId: '6000001', barcode: '460001', vendorCode: 'DS' },
      },
      {
        sku: 'DS-1',
        marketplace: 'ym',
        listing_id: 'DS-1',
        push_key: 'DS-1',
        match_keys: ['DS-1'],
        ids: { offerId: 'DS-1', marketSku: '5000000001' },
      },
      {
        sku: 'DS-2',
        marketplace: 'ozon',
        listing_id: 'DS-2',
        push_key: '9000000002',
        match_keys: ['DS-2'],
        ids: { offerId: 'DS-2', productId: '9000000002', sku: null },
      },
      {
        sku: 'DS-2',
        marketplace: 'ym',
        listing_id: 'DS-2',
        push_key: 'DS-2',
        match_keys: ['DS-2'],
        ids: { offerId: 'DS-2', marketSku: null },
      },
      {
        sku: 'DS-3-M',
        marketplace: 'wb',
        listing_id: '6000003',
        push_key: '6000003',
        match_keys: ['6000003', '460003'],
        ids: { nmId: '7000001', chrtId: '6000003', barcode: '460003', vendorCode: 'DS' },
      },
      {
        sku: 'DS-4',
        marketplace: 'ozon',
        listing_id: null,
        push_key: null,
        match_keys: [],
        ids: { offerId: null, productId: '9000000004', sku: null },
      },
      {
        sku: 'DS-4',
        marketplace: 'wb',
        listing_id: null,
        push_key: null,
        match_keys: ['460004'],
        ids: { nmId: null, chrtId: null, barcode: '460004', vendorCode: null },
      },
      { sku: 'DS-4', marketplace: 'ym', listing_id: null, push_key: null, match_keys: [], ids: { offerId: null, marketSku: '5000000004' } },
    ];
    expect(new Map(rows.map((r) => [key(r), r]))).toEqual(new Map(expected.map((r) => [key(r), r])));
    expect(rows).toHaveLength(expected.length);

    // Nothing lost: the wide rows come back from the listings' ids.
    const back = wide.map((w) => {
      const ids = (m: string) => rows.find((r) => r.sku === w.sku && r.marketplace === m)?.ids ?? {};
      const [ozon, wb, ym] = [ids('ozon'), ids('wb'), ids('ym')];
      return {
        sku: w.sku,
        name: w.name,
        barcode: w.barcode,
        ozon_offer_id: ozon.offerId ?? null,
        ozon_product_id: ozon.productId ?? null,
        ozon_sku: ozon.sku ?? null,
        wb_nm_id: wb.nmId ?? null,
        wb_chrt_id: wb.chrtId ?? null,
        wb_barcode: wb.barcode ?? null,
        wb_vendor_code: wb.vendorCode ?? null,
        ym_offer_id: ym.offerId ?? null,
        ym_market_sku: ym.marketSku ?? null,
      };
    });
    expect(back).toEqual(wide);

    // The migration derived the keys as each connector's ListingSpec does for rows it writes.
    for (const r of rows) {
      const spec = LISTINGS[r.marketplace as keyof typeof LISTINGS];
      expect({ listing_id: r.listing_id, push_key: r.push_key, match_keys: r.match_keys }, key(r)).toEqual({
        listing_id: spec.listingId(r.ids),
        push_key: spec.pushKey(r.ids),
        match_keys: spec.matchKeys(r.ids),
      });
      expect(Object.keys(r.ids).sort(), key(r)).toEqual([...spec.fields].sort());
    }
  });
});
