/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of the sandbox's control endpoints, checked by the assertions */
import type pg from 'pg';
import { expect } from 'vitest';
import type { sandboxControl } from './sandbox';

/**
 * "The database equals the source, row for row": one checker per source, shared by the e2e tests
 * and the reliability suite (test/reliability), so every fault test asserts the same thing.
 */

type Control = ReturnType<typeof sandboxControl>;
type Q = Pick<pg.Pool, 'query'>;

const q = async (db: Q, sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as any[];

import { expectSameRows } from './yclients-source';

export { canonical, expectSameRows, expectYclientsEqualToSource, expectYclientsTransactionsEqualToSource, yclientsSource } from './yclients-source';

// ---- Datawiz -------------------------------------------------------------------------------------

export interface DatawizFakeSale {
  sale_id: string;
  name: string;
  description: string;
  date_from: string | null;
  date_to: string | null;
  shops: string[];
  products: { product_id: string }[];
}
export interface DatawizFakeShop {
  shop_id: string;
  format_id: string | null;
  group_id: string | null;
  name: string;
  address: string;
  open_date: string | null;
  latitude: string | null;
  longitude: string | null;
}
export interface DatawizFakeProduct {
  product_id: string;
  name: string;
  article?: string;
  barcode: string;
  category_id?: string;
  brand_id?: string | null;
  producer_id?: string | null;
  unit_id?: string | null;
  active: boolean;
  width: string | null;
  height?: string | null;
  depth?: string | null;
}
export interface DatawizFakeData {
  counts: { sales: number; shops: number; products: number };
  sales: DatawizFakeSale[];
  shops: DatawizFakeShop[];
  products: DatawizFakeProduct[];
}

/** Our Datawiz tables in the fake's shape, for a whole-state comparison. */
export async function datawizStored(db: Q) {
  const shops = await db.query(
    `SELECT shop_id, format_id, group_id, name, address, open_date::text AS open_date, latitude::text AS latitude, longitude::text AS longitude, raw
     FROM datawiz_shops ORDER BY shop_id`,
  );
  const products = await db.query(
    `SELECT product_id, name, article, barcode, category_id, brand_id, producer_id, unit_id, active, width::text AS width, height::text AS height,
       depth::text AS depth, raw
     FROM datawiz_products ORDER BY product_id`,
  );
  const sales = await db.query(
    `SELECT s.sale_id, s.name, s.description, s.date_from::text AS date_from, s.date_to::text AS date_to,
       COALESCE((SELECT array_agg(shop_id ORDER BY shop_id) FROM datawiz_sale_shops l WHERE l.sale_id = s.sale_id), '{}') AS shops,
       COALESCE((SELECT array_agg(product_id ORDER BY position) FROM datawiz_sale_products l WHERE l.sale_id = s.sale_id), '{}') AS products
     FROM datawiz_sales s ORDER BY s.sale_id`,
  );
  return { shops: shops.rows, products: products.rows, sales: sales.rows };
}

/** The fake's data in the shape `datawizStored` answers. */
export function datawizExpected(data: DatawizFakeData) {
  const byId = <T>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    shops: byId(data.shops, (s) => s.shop_id).map((s) => ({
      shop_id: s.shop_id,
      format_id: s.format_id,
      group_id: s.group_id,
      name: s.name,
      address: s.address,
      open_date: s.open_date,
      latitude: s.latitude,
      longitude: s.longitude,
      raw: s,
    })),
    products: byId(data.products, (p) => p.product_id).map((p) => ({
      product_id: p.product_id,
      name: p.name,
      article: p.article ?? null,
      barcode: p.barcode,
      category_id: p.category_id ?? null,
      brand_id: p.brand_id ?? null,
      producer_id: p.producer_id ?? null,
      unit_id: p.unit_id ?? null,
      active: p.active,
      width: p.width,
      height: p.height ?? null,
      depth: p.depth ?? null,
      raw: p,
    })),
    sales: byId(data.sales, (s) => s.sale_id).map((s) => ({
      sale_id: s.sale_id,
      name: s.name,
      description: s.description,
      date_from: s.date_from,
      date_to: s.date_to,
      shops: [...s.shops].sort(),
      products: s.products.map((p) => p.product_id),
    })),
  };
}

export async function expectDatawizEqualToSource(db: Q, control: Control): Promise<void> {
  expect(await datawizStored(db)).toEqual(datawizExpected(await control.get<DatawizFakeData>('/datawiz/_control/data')));
}

// ---- Avito ---------------------------------------------------------------------------------------

