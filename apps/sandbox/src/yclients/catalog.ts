import type { Faker } from '@faker-js/faker';

/**
 * The small per-company lists (staff, positions, service categories, services, cash desks,
 * labels, expense articles), built with faker at company creation. They are read whole, never
 * paged, so they are plain arrays.
 */

export interface Position {
  id: number;
  title: string;
}

export interface Staff {
  id: number;
  api_id: string | null;
  name: string;
  company_id: number;
  specialization: string;
  /** `[]` when unassigned (§4.2). */
  position: Position | [];
  weight: number;
  show_rating: 0 | 1;
  rating: number;
  votes_count: number;
  comments_count: number;
  avatar: string;
  avatar_big: string;
  information: string;
  hidden: 0 | 1;
  fired: 0 | 1;
  status: number;
  user_id: number | null;
  is_fired: boolean;
  is_deleted: boolean;
  is_bookable: boolean;
  dismissal_date: string | null;
  image_group: [];
}

export interface ServiceStaff {
  id: number;
  seance_length: number;
  technological_card_id: number;
  image_url: string;
  price: number | null;
  name: string;
}

export interface Service {
  id: number;
  salon_service_id: number;
  title: string;
  booking_title: string;
  category_id: number;
  price_min: number;
  price_max: number;
  discount: number;
  comment: string;
  weight: number;
  active: 0 | 1;
  api_id: string;
  duration: number;
  is_multi: boolean;
  capacity: number;
  staff: ServiceStaff[];
  image_group: [];
}

export interface ServiceCategory {
  id: number;
  salon_service_id: number;
  title: string;
  api_id: string;
  weight: number;
  staff: number[];
}

export interface Account {
  id: number;
  title: string;
  type: 0 | 1;
  comment: string;
}

export interface Label {
  id: number;
  salon_id: number;
  title: string;
  color: string;
  icon: string;
  entity: 0 | 1 | 2;
  deleted: 0 | 1;
  not_editable: 0 | 1;
}

export interface Expense {
  id: number;
  title: string;
}

export interface Supplier {
  id: number;
  title: string;
}

export interface Catalog {
  positions: Position[];
  staff: Staff[];
  categories: ServiceCategory[];
  services: Service[];
  /** Services each staff member performs, by staff id (falls back to every service). */
  servicesOf: Map<number, Service[]>;
  accounts: Account[];
  labels: Label[];
  expenses: Expense[];
  suppliers: Supplier[];
}

/** System payment articles (§8.5) plus two custom ones with large ids. */
export const EXPENSES: Expense[] = [
  { id: 1, title: 'Закупка материалов' },
  { id: 2, title: 'Закупка товаров' },
  { id: 3, title: 'Зарплата персонала' },
  { id: 4, title: 'Налоги и сборы' },
  { id: 5, title: 'Оказание услуг' },
  { id: 6, title: 'Продажа абонементов' },
  { id: 7, title: 'Продажа товаров' },
  { id: 8, title: 'Прочие доходы' },
  { id: 9, title: 'Прочие расходы' },
  { id: 10, title: 'Пополнение личного счета' },
  { id: 11, title: 'Комиссия за эквайринг' },
  { id: 2640, title: 'Аренда помещения' },
  { id: 2641, title: 'Реклама' },
];

const POSITIONS = ['Мастер', 'Парикмахер-стилист', 'Косметолог', 'Администратор', 'Мастер ногтевого сервиса'];
const SPECIALIZATIONS = ['парикмахер', 'барбер', 'мастер маникюра', 'косметолог', 'визажист', 'массажист', 'колорист'];
const CATEGORY_TITLES = ['Стрижки', 'Окрашивание', 'Маникюр', 'Педикюр', 'Уход за лицом', 'Массаж', 'Брови и ресницы', 'Укладки'];
const SERVICE_WORDS = [
  'Мужская стрижка',
  'Женская стрижка',
  'Детская стрижка',
  'Окрашивание корней',
  'Тонирование',
  'Маникюр с покрытием',
  'Педикюр аппаратный',
  'Чистка лица',
  'Массаж спины',
  'Коррекция бровей',
  'Укладка',
  'Бритьё опасной бритвой',
  'Мелирование',
  'SPA-уход',
  'Наращивание ресниц',
];
const CLIENT_LABELS: [string, string][] = [
  ['VIP', '#e8d313'],
  ['Постоянный', '#2ecc71'],
  ['Проблемный', '#e74c3c'],
  ['Новый', '#3498db'],
  ['Сотрудник', '#9b59b6'],
];
const RECORD_LABELS: [string, string][] = [
  ['Предоплата', '#1abc9c'],
  ['Повторный визит', '#f39c12'],
  ['Акция', '#e67e22'],
];

export interface CatalogSize {
  companyId: number;
  ordinal: number;
  staff: number;
  services: number;
}

