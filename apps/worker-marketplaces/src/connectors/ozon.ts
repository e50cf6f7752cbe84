import type { HttpClient, KeyedCooldown } from '@datasync/connector-kit';
import { UpstreamRequestError } from '@datasync/connector-kit';
import type { OrderSnapshot, Stage } from '@datasync/stock-ledger';
import { accountKey, marketplaceClient, type MarketplaceConnection } from './http';
import { readOzonFbo } from './ozon-fbo';
import {
  numberOrString,
  type CatalogEntry,
  type Connector,
  type FboListing,
  type FboRead,
  type ListingSpec,
  type OrdersPage,
  type OrdersPoll,
  type PushItem,
  type PushOutcome,
  type ReturnsPage,
  type WarehouseInfo,
} from './types';

/** Posting statuses (reference §2.3): held, gone, or neither. */
const RESERVED = new Set(['awaiting_registration', 'acceptance_in_progress', 'awaiting_approve', 'awaiting_packaging', 'awaiting_deliver']);
const SHIPPED = new Set(['driver_pickup', 'delivering', 'delivered', 'sent_by_seller']);
/** Per-item push errors that another try of the same value can fix. */
const RETRYABLE = new Set(['TOO_MANY_REQUESTS']);

/** A posting as the ledger takes it (the list's and the get-one method's postings have one shape). */
function ozonOrder(p: Posting, now: Date): OrderSnapshot {
  return {
    orderId: p.posting_number,
    status: p.status,
    substatus: p.substatus ?? null,
    stage: ozonStage(p),
    warehouseId: numberOrString(p.delivery_method?.warehouse_id),
    createdAt: p.in_process_at ? new Date(p.in_process_at) : null,
    // Ozon gives no status-change time: a posting still in its first status got it when it was
    // created; for any other, the time this poll saw it (the ledger keeps it until the status moves).
    changedAt: p.status === 'awaiting_packaging' && p.in_process_at ? new Date(p.in_process_at) : now,
    lines: (p.products ?? []).map((pr) => ({ lineId: String(pr.sku), marketplaceSku: pr.offer_id, quantity: pr.quantity })),
    raw: p,
  };
}

interface Posting {
  posting_number: string;
  status: string;
  substatus?: string;
  in_process_at?: string;
  delivery_method?: { warehouse_id?: number | string };
  cancellation?: { cancelled_after_ship?: boolean };
  products?: { sku: number | string; offer_id: string; quantity: number }[];
}
interface OzonReturn {
  id: number | string;
  posting_number: string;
  product: { sku: number | string; offer_id: string; quantity: number };
  logistic?: { return_date?: string | null };
  visual?: { status?: { sys_name?: string }; change_moment?: string };
}

export function ozonStage(p: Pick<Posting, 'status' | 'cancellation'>): Stage {
  if (RESERVED.has(p.status)) return 'reserved';
  if (SHIPPED.has(p.status)) return 'shipped';
  if (p.status === 'cancelled') return p.cancellation?.cancelled_after_ship ? 'cancelled_after_ship' : 'cancelled';
  return 'other';
}

/**
 * An Ozon listing: `offerId` (the seller's article, unique), `productId` (what stock is pushed by; the
 * push also needs the offer), `sku` (the FBS/SDS sku). Order lines and returns name the offer, else the sku.
 */
export const ozonListing: ListingSpec = {
  displayName: 'Ozon',
  fields: ['offerId', 'productId', 'sku'],
  listingId: (ids) => ids.offerId ?? null,
  pushKey: (ids) => (ids.offerId && ids.productId ? ids.productId : null),
  matchKeys: (ids) => [ids.offerId, ids.sku].filter((k): k is string => Boolean(k)),
  // Reference §2.5: `STOCK_TOO_BIG`, "must be under one million".
  stockMax: 999_999,
};

export interface OzonOptions extends MarketplaceConnection {
  baseURL: string;
  clientId?: string;
  apiKey?: string;
  batchSize: number;
  /** One update per (product, warehouse) every 30 s, shared by every worker (none: not kept, unit tests). */
  pairCooldown?: KeyedCooldown;
}

