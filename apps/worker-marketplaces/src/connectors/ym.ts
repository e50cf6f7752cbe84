import { UpstreamDataError, UpstreamRequestError, type HttpClient } from '@datasync/connector-kit';
import type { OrderSnapshot, Stage } from '@datasync/stock-ledger';
import { missingIds } from '../cabinet-scope';
import { marketplaceClient, type MarketplaceConnection } from './http';
import { readYmFby } from './ym-fbo';
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

const SHIPPED = new Set(['DELIVERY', 'PICKUP', 'DELIVERED', 'PARTIALLY_RETURNED', 'RETURNED']);
const RESERVED = new Set(['PLACING', 'RESERVED', 'UNPAID', 'PENDING', 'PROCESSING']);

/** An order's stage (reference §4.3): PROCESSING/SHIPPED and later left the warehouse. */
export function ymStage(status: string, substatus: string | null | undefined): Stage {
  if (status === 'CANCELLED') return 'cancelled';
  if (SHIPPED.has(status) || (status === 'PROCESSING' && substatus === 'SHIPPED')) return 'shipped';
  if (RESERVED.has(status)) return 'reserved';
  return 'other';
}

/** A YM listing: `offerId` (the seller's article; unique, pushed and ordered by), `marketSku` (Market's card). */
export const ymListing: ListingSpec = {
  displayName: 'Yandex Market',
  fields: ['offerId', 'marketSku'],
  listingId: (ids) => ids.offerId ?? null,
  pushKey: (ids) => ids.offerId ?? null,
  matchKeys: (ids) => (ids.offerId ? [ids.offerId] : []),
  // Reference §4.5.1 and the YM OpenAPI `UpdateStockItemDTO.count`: 0–2,000,000,000.
  stockMax: 2_000_000_000,
};

export interface YmOptions extends MarketplaceConnection {
  baseURL: string;
  apiKey?: string;
  batchSize: number;
  /** The cabinet's campaigns to read and push (settings.campaignIds); undefined: every one the key reaches. */
  campaignIds?: readonly string[];
  /** Names the connection in the error about a listed campaign the key does not reach. */
  connectionName?: string;
}

/** How far back an order's creation is looked at for updates (beyond the oldest open one). */
export const ORDERS_CREATED_WITHIN_DAYS = 90;
const DAY = 86_400_000;
const ymDate = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().slice(0, 10);

/**
 * Creation windows of at most 30 days (`creationDateTo` excluded, YYYY-MM-DD Moscow dates), newest
 * first, from tomorrow back to the older of the oldest open order and ORDERS_CREATED_WITHIN_DAYS.
 */
export function creationWindows(now: Date, oldestOpen: Date | null): { creationDateFrom: string; creationDateTo: string }[] {
  const horizon = Math.min(now.getTime() - ORDERS_CREATED_WITHIN_DAYS * DAY, oldestOpen ? oldestOpen.getTime() - DAY : Infinity);
  const out: { creationDateFrom: string; creationDateTo: string }[] = [];
  let to = now.getTime() + DAY;
  while (to > horizon) {
    const from = to - 30 * DAY;
    out.push({ creationDateFrom: ymDate(from), creationDateTo: ymDate(to) });
    to = from;
  }
  return out;
}

interface Paged {
  paging?: { nextPageToken?: string };
}
interface CampaignDto {
  id: number;
  placementType?: string;
  business?: { id: number };
}
interface Cabinet {
  businessId: string;
  /** Campaigns whose stock the seller keeps (FBS, DBS, Express): orders, returns, pushes. */
  campaignIds: string[];
  /** FBY campaigns: only their (Market-held) stock is read. */
  fbyCampaignIds: string[];
}

/**
 * Yandex Market Partner API (reference §4): `Api-Key`, page tokens, 420 for rate limits. Orders
 * come per business (v1 list by update date), returns and stock pushes per campaign.
 */
