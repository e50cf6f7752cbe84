import type { SandboxControl as Control } from '@datasync/testkit';
import { expectSameRows, type Queryable as Q } from '@datasync/testkit/vitest';

/**
 * "The database equals the Datawiz source": the expected rows built from the sandbox's own data, compared
 * with the kit's engine (whole tables, every stored column, as sets). Shared by the e2e test and the
 * reliability suite, so every fault test asserts the same thing.
 */

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

/** Our Datawiz tables, read back in the fake's shape. */
export interface DatawizStored {
  shops: (DatawizFakeShop & { raw: unknown })[];
  products: ({
    [K in keyof DatawizFakeProduct]-?: undefined extends DatawizFakeProduct[K]
      ? Exclude<DatawizFakeProduct[K], undefined> | null
      : DatawizFakeProduct[K];
  } & { raw: unknown })[];
  sales: (Omit<DatawizFakeSale, 'products'> & { products: string[] })[];
}

/** Our live Datawiz rows (not soft-deleted) in the fake's shape, for a whole-state comparison. */
export async function datawizStored(db: Q): Promise<DatawizStored> {
  const shops = await db.query<DatawizStored['shops'][number]>(
    `SELECT shop_id, format_id, group_id, name, address, open_date::text AS open_date, latitude::text AS latitude, longitude::text AS longitude, raw
     FROM datawiz_shops WHERE deleted_at IS NULL ORDER BY shop_id`,
  );
  const products = await db.query<DatawizStored['products'][number]>(
    `SELECT product_id, name, article, barcode, category_id, brand_id, producer_id, unit_id, active, width::text AS width, height::text AS height,
       depth::text AS depth, raw
     FROM datawiz_products WHERE deleted_at IS NULL ORDER BY product_id`,
  );
  const sales = await db.query<DatawizStored['sales'][number]>(
    `SELECT s.sale_id, s.name, s.description, s.date_from::text AS date_from, s.date_to::text AS date_to,
       COALESCE((SELECT array_agg(shop_id ORDER BY shop_id) FROM datawiz_sale_shops l WHERE l.sale_id = s.sale_id), '{}') AS shops,
       COALESCE((SELECT array_agg(product_id ORDER BY position) FROM datawiz_sale_products l WHERE l.sale_id = s.sale_id), '{}') AS products
     FROM datawiz_sales s WHERE s.deleted_at IS NULL ORDER BY s.sale_id`,
  );
  return { shops: shops.rows, products: products.rows, sales: sales.rows };
}

/** The fake's data in the shape `datawizStored` answers. */
export function datawizExpected(data: DatawizFakeData): DatawizStored {
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

/** Every Datawiz table equals the fake's data: each table as a set of rows, every column. */
export async function expectDatawizEqualToSource(db: Q, control: Control): Promise<void> {
  const stored = await datawizStored(db);
  const expected = datawizExpected(await control.get<DatawizFakeData>('/datawiz/_control/data'));
  for (const table of ['shops', 'products', 'sales'] as const) expectSameRows(`datawiz_${table}`, stored[table], expected[table]);
}