export function generateCatalog(f: Faker, size: CatalogSize): Catalog {
  const o = size.ordinal;
  const positions = POSITIONS.map((title, i) => ({ id: 3000 + o * 10 + i, title }));
  const staff: Staff[] = [];
  for (let i = 0; i < size.staff; i++) {
    const fired = i > 1 && f.number.int({ min: 0, max: 9 }) === 0;
    // The last one always has no position, so `position: []` shows up in every company.
    const noPosition = (i > 0 && f.number.int({ min: 0, max: 4 }) === 0) || (i > 0 && i === size.staff - 1);
    const rated = f.datatype.boolean();
    staff.push({
      id: 1_001_500 + o * 1000 + i,
      api_id: f.number.int({ min: 0, max: 3 }) === 0 ? String(f.number.int({ min: 1, max: 999 })) : null,
      name: f.person.firstName(),
      company_id: size.companyId,
      specialization: f.helpers.arrayElement(SPECIALIZATIONS),
      position: noPosition ? [] : f.helpers.arrayElement(positions),
      weight: size.staff - i,
      show_rating: rated ? 1 : 0,
      rating: rated ? f.number.float({ min: 3.5, max: 5, fractionDigits: 5 }) : 0,
      votes_count: rated ? f.number.int({ min: 1, max: 300 }) : 0,
      comments_count: rated ? f.number.int({ min: 0, max: 80 }) : 0,
      avatar: 'https://yclients.com/images/no-master-sm.png',
      avatar_big: 'https://yclients.com/images/no-master.png',
      information: f.number.int({ min: 0, max: 2 }) === 0 ? `<p>${f.lorem.sentence()}</p>` : '',
      hidden: fired || f.number.int({ min: 0, max: 7 }) === 0 ? 1 : 0,
      fired: fired ? 1 : 0,
      status: 0,
      user_id: f.number.int({ min: 0, max: 2 }) === 0 ? f.number.int({ min: 1_000_000, max: 9_999_999 }) : null,
      is_fired: fired,
      is_deleted: false,
      is_bookable: !fired,
      dismissal_date: fired ? f.date.past({ years: 1, refDate: '2026-11-01' }).toISOString().slice(0, 10) : null,
      image_group: [],
    });
  }

  const categoryCount = Math.max(1, Math.min(CATEGORY_TITLES.length, Math.ceil(size.services / 5)));
  const categories: ServiceCategory[] = CATEGORY_TITLES.slice(0, categoryCount).map((title, i) => ({
    id: 83_000 + o * 1000 + i,
    salon_service_id: 350 + i,
    title,
    api_id: '',
    weight: categoryCount - i,
    staff: [],
  }));

  const services: Service[] = [];
  for (let i = 0; i < size.services; i++) {
    const category = categories[i % categories.length]!;
    const price = f.number.int({ min: 8, max: 60 }) * 100;
    const duration = f.number.int({ min: 2, max: 8 }) * 900;
    const performers = staff.length === 0 ? [] : f.helpers.arrayElements(staff, { min: 1, max: Math.min(4, staff.length) });
    const title = `${f.helpers.arrayElement(SERVICE_WORDS)}${i >= SERVICE_WORDS.length ? ` ${Math.floor(i / SERVICE_WORDS.length) + 1}` : ''}`;
    services.push({
      id: 83_500 + o * 1000 + i,
      salon_service_id: 433_000 + i,
      title,
      booking_title: title,
      category_id: category.id,
      price_min: price,
      price_max: price + f.number.int({ min: 0, max: 4 }) * 100,
      discount: 0,
      comment: '',
      weight: size.services - i,
      active: f.number.int({ min: 0, max: 9 }) === 0 ? 0 : 1,
      api_id: f.datatype.boolean() ? '' : String(f.number.int({ min: 1, max: 99_999 })).padStart(11, '0'),
      duration,
      is_multi: false,
      capacity: 0,
      staff: performers.map((s) => ({
        id: s.id,
        seance_length: duration + f.number.int({ min: -1, max: 1 }) * 900 || duration,
        technological_card_id: 0,
        image_url: '',
        price: f.number.int({ min: 0, max: 3 }) === 0 ? price + 200 : null,
        name: s.name,
      })),
      image_group: [],
    });
    for (const s of performers) if (!category.staff.includes(s.id)) category.staff.push(s.id);
  }
  const servicesOf = new Map<number, Service[]>();
  for (const s of staff) {
    const own = services.filter((svc) => svc.staff.some((p) => p.id === s.id));
    servicesOf.set(s.id, own.length > 0 ? own : services);
  }

  const accounts: Account[] = [
    { id: 90_459 + o * 10, title: 'Основная касса', type: 0, comment: 'на ресепшене' },
    { id: 90_460 + o * 10, title: 'Расчётный счёт', type: 1, comment: 'безнал' },
    { id: 90_461 + o * 10, title: 'Эквайринг', type: 1, comment: '' },
  ];
  const labels: Label[] = [
    ...CLIENT_LABELS.map(([title, color], i) => ({ id: 4 + o * 20 + i, title, color, entity: 1 as const })),
    ...RECORD_LABELS.map(([title, color], i) => ({ id: 100_000 + o * 20 + i, title, color, entity: 2 as const })),
  ].map((l) => ({ ...l, salon_id: size.companyId, icon: '', deleted: 0 as const, not_editable: 0 as const }));
  const suppliers = [0, 1, 2].map((i) => ({ id: 1968 + o * 10 + i, title: `ООО «${f.company.name().replace(/[«»"]/g, '')}»` }));

  return { positions, staff, categories, services, servicesOf, accounts, labels, expenses: EXPENSES, suppliers };
}

/** First names, surnames and patronymics by sex (1 male, 2 female), drawn once per seed. */
export interface NamePools {
  first: Record<1 | 2, string[]>;
  last: Record<1 | 2, string[]>;
  middle: Record<1 | 2, string[]>;
  comments: string[];
}

export function generateNamePools(f: Faker, size = 150): NamePools {
  const draw = (fn: () => string) => Array.from({ length: size }, fn);
  return {
    first: { 1: draw(() => f.person.firstName('male')), 2: draw(() => f.person.firstName('female')) },
    last: { 1: draw(() => f.person.lastName('male')), 2: draw(() => f.person.lastName('female')) },
    middle: { 1: draw(() => f.person.middleName('male')), 2: draw(() => f.person.middleName('female')) },
    comments: ['предпочитает утро', 'аллергия на аммиак', 'только к своему мастеру', 'просит не звонить', 'оплата картой'],
  };
}
