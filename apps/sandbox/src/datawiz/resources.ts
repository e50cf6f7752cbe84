import type { Fields } from './fields';
import type { DatawizData, Product, Sale, Shop } from './data';

/**
 * One DRF collection of the fake: its fields (for validation and OPTIONS), its rows (a Map in
 * insertion order, which is the default order of lists), how a row renders and how a valid POST
 * element is upserted on the key.
 */
export interface Resource<T extends object> {
  /** The path segment under `/api/v1/`. */
  path: string;
  /** DRF view name without " List"/" Instance". */
  viewName: string;
  key: keyof T & string;
  fields: Fields;
  rows: Map<string, T>;
  render(row: T, api: string): Record<string, unknown>;
  /** Object-level validation (DRF `validate`), run when every field is valid; answers non_field_errors. */
  check(value: Record<string, unknown>, existing: T | undefined): string[];
  /** A new row from a valid POST element (fields it lacks take their defaults). */
  create(value: Record<string, unknown>): T;
}

/** `ordering` accepts these names (and `-name` for reverse); `search` matches `name`. */
export const ORDERING_FIELDS = ['name', 'identifier'] as const;

const link = (api: string, path: string, id: string | null) => (id === null ? null : `${api}/${path}/${encodeURIComponent(id)}/`);

/**
 * How a successful POST answers: `documented` is the docs' `200 {"results": {"updated", "created"}}`
 * (pythonAPI docs, every resource; reference §5.1); `brief` is the `201 {"updated", "inserted"}`
 * of DataSync's brief, found in no Datawiz source (`POST /_control/create-answer`).
 */
export type CreateAnswer = 'documented' | 'brief';

export class DatawizStore {
  readonly shops: Resource<Shop>;
  readonly products: Resource<Product>;
  readonly sales: Resource<Sale>;
  createAnswer: CreateAnswer = 'documented';
  /** Rows a test removed (`POST /_control/remove`), by collection, until restored or reset. */
  readonly removed = { shops: new Map<string, Shop>(), products: new Map<string, Product>(), sales: new Map<string, Sale>() };

