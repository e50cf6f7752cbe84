import type { Faker } from '@faker-js/faker';

/** Stored rows use the API's field names; `*_url` links are added when rendering. */
export interface Shop {
  shop_id: string;
  format_id: string | null;
  group_id: string | null;
  name: string;
  address: string;
  open_date: string | null;
  /** Decimal strings with 8 places. */
  latitude: string | null;
  longitude: string | null;
}

export interface Product {
  product_id: string;
  name: string;
  article: string;
  /** Possibly several comma-separated codes, or "". */
  barcode: string;
  category_id: string;
  brand_id: string | null;
  producer_id: string | null;
  unit_id: string | null;
  active: boolean;
  /** Decimal strings with 4 places. */
  width: string | null;
  height: string | null;
  depth: string | null;
}

export interface Sale {
  sale_id: string;
  name: string;
  description: string;
  date_from: string | null;
  date_to: string | null;
  /** Shop ids, in the shops' own order. */
  shops: string[];
  /** Product ids, in the order they were given. */
  products: string[];
}

export interface DatawizData {
  shops: Shop[];
  products: Product[];
  sales: Sale[];
}

export interface Credentials {
  client_id: string;
  client_secret: string;
  username: string;
  password: string;
}

const goods = [
  'Молоко',
  'Кефир',
  'Сыр твёрдый',
  'Хлеб украинский',
  'Вода минеральная',
  'Сок яблочный',
  'Чай чёрный',
  'Кофе молотый',
  'Шоколад молочный',
  'Печенье',
  'Макароны',
  'Гречка',
  'Масло подсолнечное',
  'Пиво светлое',
  'Йогурт',
  'Колбаса варёная',
  'Конфеты',
  'Стартовый пакет',
];
const brands = [
  ['1345', 'Кока-Кола'],
  ['1346', 'Галичина'],
  ['1347', 'Рошен'],
  ['1348', 'Моршинская'],
  ['1349', 'Яготинское'],
  ['1350', 'Ферма'],
  ['1351', 'Мивина'],
  ['1352', 'Lipton'],
  ['1353', 'Jacobs'],
  ['1354', 'Vodafone'],
] as const;
const sizes = ['0,5 л', '1 л', '1,5 л', '200 г', '500 г', '1 кг', '90 г', '2 л', '330 мл'];
const categories = ['779963', '779964', '779971', '780002', '780015', '780031', '780040', '781105', '781120', '781200'];
const saleKinds = ['Акция', 'Скидка', 'Распродажа', 'Промо', 'Спецпредложение'];

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const fixed = (n: number, places: number) => n.toFixed(places);

function generateShops(f: Faker, count: number): Shop[] {
  const shops: Shop[] = [];
  let id = 0;
  for (let i = 0; i < count; i++) {
    id += f.number.int({ min: 1, max: 3 });
    shops.push({
      shop_id: String(id),
      format_id: f.number.int({ min: 0, max: 5 }) === 0 ? null : String(f.number.int({ min: 1, max: 5 })),
      group_id: f.number.int({ min: 0, max: 3 }) === 0 ? null : String(f.number.int({ min: 10, max: 20 })),
      name: `Магазин №${f.number.int({ min: 1, max: 99 })}`,
      address: `${f.location.city()}, ${f.location.street()}, ${f.location.buildingNumber()}`,
      open_date: f.number.int({ min: 0, max: 2 }) === 0 ? null : isoDate(f.date.between({ from: '2005-01-01', to: '2019-12-31' })),
      latitude: i === 0 ? null : fixed(f.number.float({ min: 44.4, max: 52.3, fractionDigits: 6 }), 8),
      longitude: i === 0 ? null : fixed(f.number.float({ min: 22.2, max: 40.2, fractionDigits: 6 }), 8),
    });
  }
  return shops;
}

function generateProducts(f: Faker, count: number): Product[] {
  const products: Product[] = [];
  let id = 3000;
  for (let i = 0; i < count; i++) {
    id += f.number.int({ min: 1, max: 400 });
    const [brandId, brand] = f.helpers.arrayElement(brands);
    const barcodes = f.number.int({ min: 0, max: 9 });
    const ean = () => f.string.numeric(13);
    const dimension = () =>
      f.number.int({ min: 0, max: 4 }) === 0 ? fixed(f.number.float({ min: 1, max: 60, fractionDigits: 1 }), 4) : null;
    products.push({
      product_id: String(id),
      name: `${f.helpers.arrayElement(goods)} ${brand} ${f.helpers.arrayElement(sizes)}`,
      article: f.string.numeric(5),
      barcode: barcodes === 0 ? '' : barcodes === 1 ? [ean(), ean(), f.string.numeric(3)].join(',') : ean(),
      category_id: f.helpers.arrayElement(categories),
      brand_id: f.number.int({ min: 0, max: 6 }) === 0 ? null : brandId,
      producer_id: f.number.int({ min: 0, max: 3 }) === 0 ? String(f.number.int({ min: 200, max: 260 })) : null,
      unit_id: f.helpers.arrayElement(['1', '1', '1', '2']),
      active: f.number.int({ min: 0, max: 9 }) !== 0,
      width: dimension(),
      height: dimension(),
      depth: dimension(),
    });
  }
  return products;
}