/** A listing as the fake holds it (`/avito/_control/listings`). */
interface AvitoFakeListing {
  id: number;
  title: string;
  price: number | null;
  priceText: string;
  url: string;
  time: number;
}

/** The avito ids a sync of this seller must find (the fake's full expected result). */
export async function avitoSourceIds(control: Control, sellerHash: string): Promise<string[]> {
  return (await control.get<{ listings: { id: number }[] }>(`/avito/_control/listings?sellerId=${sellerHash}`)).listings.map((l) => String(l.id)).sort();
}

/**
 * A seller run's result (its linked items, in the upstream's order) and the stored listings of the
 * seller both equal the source: every column of avito_items, as sets. The seller route carries no
 * category, location or address, so those stay null; `raw` is the route's wire item (§5.2).
 */
export async function expectAvitoEqualToSource(db: Q, control: Control, runId: string, sellerHash: string): Promise<void> {
  const { listings } = await control.get<{ listings: AvitoFakeListing[] }>(`/avito/_control/listings?sellerId=${sellerHash}`);
  const expected = listings.map((l) => ({
    avito_id: String(l.id),
    title: l.title,
    price: l.price,
    price_text: l.priceText,
    url: l.url,
    category_id: null,
    category_name: null,
    location_id: null,
    location_name: null,
    address: null,
    seller_hash: sellerHash,
    published_at: l.time * 1000,
    raw: {
      id: l.id,
      title: l.title,
      price: l.priceText,
      time: l.time,
      uri: `ru.avito://1/item/show?itemId=${l.id}`,
      uri_mweb: `${l.url.replace(/^https:\/\/www\.avito\.ru/, '')}?context=H4sIAAAAAAAA_sandbox`,
    },
  }));
  const stored = await q(
    db,
    `SELECT avito_id::text, title, price::float8 AS price, price_text, url, category_id, category_name, location_id, location_name, address,
       seller_hash, (extract(epoch FROM published_at) * 1000)::float8 AS published_at, raw
     FROM avito_items WHERE seller_hash = $1`,
    [sellerHash],
  );
  expectSameRows('avito_items of the seller', stored, expected);
  // The run's result set: each listing once, in the order the upstream listed them (newest first).
  const linked = await q(
    db,
    'SELECT i.avito_id::text AS id FROM avito_run_items r JOIN avito_items i ON i.id = r.item_id WHERE r.run_id = $1 ORDER BY r.position',
    [runId],
  );
  expect(linked.map((r) => r.id), 'the run\'s linked items, in order').toEqual(listings.map((l) => String(l.id)));
}

// ---- IT Resume -----------------------------------------------------------------------------------

/** An attempt in the fake's own terms (not its wire form): what a row must hold. */
interface ItResumeFakeAttempt {
  lti_user_id: string;
  course_key: string;
  lms_host: string;
  task_id: string;
  oauth_consumer_key: string;
  lis_result_sourcedid: string;
  lis_outcome_service_url: string;
  is_correct: boolean | null;
  attempt_type: string;
  created_at: string;
  defect: string | null;
}

/**
 * The stored attempts of [start, end] are exactly the well-formed ones the fake holds for those days,
 * every column (`runId` given: each written by that run). The expected rows come from the fake's
 * attempts as it generated them, not from parsing the wire items, so the worker's parser is not the oracle.
 */
export async function expectItResumeEqualToSource(db: Q, control: Control, start: string, end: string, runId?: string): Promise<void> {
  const served = await control.get<{ attempts: ItResumeFakeAttempt[] }>(
    `/itresume/_control/attempts?start=${encodeURIComponent(`${start} 00:00:00`)}&end=${encodeURIComponent(`${end} 23:59:59.999999`)}`,
  );
  const expected = served.attempts
    .filter((a) => a.defect === null)
    // An empty consumer key is stored as null (no key), like any absent optional value.
    .map(({ defect: _defect, created_at, ...a }) => ({ ...a, oauth_consumer_key: a.oauth_consumer_key || null, created_at: created_at.includes('.') ? created_at : `${created_at}.000000`, ...(runId ? { run_id: runId } : {}) }));
  const rows = await q(
    db,
    `SELECT lti_user_id, course_key, lms_host, task_id, oauth_consumer_key, lis_result_sourcedid, lis_outcome_service_url, is_correct, attempt_type,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created_at${runId ? ', run_id::text' : ''}
     FROM itresume_attempts
     WHERE created_at >= ($1 || ' 00:00:00+00')::timestamptz AND created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`,
    [start, end],
  );
  expectSameRows(`itresume_attempts of ${start}..${end}`, rows, expected);
}
