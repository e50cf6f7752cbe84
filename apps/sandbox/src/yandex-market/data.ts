import type { CatalogItem } from '../marketplace-catalog';
import { seededFaker } from '../random';

export interface YmCredentials {
  apiKey: string;
  /** Deprecated `Authorization: Bearer <oauth>`. */
  oauthToken: string;
}
/** Account `a`'s business (the sandbox's historical one). */
export const YM_CREDENTIALS: YmCredentials = {
  apiKey: 'ACMA:sandboxYandexMarketApiKey0000000000000:1a2b3c4d',
  oauthToken: 'y0_AgAAAAsandboxYandexMarketOAuthToken',
};
/**
 * Every sandbox account's credentials, by account name. Account `b` is another business with the
 * same campaign and warehouse ids as `a` (harsher than reality, where they are global): DataSync
 * must tell the two apart by connection, not by campaign id.
 */
export const YM_ACCOUNT_CREDENTIALS: Record<string, YmCredentials> = {
  a: YM_CREDENTIALS,
  b: { apiKey: 'ACMA:sandboxYandexMarketApiKeyB000000000000:5e6f7a8b', oauthToken: 'y0_AgAAAAsandboxYandexMarketOAuthTokenB' },
};

export const YM_BUSINESS = { id: 1_234_567, name: 'ООО Ромашка' };
export const YM_CAMPAIGNS = [
  { id: 21_421, domain: 'Ромашка FBS', placementType: 'FBS', warehouseId: 55_555 },
  { id: 21_422, domain: 'Ромашка DBS', placementType: 'DBS', warehouseId: 55_556 },
] as const;
export type YmCampaign = (typeof YM_CAMPAIGNS)[number];
export const YM_WAREHOUSES = [
  { id: 55_555, name: 'Склад 1', campaignId: 21_421, express: false },
  { id: 55_556, name: 'Склад 2', campaignId: 21_422, express: false },
] as const;

