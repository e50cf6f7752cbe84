import type { Faker } from '@faker-js/faker';

export interface Listing {
  id: number;
  title: string;
  /** Roubles; null when the seller set no price. */
  price: number | null;
  priceSuffix: string;
  /** Publication time, unix seconds. */
  time: number;
  locationId: number;
  locationName: string;
  locationSlug: string;
  categoryId: number;
  categoryName: string;
  categorySlug: string;
  address: string;
  lat: number;
  lng: number;
  sellerHash: string;
  status: 'active' | 'old';
}

export interface Seller {
  hash: string;
  /** The numeric user id the official API uses in paths. */
  userId: number;
  name: string;
}

export const ALL_RUSSIA = 621540;

export const locations = [
  { id: 637640, name: 'Москва', slug: 'moskva' },
  { id: 653240, name: 'Санкт-Петербург', slug: 'sankt-peterburg' },
  { id: 641780, name: 'Новосибирск', slug: 'novosibirsk' },
  { id: 654070, name: 'Екатеринбург', slug: 'ekaterinburg' },
  { id: 650400, name: 'Казань', slug: 'kazan' },
  { id: 640860, name: 'Нижний Новгород', slug: 'nizhniy_novgorod' },
] as const;

const categories = {
  42: { name: 'Коммерческая недвижимость', slug: 'kommercheskaya_nedvizhimost' },
  24: { name: 'Квартиры', slug: 'kvartiry' },
  9: { name: 'Автомобили', slug: 'avtomobili' },
  114: { name: 'Предложение услуг', slug: 'predlozheniya_uslug' },
} as const;
type CategoryId = keyof typeof categories;

const commercialKinds = [
  'Офисное помещение',
  'Склад',
  'Торговое помещение',
  'Помещение свободного назначения',
  'Производственное помещение',
  'Здание',
];
const carModels = ['Lada Vesta', 'Kia Rio', 'Hyundai Solaris', 'Toyota Camry', 'Skoda Octavia', 'Volkswagen Polo'];
const services = ['Ремонт квартир под ключ', 'Грузоперевозки', 'Уборка офисов', 'Бухгалтерские услуги'];

function title(f: Faker, categoryId: CategoryId): { title: string; priceSuffix: string; price: number } {
  switch (categoryId) {
    case 42: {
      const area = f.number.float({ min: 12, max: 2400, fractionDigits: 1 });
      const rent = f.datatype.boolean();
      return {
        title: `${f.helpers.arrayElement(commercialKinds)}, ${area} м²`,
        priceSuffix: rent ? ' в месяц' : '',
        price: rent ? f.number.int({ min: 15, max: 900 }) * 1000 : f.number.int({ min: 900, max: 90_000 }) * 1000,
      };
    }
    case 24: {
      const rooms = f.number.int({ min: 1, max: 4 });
      const floors = f.number.int({ min: 5, max: 25 });
      return {
        title: `${rooms}-к. квартира, ${f.number.int({ min: 28, max: 140 })} м², ${f.number.int({ min: 1, max: floors })}/${floors} эт.`,
        priceSuffix: '',
        price: f.number.int({ min: 3000, max: 40_000 }) * 1000,
      };
    }
    case 9:
      return {
        title: `${f.helpers.arrayElement(carModels)}, ${f.number.int({ min: 2008, max: 2025 })}`,
        priceSuffix: '',
        price: f.number.int({ min: 300, max: 6000 }) * 1000,
      };
    case 114:
      return { title: f.helpers.arrayElement(services), priceSuffix: ' за услугу', price: f.number.int({ min: 5, max: 200 }) * 100 };
  }
}

/** Seller listing counts chosen to cover paging edges: several pages, exactly one full page, none. */
const FIXED_COUNTS = [137, 50, 0, 1, 101];

/**
 * The seeded world of the Avito fake: sellers and their active listings, newest with the highest
 * ids, all published before a fixed instant so every start serves the same data.
 */
export function generateAvitoData(f: Faker, sellerCount = 24): { sellers: Seller[]; listings: Listing[] } {
  const sellers: Seller[] = [];
  const listings: Listing[] = [];
  const epoch = 1_767_225_600; // 2026-01-01T00:00:00Z
  let nextId = 4_100_000_000;
  for (let s = 0; s < sellerCount; s++) {
    const seller: Seller = {
      hash: f.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' }),
      userId: f.number.int({ min: 10_000_000, max: 399_999_999 }),
      name: f.person.firstName(),
    };
    sellers.push(seller);
    const count = FIXED_COUNTS[s] ?? f.number.int({ min: 3, max: 90 });
    for (let i = 0; i < count; i++) {
      const categoryId = f.helpers.weightedArrayElement<CategoryId>([
        { weight: 6, value: 42 },
        { weight: 2, value: 24 },
        { weight: 1, value: 9 },
        { weight: 1, value: 114 },
      ]);
      const location = f.helpers.arrayElement(locations);
      const t = title(f, categoryId);
      nextId += f.number.int({ min: 1, max: 5000 });
      listings.push({
        id: nextId,
        title: t.title,
        price: f.number.int({ min: 0, max: 19 }) === 0 ? null : t.price,
        priceSuffix: t.priceSuffix,
        time: epoch - f.number.int({ min: 60, max: 90 * 24 * 3600 }),
        locationId: location.id,
        locationName: location.name,
        locationSlug: location.slug,
        categoryId,
        categoryName: categories[categoryId].name,
        categorySlug: categories[categoryId].slug,
        address: `${location.name}, ${f.location.street()}, ${f.location.buildingNumber()}`,
        lat: f.location.latitude({ min: 43, max: 60, precision: 5 }),
        lng: f.location.longitude({ min: 30, max: 85, precision: 5 }),
        sellerHash: seller.hash,
        status: f.number.int({ min: 0, max: 29 }) === 0 ? 'old' : 'active',
      });
    }
  }
  return { sellers, listings };
}

/** Display price as Avito shows it: digits grouped with non-breaking spaces, then ₽ and a suffix. */
export function priceText(l: Listing): string {
  if (l.price === null) return 'Цена не указана';
  return `${l.price.toLocaleString('ru-RU').replace(/\s/g, '\u00a0')}\u00a0₽${l.priceSuffix}`;
}

export function titleSlug(l: Listing): string {
  return l.title
    .toLowerCase()
    .replace(/[^a-zа-я0-9.]+/gi, '_')
    .replace(/^_+|_+$/g, '');
}

export function urlPath(l: Listing): string {
  return `/${l.locationSlug}/${l.categorySlug}/${titleSlug(l)}_${l.id}`;
}

/** Newest first, as `sort=date` answers; ties by id. */
export function byDateDesc(a: Listing, b: Listing): number {
  return b.time - a.time || b.id - a.id;
}