export class YmConnector implements Connector {
  readonly marketplace = 'ym' as const;
  readonly listing = ymListing;
  readonly batchSize: number;
  readonly configured: boolean;
  private readonly http: HttpClient;
  private business: Promise<Cabinet> | undefined;

  private readonly onlyCampaigns: readonly string[] | undefined;
  private readonly connectionName: string;

  constructor(options: YmOptions) {
    this.batchSize = options.batchSize;
    this.onlyCampaigns = options.campaignIds;
    this.connectionName = options.connectionName ?? 'env';
    this.configured = Boolean(options.apiKey);
    this.http = marketplaceClient(
      'ym',
      options.baseURL,
      options,
      () => (options.apiKey ? { 'Api-Key': options.apiKey } : undefined),
      'YM_API_KEY is not set',
    );
  }

  /**
   * The cabinet and its campaigns (`GET /v2/campaigns`), read once per process. FBY campaigns
   * (`placementType` FBY: Market stores and ships the goods) are kept apart: their stock is Market's,
   * read by `fboStocks`, and they have no seller warehouse to push to or returns of the seller's stock.
   */
  private cabinet(): Promise<Cabinet> {
    this.business ??= (async () => {
      const campaigns: CampaignDto[] = [];
      let token: string | undefined;
      do {
        const page = await this.http.get<Paged & { campaigns?: CampaignDto[] }>('/v2/campaigns', {
          params: { page_token: token },
        });
        campaigns.push(...(page.campaigns ?? []));
        token = page.paging?.nextPageToken;
      } while (token);
      const businessId = campaigns.find((c) => c.business?.id !== undefined)?.business?.id;
      if (businessId === undefined) throw new UpstreamDataError('ym: GET /v2/campaigns named no business');
      const only = this.onlyCampaigns;
      if (only) {
        const missing = missingIds(
          only,
          campaigns.map((c) => String(c.id)),
        );
        if (missing.length > 0)
          throw new UpstreamDataError(
            `connection ${this.connectionName}: settings.campaignIds names campaigns the key does not reach: ${missing.join(', ')}`,
          );
      }
      const kept = campaigns.filter((c) => !only || only.includes(String(c.id)));
      return {
        businessId: String(businessId),
        campaignIds: kept.filter((c) => c.placementType !== 'FBY').map((c) => String(c.id)),
        fbyCampaignIds: kept.filter((c) => c.placementType === 'FBY').map((c) => String(c.id)),
      };
    })().catch((err: unknown) => {
      this.business = undefined;
      throw err;
    });
    return this.business;
  }

  /** FBY stock (ym-fbo.ts) of the cabinet's FBY campaigns: read and shown, never pushed. */
  async fboStocks(listings: FboListing[]): Promise<FboRead> {
    // The campaigns are read again (1000 an hour; this read comes every half hour): an FBY campaign
    // opened since the process started is seen without a restart.
    this.business = undefined;
    const { fbyCampaignIds } = await this.cabinet();
    return readYmFby(this.http, fbyCampaignIds, listings);
  }

