import type { Faker } from '@faker-js/faker';
import type { CatalogItem } from '../marketplace-catalog';
import { seededFaker } from '../random';

/** Token categories: bit numbers of the JWT `s` mask (reference §3.1); bit n is `1 << n`. */
export const WB_CATEGORY_BITS = {
  content: 1,
  analytics: 2,
  prices: 3,
  marketplace: 4,
  statistics: 5,
  promotion: 6,
  feedbacks: 7,
  chat: 9,
  supplies: 10,
  returns: 11,
  documents: 12,
  finance: 13,
  users: 16,
  readOnly: 30,
} as const;
export type WbCategory = Exclude<keyof typeof WB_CATEGORY_BITS, 'readOnly'>;

interface WbSeller {
  sid: string;
  oid: number;
  /** Token names carry it so two sellers' tokens differ (`full`, `b-full`). */
  tokenPrefix: string;
}
/** Each sandbox account's seller (account `a`: the sandbox's historical one). */
const SELLERS: Record<string, WbSeller> = {
  a: { sid: 'd8a5c3f1-6b2e-4f7a-9c1d-5ab0e4f2c6d8', oid: 1_234_567, tokenPrefix: '' },
  b: { sid: '3f9e61b0-2c47-4d8a-a5e3-7b1c0d9f4e26', oid: 2_345_671, tokenPrefix: 'b-' },
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A JWT-shaped token; the fake recognises only the tokens it issued (the signature is not checked). */
function token(name: string, categories: (keyof typeof WB_CATEGORY_BITS)[], seller: WbSeller = SELLERS.a!): string {
  const s = categories.reduce((m, c) => m | (1 << WB_CATEGORY_BITS[c]), 0) >>> 0;
  const payload = {
    ent: 1,
    exp: 1_893_456_000,
    id: `0190a1b2-${name}`,
    iid: 45_123_456,
    oid: seller.oid,
    s,
    sid: seller.sid,
    t: false,
    uid: 98_765_432,
    acc: 3,
    for: 'self',
  };
  return `${b64({ alg: 'ES256', kid: '20240101v1', typ: 'JWT' })}.${b64(payload)}.sandbox-${name}`;
}
const ALL: WbCategory[] = [
  'content',
  'analytics',
  'prices',
  'marketplace',
  'statistics',
  'promotion',
  'feedbacks',
  'chat',
  'supplies',
  'returns',
  'documents',
  'finance',
  'users',
];

const tokensOf = (seller: WbSeller) => ({
  /** Every category, read and write. */
  full: token(`${seller.tokenPrefix}full`, ALL, seller),
  /** Marketplace only: 401 on the content, returns and analytics hosts. */
  marketplace: token(`${seller.tokenPrefix}marketplace`, ['marketplace'], seller),
  /** Every category, read-only: 401 on PUT/PATCH/DELETE. */
  readOnly: token(`${seller.tokenPrefix}readonly`, [...ALL, 'readOnly'], seller),
});
export type WbTokens = ReturnType<typeof tokensOf>;
/** Account `a`'s tokens. */
export const WB_TOKENS: WbTokens = tokensOf(SELLERS.a!);
export const WB_SELLER_ID = SELLERS.a!.sid;
/** Every sandbox account's seller id and tokens, by account name. */
export const WB_ACCOUNTS: Record<string, { sellerId: string; tokens: WbTokens }> = Object.fromEntries(
  Object.entries(SELLERS).map(([name, seller]) => [name, { sellerId: seller.sid, tokens: tokensOf(seller) }]),
);

export const WB_WAREHOUSES = [
  {
    id: 658_434,
    officeId: 15,
    name: 'ул. Троицкая, Подольск, Московская обл.',
    officeName: 'Подольск',
    cargoType: 1,
    deliveryType: 1,
    isDeleting: false,
    isProcessing: false,
  },
  {
    id: 658_435,
    officeId: 507,
    name: 'Коледино, склад продавца КГТ',
    officeName: 'Коледино',
    cargoType: 3,
    deliveryType: 1,
    isDeleting: false,
    isProcessing: false,
  },
  {
    id: 700_001,
    officeId: 120,
    name: 'Электросталь (переезд)',
    officeName: 'Электросталь',
    cargoType: 1,
    deliveryType: 1,
    isDeleting: false,
    isProcessing: true,
  },
] as const;
export type WbWarehouse = (typeof WB_WAREHOUSES)[number];

export const SUPPLIER_STATUSES = ['new', 'confirm', 'complete', 'cancel'] as const;
export type SupplierStatus = (typeof SUPPLIER_STATUSES)[number];
export const WB_STATUSES = [
  'waiting',
  'sorted',
  'sold',
  'canceled',
  'canceled_by_client',
  'declined_by_client',
  'defect',
  'ready_for_pickup',
  'postponed_delivery',
  'accepted_by_carrier',
  'sent_to_carrier',
] as const;
export type WbStatus = (typeof WB_STATUSES)[number];

/** One assembly task: one unit of one size. */
export interface WbTask {
  id: number;
  rid: string;
  orderUid: string;
  createdAt: number;
  warehouse: WbWarehouse;
  item: CatalogItem;
  supplierStatus: SupplierStatus;
  wbStatus: WbStatus;
  supplyId: string | null;
  isZeroOrder: boolean;
  statusChangedAt: number;
}

export interface WbClaim {
  id: string;
  task: WbTask;
  status: number;
  statusEx: number;
  comment: string;
  createdAt: number;
  updatedAt: number;
}

export interface WbGoodsReturn {
  shkId: number;
  task: WbTask;
  status: string;
  reason: string;
  createdAt: number;
  completedAt: number | null;
}

export interface WbStock {
  amount: number;
  updatedAt: number;
  pushes: number;
}

export const stockKey = (warehouseId: number, chrtId: number) => `${warehouseId}:${chrtId}`;

/** Numbers tasks, supplies and return stickers; sequential so they are stable for one seed. */
export class WbIds {
  private task: number;
  private supply = 92_937_100;
  private shk = 17_230_000_000;
  constructor(
    private readonly f: Faker,
    idBase: number,
  ) {
    f.number.int({ min: 0, max: 90 }); // account a's id base; kept drawn so its contents stay as they were
    this.task = 13_833_700 + idBase * 100;
  }
  nextTask() {
    this.task += 1;
    return this.task;
  }
  rid() {
    return this.f.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' });
  }
  orderUid() {
    return `165918930_${this.rid()}`;
  }
  nextSupply() {
    return `WB-GI-${++this.supply}`;
  }
  nextShk() {
    return ++this.shk;
  }
  uuid() {
    return this.f.string.uuid();
  }
}

export function makeTask(
  ids: WbIds,
  item: CatalogItem,
  warehouse: WbWarehouse,
  createdAt: number,
  orderUid: string,
  isZeroOrder: boolean,
): WbTask {
  return {
    id: ids.nextTask(),
    rid: ids.rid(),
    orderUid,
    createdAt,
    warehouse,
    item,
    supplierStatus: 'new',
    wbStatus: 'waiting',
    supplyId: null,
    isZeroOrder,
    statusChangedAt: createdAt,
  };
}

const warehouseFor = (item: CatalogItem): WbWarehouse => (item.cargoType === 1 ? WB_WAREHOUSES[0] : WB_WAREHOUSES[1]);

/**
 * Seeded state: 40 assembly tasks over the last ten days before `now` in every supplier status,
 * two buyer claims, one goods-return row, and a starting stock for every size.
 */
export function generateWbData(seed: number, catalog: CatalogItem[], now: number, idSeed = seed) {
  const f = seededFaker(seed ^ 0x0b0b);
  // Assembly task ids come from `idSeed`, shared by every sandbox account: they collide across sellers.
  const ids = new WbIds(f, seededFaker(idSeed ^ 0x0b0b).number.int({ min: 0, max: 90 }));
  const tasks: WbTask[] = [];
  for (let i = 0; i < 40; i++) {
    const item = f.helpers.arrayElement(catalog);
    const createdAt = now - (40 - i) * 6 * 3600_000 - f.number.int({ min: 0, max: 3600_000 });
    const task = makeTask(ids, item, warehouseFor(item), createdAt, ids.orderUid(), false);
    const supplierStatus = f.helpers.weightedArrayElement<SupplierStatus>([
      { weight: 12, value: 'new' },
      { weight: 8, value: 'confirm' },
      { weight: 12, value: 'complete' },
      { weight: 4, value: 'cancel' },
    ]);
    task.supplierStatus = supplierStatus;
    if (supplierStatus !== 'new') task.supplyId = supplierStatus === 'cancel' ? null : ids.nextSupply();
    task.wbStatus =
      supplierStatus === 'cancel'
        ? 'canceled'
        : supplierStatus === 'complete'
          ? f.helpers.arrayElement<WbStatus>(['sorted', 'sold', 'sold'])
          : 'waiting';
    task.statusChangedAt = Math.min(now - 60_000, createdAt + f.number.int({ min: 5, max: 600 }) * 60_000);
    tasks.push(task);
  }
  const sold = tasks.filter((t) => t.wbStatus === 'sold');
  const claims: WbClaim[] = sold.slice(0, 2).map((task, k) => ({
    id: ids.uuid(),
    task,
    status: k === 0 ? 0 : 2,
    statusEx: k === 0 ? 0 : 10,
    comment: 'Не подошёл размер',
    createdAt: Math.min(now - 60_000, task.statusChangedAt + 3600_000),
    updatedAt: Math.min(now - 60_000, task.statusChangedAt + 7200_000),
  }));
  const goodsReturns: WbGoodsReturn[] = sold.slice(1, 2).map((task) => ({
    shkId: ids.nextShk(),
    task,
    status: 'В пути в пвз',
    reason: 'Возврат покупателя',
    createdAt: Math.min(now - 60_000, task.statusChangedAt + 7200_000),
    completedAt: null,
  }));
  const stocks = new Map<string, WbStock>();
  for (const item of catalog) {
    stocks.set(stockKey(warehouseFor(item).id, item.wb.chrtId), {
      amount: f.number.int({ min: 0, max: 40 }),
      updatedAt: now - 24 * 3600_000,
      pushes: 0,
    });
  }
  return { ids, tasks, claims, goodsReturns, stocks };
}
