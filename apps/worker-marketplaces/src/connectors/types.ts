import type { Marketplace } from '@datasync/queues';
import type { OrderSnapshot, ReturnSnapshot } from '@datasync/stock-ledger';

/** A warehouse stock is pushed to (YM: a campaign's warehouse; the push goes to the campaign). */
export interface WarehouseInfo {
  warehouseId: string;
  name: string;
  campaignId?: string;
  active: boolean;
  raw: unknown;
}

/** One good as a marketplace's catalogue lists it, with that marketplace's ids. */
export interface CatalogEntry {
  /** The seller's article where the marketplace has one that equals ours (Ozon offer_id, YM offerId). */
  sku?: string;
  name: string;
  barcodes: string[];
  ozon?: { offerId: string; productId: string; sku: string | null };
  wb?: { nmId: string; chrtId: string; barcode: string | null; vendorCode: string; techSize: string };
  ym?: { offerId: string; marketSku: string | null };
}

/** A product's keys on every marketplace, as the push needs them. */
export interface ProductKeys {
  productId: number;
  ozonOfferId: string | null;
  ozonProductId: string | null;
  wbChrtId: string | null;
  ymOfferId: string | null;
}

export interface PushItem {
  product: ProductKeys;
  value: number;
}

export type PushOutcome =
  | { productId: number; ok: true }
  | { productId: number; ok: false; code: string; message: string; retryable: boolean }
  /** Not sent: the marketplace takes no update of this pair for this long yet (Ozon's 30 s per pair). */
  | { productId: number; ok: false; heldForMs: number };

export interface OrdersPage {
  orders: OrderSnapshot[];
  /** Where the next poll starts, given with the page after which it holds. */
  cursor?: unknown;
}

export interface ReturnsPage {
  returns: ReturnSnapshot[];
  cursor?: unknown;
}

export interface OrdersPoll {
  /** The saved cursor (undefined on the first poll). */
  cursor: unknown;
  /** Re-read from here (the last poll's time minus the overlap, or the first-poll horizon). */
  since: Date;
  /** Orders we hold as open (stage reserved), for marketplaces that report changes only by id (WB). */
  open: { orderId: string; marketplaceSku: string }[];
  /** When the oldest of those was created (YM asks its creation window back to it). */
  oldestOpen?: Date | null;
}

/** One marketplace's API, as the pollers and the push use it. */
export interface Connector {
  marketplace: Marketplace;
  /** Items per stock push request. */
  batchSize: number;
  /** False when the credentials are not configured: nothing is polled or pushed. */
  configured: boolean;
  warehouses(): Promise<WarehouseInfo[]>;
  catalog(): Promise<CatalogEntry[]>;
  orders(poll: OrdersPoll): AsyncGenerator<OrdersPage>;
  returns(poll: { cursor: unknown; since: Date }): AsyncGenerator<ReturnsPage>;
  /** Pushes at most `batchSize` items to one warehouse; one outcome per item. */
  push(warehouse: WarehouseInfo, items: PushItem[]): Promise<PushOutcome[]>;
}

/** A marketplace's answer that names the items it refused. */
export const numberOrString = (v: unknown): string | null => (typeof v === 'number' || (typeof v === 'string' && v !== '') ? String(v) : null);
