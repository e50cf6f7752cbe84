import type { CatalogItem } from '../marketplace-catalog';
import { seededFaker } from '../random';

export interface OzonCredentials {
  clientId: string;
  apiKey: string;
}
/** Account `a` (the sandbox's historical seller cabinet). */
export const OZON_CREDENTIALS: OzonCredentials = { clientId: '836201', apiKey: '5c1b6a8e-0d2f-4b7a-9e3c-sandbox0ozon' };
/** Every sandbox account's cabinet, by account name. */
export const OZON_ACCOUNT_CREDENTIALS: Record<string, OzonCredentials> = {
  a: OZON_CREDENTIALS,
  b: { clientId: '912477', apiKey: 'e41f0c7d-93b5-4a28-b6d1-sandbox1ozon' },
};

export const OZON_WAREHOUSES = [
  { warehouse_id: 22142605386000, name: 'Склад на Ленина', is_kgt: false, delivery_method_id: 15110442724000 },
  { warehouse_id: 1020003080073000, name: 'Склад Подольск КГТ', is_kgt: true, delivery_method_id: 1020003080074000 },
] as const;
export type OzonWarehouse = (typeof OZON_WAREHOUSES)[number];

export const POSTING_STATUSES = [
  'awaiting_registration',
  'acceptance_in_progress',
  'awaiting_approve',
  'awaiting_packaging',
  'awaiting_deliver',
  'arbitration',
  'client_arbitration',
  'delivering',
  'driver_pickup',
  'delivered',
  'cancelled',
  'not_accepted',
  'sent_by_seller',
] as const;
export type PostingStatus = (typeof POSTING_STATUSES)[number];

/** Statuses whose units are still reserved at the seller's warehouse (reference §2.3). */
export const RESERVE_STATUSES: readonly PostingStatus[] = [
  'awaiting_registration',
  'acceptance_in_progress',
  'awaiting_approve',
  'awaiting_packaging',
  'awaiting_deliver',
];
/** The forward path a posting travels; a move may skip steps but never go back. */
export const POSTING_FLOW: readonly PostingStatus[] = [...RESERVE_STATUSES, 'driver_pickup', 'sent_by_seller', 'delivering', 'delivered'];
export const SHIPPED_STATUSES: readonly PostingStatus[] = ['driver_pickup', 'sent_by_seller', 'delivering', 'delivered'];
export const FINAL_STATUSES: readonly PostingStatus[] = ['delivered', 'cancelled', 'not_accepted'];

export const SUBSTATUS: Record<PostingStatus, string> = {
  awaiting_registration: 'posting_awaiting_registration',
  acceptance_in_progress: 'posting_acceptance_in_progress',
  awaiting_approve: 'posting_created',
  awaiting_packaging: 'posting_created',
  awaiting_deliver: 'posting_registered',
  arbitration: 'posting_in_arbitration',
  client_arbitration: 'posting_in_client_arbitration',
  delivering: 'posting_in_carriage',
  driver_pickup: 'posting_transferring_to_delivery',
  delivered: 'posting_delivered',
  cancelled: 'posting_canceled',
  not_accepted: 'posting_not_in_carriage',
  sent_by_seller: 'posting_in_carriage',
};

export interface PostingProduct {
  item: CatalogItem;
  quantity: number;
}

export interface Posting {
  postingNumber: string;
  orderId: number;
  orderNumber: string;
  status: PostingStatus;
  warehouse: OzonWarehouse;
  createdAt: number;
  shipmentDate: number;
  deliveringDate: number | null;
  statusChangedAt: number;
  products: PostingProduct[];
  cancellation: { reasonId: number; reason: string; afterShip: boolean; initiator: string } | null;
}

export const RETURN_STATUSES: Record<string, { id: number; display_name: string }> = {
  MovingToSeller: { id: 1, display_name: 'Едет к продавцу' },
  ArrivedAtReturnPlace: { id: 3, display_name: 'В пункте выдачи' },
  ReceivedBySeller: { id: 4, display_name: 'Получен продавцом' },
  ReturnedToOzon: { id: 5, display_name: 'Возвращён на склад Ozon' },
  Utilizing: { id: 6, display_name: 'Утилизируется' },
  Utilized: { id: 7, display_name: 'Утилизирован' },
  DisputeOpened: { id: 8, display_name: 'Открыт спор' },
  Cancelled: { id: 9, display_name: 'Отменён' },
};

export const RETURN_TYPES = ['Cancellation', 'FullReturn', 'PartialReturn', 'ClientReturn', 'Unknown'] as const;

export interface OzonReturn {
  id: number;
  type: (typeof RETURN_TYPES)[number];
  posting: Posting;
  item: CatalogItem;
  quantity: number;
  status: string;
  statusChangedAt: number;
  createdAt: number;
  finalMoment: number | null;
  barcode: string;
  reason: string;
}