/** Ozon Seller API (reference §2): every method POST, `Client-Id` + `Api-Key`. */
export class OzonConnector implements Connector {
  readonly marketplace = 'ozon' as const;
  readonly listing = ozonListing;
  readonly batchSize: number;
  readonly configured: boolean;
  private readonly http: HttpClient;
  private readonly pairCooldown?: KeyedCooldown;
  private readonly account: string;

  constructor(options: OzonOptions) {
    this.batchSize = options.batchSize;
    this.configured = Boolean(options.clientId && options.apiKey);
    this.pairCooldown = options.pairCooldown;
    this.account = accountKey(options.clientId);
    this.http = marketplaceClient(
      'ozon',
      options.baseURL,
      options,
      () => (options.clientId && options.apiKey ? { 'Client-Id': options.clientId, 'Api-Key': options.apiKey } : undefined),
      'OZON_CLIENT_ID and OZON_API_KEY are not set',
    );
  }

  async warehouses(): Promise<WarehouseInfo[]> {
    const out: WarehouseInfo[] = [];
    let cursor = '';
    for (;;) {
      const page = await this.http.post<{
        warehouses?: { warehouse_id: number | string; name?: string; status?: string }[];
        cursor?: string;
        has_next?: boolean;
      }>('/v2/warehouse/list', { limit: 200, cursor });
      for (const w of page.warehouses ?? []) {
        out.push({ warehouseId: String(w.warehouse_id), name: w.name ?? '', active: w.status === 'created', raw: w });
      }
      if (!page.has_next || !page.cursor) return out;
      cursor = page.cursor;
    }
  }

  async catalog(): Promise<CatalogEntry[]> {
    const ids: (number | string)[] = [];
    let lastId = '';
    for (;;) {
      const page = await this.http.post<{ result?: { items?: { product_id: number | string }[]; last_id?: string } }>('/v3/product/list', {
        filter: { visibility: 'ALL' },
        limit: 1000,
        last_id: lastId,
      });
      const items = page.result?.items ?? [];
      ids.push(...items.map((i) => i.product_id));
      // Documented end: an empty page (a short page is not said to be the last).
      if (items.length === 0 || !page.result?.last_id) break;
      lastId = page.result.last_id;
    }
    const out: CatalogEntry[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const info = await this.http.post<{
        items?: {
          id: number | string;
          offer_id: string;
          sku?: number | string;
          name?: string;
          barcodes?: string[];
          sources?: { sku: number | string; source: string }[];
        }[];
      }>('/v3/product/info/list', { product_id: ids.slice(i, i + 1000).map(String) });
      for (const p of info.items ?? []) {
        const fbs = p.sources?.find((s) => s.source === 'SDS' || s.source === 'FBS')?.sku ?? p.sku;
        out.push({
          sku: p.offer_id,
          join: 'sku',
          name: p.name ?? '',
          barcodes: p.barcodes ?? [],
          ids: { offerId: p.offer_id, productId: String(p.id), sku: numberOrString(fbs) },
        });
      }
    }
    return out;
  }

  /** Postings whose status changed since `since` (v4 list, cursor paging); `since`/`to` bound creation. */
  async *orders(poll: OrdersPoll): AsyncGenerator<OrdersPage> {
    const now = new Date();
    const created = new Date(poll.since.getTime() - 90 * 86_400_000);
    let cursor = '';
    for (;;) {
      const page = await this.http.post<{ postings?: Posting[]; has_next?: boolean; cursor?: string }>('/v4/posting/fbs/list', {
        filter: {
          since: created.toISOString(),
          to: now.toISOString(),
          last_changed_status_date: { from: poll.since.toISOString(), to: now.toISOString() },
        },
        limit: 100,
        cursor,
      });
      const orders = (page.postings ?? []).map((p) => ozonOrder(p, now));
      const last = !page.has_next || !page.cursor;
      yield { orders, cursor: last ? { since: now.toISOString() } : undefined };
      if (last) return;
      cursor = page.cursor!;
    }
  }

