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
const ids = (rows: { id: unknown }[]) => rows.map((r) => String(r.id)).sort();

// ---- YClients ------------------------------------------------------------------------------------

/** Every row of one entity of a company as the fake holds it (its control endpoint, no rate limit). */
export async function yclientsSource(control: Control, companyId: number, entity: string): Promise<any[]> {
  const rows: any[] = [];
  for (let offset = 0; ; offset += 5000) {
    const page = await control.get<{ total: number; rows: any[] }>(`/yclients/_control/companies/${companyId}/source/${entity}?offset=${offset}&limit=5000`);
    rows.push(...page.rows);
    if (rows.length >= page.total || page.rows.length === 0) return rows;
  }
}

/** The stored rows of a YClients company equal the source, row for row, on the fields that identify and matter. */
export async function expectYclientsEqualToSource(db: Q, control: Control, companyId: number): Promise<void> {
  const clients = await yclientsSource(control, companyId, 'clients');
  const stored = await q(db, 'SELECT id::text, name, phone, email FROM yclients_clients WHERE company_id = $1 ORDER BY id', [companyId]);
  expect(stored.map((r) => r.id)).toEqual(ids(clients).sort((a, b) => Number(a) - Number(b)));
  const byId = new Map(clients.map((c) => [String(c.id), c]));
  for (const r of stored) expect([r.name, r.phone, r.email]).toEqual([byId.get(r.id).name, byId.get(r.id).phone, byId.get(r.id).email]);
  const links = clients.reduce((n, c) => n + (Array.isArray(c.categories) ? c.categories.length : 0), 0);
  expect(Number((await q(db, 'SELECT count(*) AS n FROM yclients_client_category_links WHERE company_id = $1', [companyId]))[0].n)).toBe(links);

  const records = await yclientsSource(control, companyId, 'records');
  const storedRecords = await q(db, 'SELECT id::text, staff_id::text, deleted FROM yclients_records WHERE company_id = $1', [companyId]);
  expect(ids(storedRecords)).toEqual(ids(records));
  const recById = new Map(records.map((r) => [String(r.id), r]));
  for (const r of storedRecords) {
    expect(r.deleted).toBe(Boolean(recById.get(r.id).deleted));
    expect(r.staff_id).toBe(String(recById.get(r.id).staff_id));
  }
  const services = records.reduce((n, r) => n + new Set((r.services as any[]).map((s) => s.id)).size, 0);
  expect(Number((await q(db, 'SELECT count(*) AS n FROM yclients_record_services WHERE company_id = $1', [companyId]))[0].n)).toBe(services);

  const transactions = await yclientsSource(control, companyId, 'transactions');
  const storedTx = await q(db, 'SELECT id::text, amount::float8 AS amount FROM yclients_transactions WHERE company_id = $1', [companyId]);
  expect(ids(storedTx)).toEqual(ids(transactions));
  const txById = new Map(transactions.map((t) => [String(t.id), t]));
  for (const t of storedTx) expect(t.amount).toBe(Number(txById.get(t.id).amount));

  expect(ids(await q(db, 'SELECT id FROM yclients_staff WHERE company_id = $1', [companyId]))).toEqual(ids(await yclientsSource(control, companyId, 'staff')));
  expect(ids(await q(db, 'SELECT id FROM yclients_services WHERE company_id = $1', [companyId]))).toEqual(ids(await yclientsSource(control, companyId, 'services')));
  expect(ids(await q(db, 'SELECT id FROM yclients_accounts WHERE company_id = $1', [companyId]))).toEqual(ids(await yclientsSource(control, companyId, 'accounts')));
}

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
  barcode: string;
  active: boolean;
  width: string | null;
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
    `SELECT shop_id, format_id, group_id, name, address, open_date::text AS open_date, latitude::text AS latitude, longitude::text AS longitude
     FROM datawiz_shops ORDER BY shop_id`,
  );
  const products = await db.query(`SELECT product_id, name, barcode, active, width::text AS width FROM datawiz_products ORDER BY product_id`);
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
    })),
    products: byId(data.products, (p) => p.product_id).map((p) => ({
      product_id: p.product_id,
      name: p.name,
      barcode: p.barcode,
      active: p.active,
      width: p.width,
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

/** The avito ids a sync of this seller must find (the fake's full expected result). */
export async function avitoSourceIds(control: Control, sellerHash: string): Promise<string[]> {
  return (await control.get<{ listings: { id: number }[] }>(`/avito/_control/listings?sellerId=${sellerHash}`)).listings.map((l) => String(l.id)).sort();
}

/** A seller run's result (its linked items) and the stored listings of the seller both equal the source, each once. */
export async function expectAvitoEqualToSource(db: Q, control: Control, runId: string, sellerHash: string): Promise<void> {
  const source = await avitoSourceIds(control, sellerHash);
  const linked = await q(
    db,
    `SELECT i.avito_id::text AS id FROM avito_run_items r JOIN avito_items i ON i.id = r.item_id WHERE r.run_id = $1`,
    [runId],
  );
  expect(ids(linked)).toEqual(source);
  expect(ids(await q(db, 'SELECT avito_id::text AS id FROM avito_items WHERE seller_hash = $1', [sellerHash]))).toEqual(source);
}

// ---- IT Resume -----------------------------------------------------------------------------------

/** The natural key of an attempt as the fake serves it and as we store it. */
const attemptKey = (user: string, created: string, type: string) => `${user}|${created}|${type}`;

/** The stored attempts of [start, end] are exactly the well-formed ones the fake serves for those days. */
export async function expectItResumeEqualToSource(db: Q, control: Control, start: string, end: string): Promise<void> {
  const served = await control.get<{ items: any[]; malformed: { index: number }[] }>(
    `/itresume/_control/attempts?start=${encodeURIComponent(`${start} 00:00:00`)}&end=${encodeURIComponent(`${end} 23:59:59.999999`)}`,
  );
  const bad = new Set(served.malformed.map((m) => m.index));
  const normal = (created: string) => (created.includes('.') ? created.padEnd(26, '0') : `${created}.000000`);
  const expected = served.items.filter((_, i) => !bad.has(i)).map((it) => attemptKey(it.lti_user_id, normal(String(it.created_at)), it.attempt_type)).sort();
  const rows = await q(
    db,
    `SELECT lti_user_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created, attempt_type FROM itresume_attempts
     WHERE created_at >= ($1 || ' 00:00:00+00')::timestamptz AND created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`,
    [start, end],
  );
  expect(rows.map((r) => attemptKey(r.lti_user_id, r.created, r.attempt_type)).sort()).toEqual(expected);
}