function generateSales(f: Faker, count: number, shops: Shop[], products: Product[]): Sale[] {
  const sales: Sale[] = [];
  // Ids cross from three to four digits, so ordering by identifier (text) differs from numeric order.
  let id = 700;
  for (let i = 0; i < count; i++) {
    id += f.number.int({ min: 1, max: 25 });
    const from = f.date.between({ from: '2024-01-01', to: '2025-12-01' });
    const to = new Date(from.getTime() + f.number.int({ min: 0, max: 30 }) * 86_400_000);
    const product = f.helpers.arrayElement(products);
    const [, brand] = f.helpers.arrayElement(brands);
    const kind = f.helpers.arrayElement(saleKinds);
    const name =
      i === 0
        ? 'Акция Кока-Кола'
        : f.helpers.arrayElement([
            `${kind} ${brand}`,
            `${kind}: ${f.helpers.arrayElement(goods).toLowerCase()} −${f.number.int({ min: 5, max: 50 })}%`,
            `${f.number.int({ min: 1, max: 3 })}+1 на ${product.name}`,
          ]);
    const shopIds =
      i === 1
        ? []
        : f.number.int({ min: 0, max: 9 }) === 0
          ? shops.map((s) => s.shop_id)
          : f.helpers.arrayElements(shops, { min: 1, max: 6 }).map((s) => s.shop_id);
    sales.push({
      sale_id: String(id),
      name,
      description: f.datatype.boolean() ? '' : f.lorem.sentence(),
      date_from: isoDate(from),
      date_to: i === 2 ? null : isoDate(to),
      shops: shops.map((s) => s.shop_id).filter((s) => shopIds.includes(s)),
      products: i === 1 ? [] : [...new Set(f.helpers.arrayElements(products, { min: 1, max: 8 }).map((p) => p.product_id))],
    });
  }
  return sales;
}

/**
 * The seeded world of the Datawiz fake: shops, products and promotions linked to both. Sale 0 is
 * the reference's "Акция Кока-Кола", sale 1 has no shops or products, sale 2 has no end date.
 */
export function generateDatawizData(f: Faker, counts = { shops: 30, products: 300, sales: 120 }): DatawizData {
  const shops = generateShops(f, counts.shops);
  const products = generateProducts(f, counts.products);
  const sales = generateSales(f, counts.sales, shops, products);
  return { shops, products, sales };
}

/** The OAuth application and demo user of this sandbox (stable for a seed). */
export function generateCredentials(f: Faker): Credentials {
  return {
    client_id: f.string.alphanumeric(40),
    client_secret: f.string.alphanumeric(64),
    username: `demo-${f.string.alphanumeric({ length: 6, casing: 'lower' })}@datawiz.sandbox`,
    password: f.string.alphanumeric(16),
  };
}

/**
 * Account `b`'s world with account `a`'s ids: shop, product and sale ids are the Datawiz client's
 * own numbering, so two clients' ids collide; every reference (a sale's shops and products) follows.
 */
export function withSharedIds(own: DatawizData, shared: DatawizData): DatawizData {
  const remap = <T>(rows: T[], from: T[], key: keyof T) => {
    const map = new Map<unknown, string>();
    rows.forEach((row, i) => map.set(row[key], String(from[i]?.[key] ?? row[key])));
    return map;
  };
  const shopIds = remap(own.shops, shared.shops, 'shop_id');
  const productIds = remap(own.products, shared.products, 'product_id');
  const saleIds = remap(own.sales, shared.sales, 'sale_id');
  return {
    shops: own.shops.map((s) => ({ ...s, shop_id: shopIds.get(s.shop_id)! })),
    products: own.products.map((p) => ({ ...p, product_id: productIds.get(p.product_id)! })),
    sales: own.sales.map((s) => ({
      ...s,
      sale_id: saleIds.get(s.sale_id)!,
      shops: s.shops.map((id) => shopIds.get(id)!),
      products: s.products.map((id) => productIds.get(id)!),
    })),
  };
}