  /**
   * The postings named (a push's targeted poll), one `POST /v3/posting/fbs/get` each (the documented
   * get-one method); a posting Ozon no longer knows (404) is left out.
   */
  async ordersByIds(ids: string[]): Promise<OrderSnapshot[]> {
    const out: OrderSnapshot[] = [];
    for (const id of ids) {
      try {
        const { result } = await this.http.post<{ result?: Posting }>('/v3/posting/fbs/get', { posting_number: id });
        if (result) out.push(ozonOrder(result, new Date()));
      } catch (err) {
        if (err instanceof UpstreamRequestError && err.status === 404) continue;
        throw err;
      }
    }
    return out;
  }

  /** Returns whose status changed since `since` (`last_id` paging); restocked once received by the seller. */
  async *returns(poll: { since: Date }): AsyncGenerator<ReturnsPage> {
    const now = new Date();
    let lastId = 0;
    for (;;) {
      const page = await this.http.post<{ returns?: OzonReturn[]; has_next?: boolean }>('/v1/returns/list', {
        filter: { visual_status_change_moment: { time_from: poll.since.toISOString(), time_to: now.toISOString() } },
        limit: 500,
        last_id: lastId,
      });
      const list = page.returns ?? [];
      const returns = list.map((r) => {
        const status = r.visual?.status?.sys_name ?? 'unknown';
        return {
          returnId: String(r.id),
          lineId: String(r.product.sku),
          orderId: r.posting_number,
          marketplaceSku: r.product.offer_id,
          quantity: r.product.quantity,
          restockQuantity: r.product.quantity,
          status,
          received: status === 'ReceivedBySeller',
          createdAt: r.logistic?.return_date ? new Date(r.logistic.return_date) : null,
          changedAt: r.visual?.change_moment ? new Date(r.visual.change_moment) : now,
          raw: r,
        };
      });
      const last = !page.has_next || list.length === 0;
      yield { returns, cursor: last ? { since: now.toISOString() } : undefined };
      if (last) return;
      lastId = Number(list.at(-1)!.id);
    }
  }

  /**
   * `/v2/products/stocks`: at most 100 product-warehouse pairs, each by `product_id` alone (the spec
   * requires it and says to send only one of `offer_id`/`product_id`); a result with errors per item.
   * A pair updated in the last 30 s is held back (Ozon would refuse it with `TOO_MANY_REQUESTS`).
   */
  async push(warehouse: WarehouseInfo, items: PushItem[]): Promise<PushOutcome[]> {
    const pairKey = (i: PushItem) => `${this.account}:${i.pushKey}:${warehouse.warehouseId}`;
    const { taken, waitMs } = this.pairCooldown
      ? await this.pairCooldown.claim(items.map(pairKey))
      : { taken: new Set(items.map(pairKey)), waitMs: new Map<string, number>() };
    const sendable = items.filter((i) => taken.has(pairKey(i)));
    const body = {
      stocks: sendable.map((i) => ({ product_id: Number(i.pushKey), stock: i.value, warehouse_id: Number(warehouse.warehouseId) })),
    };
    const res = sendable.length
      ? await this.http.post<{
          result?: { product_id?: number | string; updated?: boolean; errors?: { code: string; message: string }[] }[];
        }>('/v2/products/stocks', body)
      : { result: [] };
    const byProduct = new Map((res.result ?? []).map((r) => [String(r.product_id), r]));
    return items.map((i): PushOutcome => {
      const productId = i.productId;
      const wait = waitMs.get(pairKey(i));
      if (wait !== undefined) return { productId, ok: false, heldForMs: wait };
      const r = byProduct.get(i.pushKey);
      if (!r) return { productId, ok: false, code: 'no_result', message: 'Ozon answered no result for this item', retryable: true };
      const error = r.errors?.[0];
      if (r.updated && !error) return { productId, ok: true };
      return {
        productId,
        ok: false,
        code: error?.code ?? 'not_updated',
        message: error?.message ?? 'not updated',
        retryable: RETRYABLE.has(error?.code ?? ''),
      };
    });
  }

  /** FBO stock (ozon-fbo.ts): read and shown, never pushed. */
  fboStocks(listings: FboListing[]): Promise<FboRead> {
    return readOzonFbo(this.http, listings);
  }
}