  async warehouses(): Promise<WarehouseInfo[]> {
    const { businessId, campaignIds } = await this.cabinet();
    const out: WarehouseInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.http.post<{ result?: Paged & { warehouses?: { id: number; name?: string; campaignId?: number }[] } }>(
        `/v2/businesses/${businessId}/warehouses`,
        { campaignIds: campaignIds.map(Number) },
        { params: { limit: 30, page_token: token } },
      );
      for (const w of page.result?.warehouses ?? []) {
        if (w.campaignId === undefined) continue;
        out.push({ warehouseId: String(w.id), name: w.name ?? '', campaignId: String(w.campaignId), active: true, raw: w });
      }
      token = page.result?.paging?.nextPageToken;
    } while (token);
    return out;
  }

  async catalog(): Promise<CatalogEntry[]> {
    const { businessId } = await this.cabinet();
    const out: CatalogEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.http.post<{
        result?: Paged & {
          offerMappings?: { offer: { offerId: string; name?: string; barcodes?: string[] }; mapping?: { marketSku?: number } }[];
        };
      }>(`/v2/businesses/${businessId}/offer-mappings`, {}, { params: { limit: 100, page_token: token } });
      for (const m of page.result?.offerMappings ?? []) {
        out.push({
          sku: m.offer.offerId,
          join: 'sku',
          name: m.offer.name ?? '',
          barcodes: m.offer.barcodes ?? [],
          ids: { offerId: m.offer.offerId, marketSku: numberOrString(m.mapping?.marketSku) },
        });
      }
      token = page.result?.paging?.nextPageToken;
    } while (token);
    return out;
  }

  /**
   * Orders updated since `since`, every campaign of the cabinet (`POST /v1/businesses/{id}/orders`).
   * The creation window defaults to the last 30 days and spans at most 30 days (official OpenAPI,
   * `OrderDatesFilterDTO`), so an update filter alone never sees an older order that changes: the
   * update filter is asked per 30-day creation window, back to the oldest order we still hold open
   * or ORDERS_CREATED_WITHIN_DAYS, whichever is older.
   */
  async *orders(poll: OrdersPoll): AsyncGenerator<OrdersPage> {
    const { businessId } = await this.cabinet();
    const now = new Date();
    const windows = creationWindows(now, poll.oldestOpen ?? null);
    for (const [w, window] of windows.entries()) {
      let token: string | undefined;
      do {
        const page = await this.http.post<Paged & { orders?: YmListedOrder[] }>(
          `/v1/businesses/${businessId}/orders`,
          { dates: { ...window, updateDateFrom: poll.since.toISOString(), updateDateTo: now.toISOString() } },
          { params: { limit: 50, page_token: token } },
        );
        token = page.paging?.nextPageToken;
        const orders = (page.orders ?? []).map((o) => ymOrder(o, now));
        const last = !token && w === windows.length - 1;
        yield { orders, cursor: last ? { since: now.toISOString() } : undefined };
      } while (token);
    }
  }

  /**
   * The orders named (a push's targeted poll): the current business orders method filtered by
   * `orderIds`, at most 50 per request (its documented bound), instead of the deprecated v2 get-one.
   */
  async ordersByIds(ids: string[]): Promise<OrderSnapshot[]> {
    const { businessId } = await this.cabinet();
    const out: OrderSnapshot[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      const orderIds = ids.slice(i, i + 50).map(Number);
      let token: string | undefined;
      do {
        const page = await this.http.post<Paged & { orders?: YmListedOrder[] }>(
          `/v1/businesses/${businessId}/orders`,
          { orderIds },
          { params: { limit: 50, page_token: token } },
        );
        token = page.paging?.nextPageToken;
        const now = new Date();
        out.push(...(page.orders ?? []).map((o) => ymOrder(o, now)));
      } while (token);
    }
    return out;
  }

  /** Returns updated since `since` per campaign; FIT units are restocked once the seller picked them up. */
  async *returns(poll: { since: Date }): AsyncGenerator<ReturnsPage> {
    const { campaignIds } = await this.cabinet();
    const now = new Date();
    const fromDate = new Date(poll.since.getTime() - 86_400_000).toISOString().slice(0, 10);
    for (const [c, campaignId] of campaignIds.entries()) {
      let token: string | undefined;
      do {
        const page = await this.http.get<{
          result?: Paged & {
            returns?: {
              id: number;
              orderId: number;
              shipmentStatus?: string;
              refundStatus?: string;
              creationDate?: string;
              updateDate?: string;
              items?: { shopSku: string; count: number; instances?: { stockType?: string }[] }[];
            }[];
          };
        }>(`/v2/campaigns/${campaignId}/returns`, { params: { fromDate, limit: 100, page_token: token } });
        token = page.result?.paging?.nextPageToken;
        const returns = (page.result?.returns ?? []).flatMap((r) =>
          (r.items ?? []).map((i) => ({
            returnId: String(r.id),
            lineId: i.shopSku,
            orderId: String(r.orderId),
            marketplaceSku: i.shopSku,
            quantity: i.count,
            restockQuantity: i.instances ? i.instances.filter((x) => x.stockType === 'FIT').length : i.count,
            status: r.shipmentStatus ?? 'UNKNOWN',
            received: r.shipmentStatus === 'PICKED',
            createdAt: r.creationDate ? new Date(r.creationDate) : null,
            changedAt: r.updateDate ? new Date(r.updateDate) : now,
            raw: r,
          })),
        );
        const last = !token && c === campaignIds.length - 1;
        yield { returns, cursor: last ? { since: now.toISOString() } : undefined };
      } while (token);
    }
  }

  /**
   * `PUT /v2/campaigns/{campaignId}/offers/stocks` (≤ 2000 skus). The request is all or nothing:
   * skus Market does not know (`OFFER_NOT_FOUND`) are recorded and the rest sent again.
   */
  async push(warehouse: WarehouseInfo, items: PushItem[]): Promise<PushOutcome[]> {
    const outcomes = new Map<number, PushOutcome>();
    const now = new Date().toISOString();
    let pending = items.filter((i) => {
      if (warehouse.campaignId) return true;
      outcomes.set(i.productId, {
        productId: i.productId,
        ok: false,
        code: 'not_mapped',
        message: 'the warehouse names no YM campaign',
        retryable: false,
      });
      return false;
    });
    for (let round = 0; pending.length > 0 && round < 3; round++) {
      try {
        await this.http.put(`/v2/campaigns/${warehouse.campaignId}/offers/stocks`, {
          skus: pending.map((i) => ({ sku: i.pushKey, items: [{ count: i.value, updatedAt: now }] })),
        });
        for (const i of pending) outcomes.set(i.productId, { productId: i.productId, ok: true });
        pending = [];
      } catch (err) {
        if (!(err instanceof UpstreamRequestError) || err.status !== 400) throw err;
        const errors = ((err.body as { errors?: { code?: string; message?: string }[] } | undefined)?.errors ?? []).map((e) => ({
          code: e.code ?? 'BAD_REQUEST',
          message: e.message ?? '',
          sku: /'(.*)'/.exec(e.message ?? '')?.[1],
        }));
        const named = new Map(errors.filter((e) => e.sku !== undefined).map((e) => [e.sku!, e]));
        const matched = pending.filter((i) => named.has(i.pushKey));
        if (matched.length === 0) {
          const e = errors[0] ?? { code: 'BAD_REQUEST', message: 'Market rejected the batch' };
          for (const i of pending)
            outcomes.set(i.productId, { productId: i.productId, ok: false, code: e.code, message: e.message, retryable: false });
          break;
        }
        for (const i of matched) {
          const e = named.get(i.pushKey)!;
          outcomes.set(i.productId, { productId: i.productId, ok: false, code: e.code, message: e.message, retryable: false });
        }
        pending = pending.filter((i) => !named.has(i.pushKey));
      }
    }
    return items.map(
      (i) =>
        outcomes.get(i.productId) ?? {
          productId: i.productId,
          ok: false,
          code: 'not_sent',
          message: 'gave up after repeated refusals',
          retryable: true,
        },
    );
  }
}

/** An order as the business orders method lists it (the fields the ledger reads). */
interface YmListedOrder {
  orderId: number;
  status: string;
  substatus?: string;
  creationDate?: string;
  updateDate?: string;
  items?: { id: number; offerId: string; count: number }[];
  delivery?: { warehouseId?: string };
}

function ymOrder(o: YmListedOrder, now: Date): OrderSnapshot {
  return {
    orderId: String(o.orderId),
    status: o.status,
    substatus: o.substatus ?? null,
    stage: ymStage(o.status, o.substatus),
    warehouseId: o.delivery?.warehouseId ?? null,
    createdAt: o.creationDate ? new Date(o.creationDate) : null,
    changedAt: o.updateDate ? new Date(o.updateDate) : now,
    lines: (o.items ?? []).map((i) => ({ lineId: String(i.id), marketplaceSku: i.offerId, quantity: i.count })),
    raw: o,
  };
}