  constructor(data: DatawizData) {
    const shopRows = new Map<string, Shop>();
    const productRows = new Map<string, Product>();
    const shopOrder = () => [...shopRows.keys()];

    this.shops = {
      path: 'shops',
      viewName: 'Shop',
      key: 'shop_id',
      rows: shopRows,
      fields: {
        url: { kind: 'link', label: 'Url' },
        shop_id: { kind: 'string', required: true, maxLength: 255, label: 'Shop id' },
        format_id: { kind: 'string', allowNull: true, maxLength: 255 },
        format_url: { kind: 'link' },
        group_id: { kind: 'string', allowNull: true, maxLength: 255 },
        group_url: { kind: 'link' },
        name: { kind: 'string', required: true, maxLength: 255 },
        address: { kind: 'string', allowBlank: true, maxLength: 255 },
        open_date: { kind: 'date', allowNull: true },
        latitude: { kind: 'decimal', allowNull: true, maxDigits: 11, places: 8 },
        longitude: { kind: 'decimal', allowNull: true, maxDigits: 11, places: 8 },
      },
      render: (s, api) => ({
        url: link(api, 'shops', s.shop_id),
        shop_id: s.shop_id,
        format_id: s.format_id,
        format_url: link(api, 'shop-format', s.format_id),
        group_id: s.group_id,
        group_url: link(api, 'shop-groups', s.group_id),
        name: s.name,
        address: s.address,
        open_date: s.open_date,
        latitude: s.latitude,
        longitude: s.longitude,
      }),
      check: () => [],
      create: (v) => ({
        shop_id: v.shop_id as string,
        format_id: null,
        group_id: null,
        name: '',
        address: '',
        open_date: null,
        latitude: null,
        longitude: null,
        ...v,
      }),
    };

    this.products = {
      path: 'products',
      viewName: 'Product',
      key: 'product_id',
      rows: productRows,
      fields: {
        url: { kind: 'link' },
        product_id: { kind: 'string', required: true, maxLength: 255 },
        name: { kind: 'string', required: true, maxLength: 255 },
        article: { kind: 'string', allowBlank: true, maxLength: 255 },
        barcode: { kind: 'string', allowBlank: true, maxLength: 1000 },
        category_id: { kind: 'string', required: true, maxLength: 255 },
        category_url: { kind: 'link' },
        brand_id: { kind: 'string', allowNull: true, maxLength: 255 },
        brand_url: { kind: 'link' },
        producer_id: { kind: 'string', allowNull: true, maxLength: 255 },
        producer_url: { kind: 'link' },
        unit_id: { kind: 'string', allowNull: true, maxLength: 255 },
        unit_url: { kind: 'link' },
        active: { kind: 'boolean' },
        width: { kind: 'decimal', allowNull: true, maxDigits: 12, places: 4 },
        height: { kind: 'decimal', allowNull: true, maxDigits: 12, places: 4 },
        depth: { kind: 'decimal', allowNull: true, maxDigits: 12, places: 4 },
      },
      render: (p, api) => ({
        url: link(api, 'products', p.product_id),
        product_id: p.product_id,
        name: p.name,
        article: p.article,
        barcode: p.barcode,
        category_id: p.category_id,
        category_url: link(api, 'categories', p.category_id),
        brand_id: p.brand_id,
        brand_url: link(api, 'brands', p.brand_id),
        producer_id: p.producer_id,
        producer_url: link(api, 'producers', p.producer_id),
        unit_id: p.unit_id,
        unit_url: link(api, 'units', p.unit_id),
        active: p.active,
        width: p.width,
        height: p.height,
        depth: p.depth,
      }),
      check: () => [],
      create: (v) => ({
        product_id: v.product_id as string,
        name: '',
        article: '',
        barcode: '',
        category_id: '',
        brand_id: null,
        producer_id: null,
        unit_id: null,
        active: true,
        width: null,
        height: null,
        depth: null,
        ...v,
      }),
    };

    this.sales = {
      path: 'sale',
      viewName: 'Sale',
      key: 'sale_id',
      rows: new Map<string, Sale>(),
      fields: {
        url: { kind: 'link' },
        // Required as the brief's field table and OPTIONS metadata have them (Datawiz's own docs
        // mark description and shops optional; see apps/worker-datawiz/README.md).
        sale_id: { kind: 'string', required: true, maxLength: 200 },
        shops: { kind: 'slug-list', required: true, slugName: 'shop_id', exists: (id) => shopRows.has(id) },
        name: { kind: 'string', required: true, maxLength: 100 },
        description: { kind: 'string', required: true, allowBlank: true },
        date_from: { kind: 'date', required: true },
        date_to: { kind: 'date', required: true },
        products: {
          kind: 'nested-list',
          required: true,
          children: {
            url: { kind: 'link' },
            product_id: { kind: 'slug', required: true, slugName: 'product_id', exists: (id) => productRows.has(id) },
            product_url: { kind: 'link' },
          },
        },
      },
      render: (s, api) => ({
        url: link(api, 'sale', s.sale_id),
        sale_id: s.sale_id,
        shops: s.shops,
        name: s.name,
        description: s.description,
        date_from: s.date_from,
        date_to: s.date_to,
        products: s.products.map((id) => ({
          url: `${link(api, 'sale', s.sale_id)}products/${encodeURIComponent(id)}/`,
          product_id: id,
          product_url: link(api, 'products', id),
        })),
      }),
      check: (v, existing) => {
        const errors: string[] = [];
        const from = v.date_from !== undefined ? v.date_from : existing?.date_from;
        const to = v.date_to !== undefined ? v.date_to : existing?.date_to;
        if (typeof from === 'string' && typeof to === 'string' && to < from) errors.push('date_to must not be earlier than date_from.');
        return errors;
      },
      create: (v) => ({
        sale_id: v.sale_id as string,
        name: '',
        description: '',
        date_from: null,
        date_to: null,
        shops: [],
        products: [],
        ...v,
      }),
    };

    // Sales keep their shops in the shops' order and their products as lists of ids.
    const createSale = this.sales.create;
    this.sales.create = (v) => normaliseSale(createSale(v), shopOrder());
    this.load(data);
  }

  /** Replaces every row (the seeded state on reset). */
  load(data: DatawizData): void {
    const fill = <T extends object>(resource: Resource<T>, rows: T[]) => {
      resource.rows.clear();
      for (const row of rows) resource.rows.set(String(row[resource.key]), structuredClone(row));
    };
    for (const gone of Object.values(this.removed)) gone.clear();
    fill(this.shops, data.shops);
    fill(this.products, data.products);
    fill(this.sales, data.sales);
    this.createAnswer = 'documented';
  }
}

function normaliseSale(s: Sale, shopOrder: string[]): Sale {
  const products = (s.products as unknown[]).map((p) => (typeof p === 'string' ? p : (p as { product_id: string }).product_id));
  return { ...s, shops: shopOrder.filter((id) => s.shops.includes(id)), products: [...new Set(products)] };
}

/** Upserts a valid element: an existing key is updated with the fields given, a new one created. */
export function upsert<T extends object>(resource: Resource<T>, value: Record<string, unknown>): 'updated' | 'inserted' {
  const id = value[resource.key] as string;
  const existing = resource.rows.get(id);
  resource.rows.set(id, resource.create(existing ? { ...existing, ...value } : value));
  return existing ? 'updated' : 'inserted';
}