export interface StockRecord {
  stock: number;
  updatedAt: number;
  pushes: number;
  /** Updates refused with TOO_MANY_REQUESTS (the pair was updated less than 30 s before). */
  refused?: number;
}

/** Numbers new postings and returns; sequential so they are stable for one seed. */
export class OzonIds {
  private order = 0;
  private returnId = 1_000_015_551;
  constructor(private readonly base: number) {}
  nextPosting() {
    this.order += 1;
    const orderId = 559_293_114 + this.base + this.order * 37;
    const orderNumber = `${23_713_478 + this.base + this.order * 7}-${String(this.order % 10_000).padStart(4, '0')}`;
    return { orderId, orderNumber, postingNumber: `${orderNumber}-1` };
  }
  nextReturn() {
    return ++this.returnId;
  }
}

export function makePosting(
  ids: OzonIds,
  products: PostingProduct[],
  warehouse: OzonWarehouse,
  createdAt: number,
  status: PostingStatus = 'awaiting_packaging',
): Posting {
  return {
    ...ids.nextPosting(),
    status,
    warehouse,
    createdAt,
    shipmentDate: createdAt + 2 * 24 * 3600_000,
    deliveringDate: SHIPPED_STATUSES.includes(status) ? createdAt + 36 * 3600_000 : null,
    statusChangedAt: createdAt,
    products,
    cancellation:
      status === 'cancelled' ? { reasonId: 352, reason: 'Покупатель отменил заказ', afterShip: false, initiator: 'Клиент' } : null,
  };
}

/**
 * The seeded state: 30 postings created over the last ten days before `now` in every status a
 * poller meets, three returns, and a starting stock for every product on the first warehouse.
 */
export function generateOzonData(seed: number, catalog: CatalogItem[], now: number, idSeed = seed) {
  const f = seededFaker(seed ^ 0x0207);
  f.number.int({ min: 0, max: 900 }); // account a's id base; kept drawn so its contents stay as they were
  // Posting/order numbers come from `idSeed`, shared by every sandbox account: they collide across cabinets.
  const ids = new OzonIds(seededFaker(idSeed ^ 0x0207).number.int({ min: 0, max: 900 }) * 1000);
  const postings: Posting[] = [];
  const plain = catalog.filter((c) => c.cargoType !== 3);
  for (let i = 0; i < 30; i++) {
    const createdAt = now - (30 - i) * 7 * 3600_000 - f.number.int({ min: 0, max: 3600_000 });
    const status = f.helpers.weightedArrayElement<PostingStatus>([
      { weight: 8, value: 'awaiting_packaging' },
      { weight: 4, value: 'awaiting_deliver' },
      { weight: 4, value: 'delivering' },
      { weight: 6, value: 'delivered' },
      { weight: 4, value: 'cancelled' },
    ]);
    const products = f.helpers
      .arrayElements(plain, { min: 1, max: 2 })
      .map((item) => ({ item, quantity: f.number.int({ min: 1, max: 2 }) }));
    const p = makePosting(ids, products, OZON_WAREHOUSES[0], createdAt, status);
    p.statusChangedAt = Math.min(now - 60_000, createdAt + f.number.int({ min: 5, max: 600 }) * 60_000);
    // Open postings are due soon (not overdue), so a poller's packing-deadline window finds them.
    if (RESERVE_STATUSES.includes(status)) p.shipmentDate = Math.max(p.shipmentDate, now + f.number.int({ min: 1, max: 72 }) * 3600_000);
    postings.push(p);
  }
  const returns: OzonReturn[] = postings
    .filter((p) => p.status === 'delivered')
    .slice(0, 3)
    .map((posting, k) => {
      const product = posting.products[0]!;
      const status = (['MovingToSeller', 'ArrivedAtReturnPlace', 'ReceivedBySeller'] as const)[k]!;
      const changed = Math.min(now - 60_000, posting.statusChangedAt + 24 * 3600_000);
      return {
        id: ids.nextReturn(),
        type: 'ClientReturn' as const,
        posting,
        item: product.item,
        quantity: 1,
        status,
        statusChangedAt: changed,
        createdAt: changed,
        finalMoment: status === 'ReceivedBySeller' ? changed : null,
        barcode: `ii${f.string.numeric(10)}`,
        reason: 'Не подошёл размер',
      };
    });
  const stocks = new Map<string, StockRecord>();
  for (const item of catalog) {
    const warehouse = item.cargoType === 3 ? OZON_WAREHOUSES[1] : OZON_WAREHOUSES[0];
    stocks.set(stockKey(item.ozon.productId, warehouse.warehouse_id), {
      stock: f.number.int({ min: 0, max: 40 }),
      updatedAt: now - DAY_MS,
      pushes: 0,
    });
  }
  return { ids, postings, returns, stocks };
}

const DAY_MS = 24 * 3600_000;
export const stockKey = (productId: number, warehouseId: number) => `${productId}:${warehouseId}`;
