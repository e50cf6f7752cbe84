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

/** A listing's fields as its marketplace names them (`ids.<marketplace>` in the API); null: not known. */
export type ListingIds = Record<string, string | null>;

/**
 * What a connector says about its listings, the rows of `marketplace_listings` (one per product and
 * marketplace). Everything marketplace-specific about a listing is derived here from its `ids`, so the
 * shared catalogue merge, push and order matching read only the generic columns.
 */
export interface ListingSpec {
  /** The marketplace's name as people know it (the stock page's column headers and filters). */
  displayName: string;
  /** The fields of `ids`, in the order the API shows them. */
  fields: readonly string[];
  /** The marketplace's own id of the listing, unique per marketplace (null: not known). */
  listingId(ids: ListingIds): string | null;
  /** What the stock push names the listing by; null: not pushed to this marketplace. */
  pushKey(ids: ListingIds): string | null;
  /** What order and return lines name the good by, the preferred first (it wins over a later key of another product). */
  matchKeys(ids: ListingIds): string[];
  /**
   * The highest stock value a listing takes; a wanted value above it is pushed as this maximum (never
   * refused and left stale), and the products API shows `clampedFrom`.
   */
  stockMax: number;
}

/** Every field of a spec, null where `ids` lacks it. */
export const completeIds = (spec: Pick<ListingSpec, 'fields'>, ids: ListingIds | undefined): ListingIds =>
  Object.fromEntries(spec.fields.map((f) => [f, ids?.[f] ?? null]));

/** One good as a marketplace's catalogue lists it, with that marketplace's ids. */
export interface CatalogEntry {
  /**
   * The internal SKU: with `join: 'sku'` the seller's article (Ozon offer_id, YM offerId), which is
   * the SKU; with `join: 'barcode'` only a default, used when neither an earlier import of this
   * listing nor a barcode joins the good to a product (WB: `<vendorCode>-<techSize>`).
   */
  sku: string;
  join: 'sku' | 'barcode';
  name: string;
  barcodes: string[];
  ids: ListingIds;
}

/** One (product, warehouse) value to push, named as the marketplace knows the product. */
export interface PushItem {
  productId: number;
  /** The listing's push key (ListingSpec.pushKey). */
  pushKey: string;
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

/** A listing of the cabinet, as an FBO stock read matches the marketplace's rows to products. */
export interface FboListing {
  productId: number;
  ids: ListingIds;
}

/**
 * One product's FBO stock on one of the marketplace's own warehouses (fbo-read.ts): shown, never
 * pushed. `quantity` is the marketplace's "available for sale" figure; `details` its other counts.
 */
export interface FboRow {
  productId: number;
  warehouseId: string;
  warehouseName: string;
  /** What the marketplace named the good by (Ozon sku, WB chrtId, YM offerId). */
  listingKey: string;
  quantity: number;
  details: Record<string, number>;
}

export interface FboRead {
  rows: FboRow[];
  /** Rows naming a good none of the cabinet's listings has (not stored). */
  unmapped: number;
}

/** One marketplace's API, as the pollers and the push use it. */
export interface Connector {
  marketplace: Marketplace;
  /** Its listings' fields and keys. */
  listing: ListingSpec;
  /** Items per stock push request. */
  batchSize: number;
  /** False when the credentials are not configured: nothing is polled or pushed. */
  configured: boolean;
  warehouses(): Promise<WarehouseInfo[]>;
  catalog(): Promise<CatalogEntry[]>;
  orders(poll: OrdersPoll): AsyncGenerator<OrdersPage>;
  returns(poll: { cursor: unknown; since: Date }): AsyncGenerator<ReturnsPage>;
  /** The orders named, read one by one or in small batches (a push's targeted poll); unknown ids are left out. Marketplaces that push only. */
  ordersByIds?(ids: string[]): Promise<OrderSnapshot[]>;
  /** Pushes at most `batchSize` items to one warehouse; one outcome per item. */
  push(warehouse: WarehouseInfo, items: PushItem[]): Promise<PushOutcome[]>;
  /**
   * Reads the stock the marketplace holds in its own warehouses for these listings (read only,
   * whole); a marketplace without such warehouses has none, and its polls read no FBO stock.
   */
  fboStocks?(listings: FboListing[]): Promise<FboRead>;
}

/** A marketplace's answer that names the items it refused. */
export const numberOrString = (v: unknown): string | null =>
  typeof v === 'number' || (typeof v === 'string' && v !== '') ? String(v) : null;