export const ORDER_STATUSES = [
  'PLACING',
  'RESERVED',
  'UNPAID',
  'PROCESSING',
  'DELIVERY',
  'PICKUP',
  'DELIVERED',
  'CANCELLED',
  'PENDING',
  'PARTIALLY_RETURNED',
  'RETURNED',
  'UNKNOWN',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The forward path an order travels as `status/substatus`; moves may skip steps, never go back. */
export const ORDER_FLOW = [
  'UNPAID',
  'PENDING',
  'PROCESSING/STARTED',
  'PROCESSING/READY_TO_SHIP',
  'PROCESSING/SHIPPED',
  'DELIVERY',
  'PICKUP',
  'DELIVERED',
  'PARTIALLY_RETURNED',
  'RETURNED',
];
export const DEFAULT_SUBSTATUS: Partial<Record<OrderStatus, string>> = {
  PROCESSING: 'STARTED',
  DELIVERY: 'DELIVERY_SERVICE_RECEIVED',
  PICKUP: 'PICKUP_SERVICE_RECEIVED',
  DELIVERED: 'DELIVERY_SERVICE_DELIVERED',
  CANCELLED: 'USER_CHANGED_MIND',
  UNPAID: 'WAITING_USER_INPUT',
  PENDING: 'AWAIT_CONFIRMATION',
};

export const SHIPMENT_STATUSES = [
  'CREATED',
  'RECEIVED',
  'IN_TRANSIT',
  'READY_FOR_PICKUP',
  'PICKED',
  'LOST',
  'EXPIRED',
  'CANCELLED',
  'FULFILMENT_RECEIVED',
  'PREPARED_FOR_UTILIZATION',
  'NOT_IN_DEMAND',
  'UTILIZED',
  'READY_FOR_EXPROPRIATION',
  'RECEIVED_FOR_EXPROPRIATION',
  'UNKNOWN',
] as const;
export const REFUND_STATUSES = [
  'STARTED_BY_USER',
  'REFUND_IN_PROGRESS',
  'REFUNDED',
  'FAILED',
  'WAITING_FOR_DECISION',
  'DECISION_MADE',
  'REFUNDED_WITH_BONUSES',
  'REFUNDED_BY_SHOP',
  'COMPLETE_WITHOUT_REFUND',
  'CANCELLED',
  'REJECTED',
  'UNKNOWN',
] as const;

export interface YmOrderItem {
  id: number;
  item: CatalogItem;
  count: number;
}

export interface YmOrder {
  id: number;
  campaign: YmCampaign;
  status: OrderStatus;
  substatus: string;
  createdAt: number;
  updatedAt: number;
  shipmentDate: number;
  items: YmOrderItem[];
  /** Whether the order reached DELIVERY before it ended (a cancellation then is not a release). */
  shipped: boolean;
}

export interface YmReturn {
  id: number;
  order: YmOrder;
  returnType: 'RETURN' | 'UNREDEEMED';
  createdAt: number;
  updatedAt: number;
  refundStatus: string;
  shipmentStatus: string;
  items: { line: YmOrderItem; count: number; reasonType: string; stockType: string }[];
}

export interface YmStock {
  count: number;
  updatedAt: number;
  pushes: number;
}

export const stockKey = (warehouseId: number, offerId: string) => `${warehouseId}:${offerId}`;

/** Units still reserved at the seller's warehouse (reference §4.3, conservative reading). */
export const isReserve = (o: YmOrder) =>
  o.status === 'UNPAID' || o.status === 'PENDING' || o.status === 'RESERVED' || (o.status === 'PROCESSING' && o.substatus !== 'SHIPPED');

export class YmIds {
  private order: number;
  private item = 93_500;
  private ret = 1_234_560;
  constructor(base: number) {
    this.order = 46_250_000 + base;
  }
  nextOrder() {
    this.order += 1;
    return this.order;
  }
  nextItem() {
    this.item += 1;
    return this.item;
  }
  nextReturn() {
    this.ret += 1;
    return this.ret;
  }
}

export function makeOrder(
  ids: YmIds,
  campaign: YmCampaign,
  lines: { item: CatalogItem; count: number }[],
  createdAt: number,
  status: OrderStatus = 'PROCESSING',
  substatus?: string,
): YmOrder {
  return {
    id: ids.nextOrder(),
    campaign,
    status,
    substatus: substatus ?? DEFAULT_SUBSTATUS[status] ?? '',
    createdAt,
    updatedAt: createdAt,
    shipmentDate: createdAt + 24 * 3600_000,
    items: lines.map((l) => ({ id: ids.nextItem(), item: l.item, count: l.count })),
    shipped: ['DELIVERY', 'PICKUP', 'DELIVERED'].includes(status),
  };
}

/** Seeded state: 24 orders over two campaigns in the last ten days before `now`, two returns, starting stock. */
export function generateYmData(seed: number, catalog: CatalogItem[], now: number, idSeed = seed) {
  const f = seededFaker(seed ^ 0x7a4d);
  f.number.int({ min: 0, max: 900 }); // account a's id base; kept drawn so its contents stay as they were
  // Order ids come from `idSeed`, shared by every sandbox account: they collide across businesses.
  const ids = new YmIds(seededFaker(idSeed ^ 0x7a4d).number.int({ min: 0, max: 900 }) * 100);
  const orders: YmOrder[] = [];
  for (let i = 0; i < 24; i++) {
    const createdAt = now - (24 - i) * 9 * 3600_000 - f.number.int({ min: 0, max: 3600_000 });
    const [status, substatus] = f.helpers.weightedArrayElement<[OrderStatus, string]>([
      { weight: 6, value: ['PROCESSING', 'STARTED'] },
      { weight: 3, value: ['PROCESSING', 'READY_TO_SHIP'] },
      { weight: 4, value: ['DELIVERY', 'DELIVERY_SERVICE_RECEIVED'] },
      { weight: 6, value: ['DELIVERED', 'DELIVERY_SERVICE_DELIVERED'] },
      { weight: 4, value: ['CANCELLED', 'USER_CHANGED_MIND'] },
      { weight: 1, value: ['UNPAID', 'WAITING_USER_INPUT'] },
    ]);
    const lines = f.helpers.arrayElements(catalog, { min: 1, max: 2 }).map((item) => ({ item, count: f.number.int({ min: 1, max: 3 }) }));
    const order = makeOrder(ids, f.helpers.arrayElement(YM_CAMPAIGNS), lines, createdAt, status, substatus);
    order.updatedAt = Math.min(now - 60_000, createdAt + f.number.int({ min: 5, max: 600 }) * 60_000);
    orders.push(order);
  }
  const returns: YmReturn[] = orders
    .filter((o) => o.status === 'DELIVERED')
    .slice(0, 2)
    .map((order, k) => {
      const line = order.items[0]!;
      const at = Math.min(now - 60_000, order.updatedAt + 24 * 3600_000);
      return {
        id: ids.nextReturn(),
        order,
        returnType: k === 0 ? 'RETURN' : 'UNREDEEMED',
        createdAt: at,
        updatedAt: at,
        refundStatus: k === 0 ? 'REFUND_IN_PROGRESS' : 'REFUNDED',
        shipmentStatus: k === 0 ? 'IN_TRANSIT' : 'READY_FOR_PICKUP',
        items: [{ line, count: 1, reasonType: k === 0 ? 'BAD_QUALITY' : 'DO_NOT_FIT', stockType: k === 0 ? 'DEFECT' : 'FIT' }],
      };
    });
  const stocks = new Map<string, YmStock>();
  for (const item of catalog) {
    for (const w of YM_WAREHOUSES) {
      stocks.set(stockKey(w.id, item.ym.offerId), { count: f.number.int({ min: 0, max: 40 }), updatedAt: now - 24 * 3600_000, pushes: 0 });
    }
  }
  return { ids, orders, returns, stocks };
}
