import { UpstreamDataError, UpstreamRequestError, type HttpClient } from '@datasync/connector-kit';
import type { OrderSnapshot, Stage } from '@datasync/stock-ledger';
import { marketplaceClient, type MarketplaceConnection } from './http';
import { readWbFbo } from './wb-fbo';
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

const CANCELLED = new Set(['canceled', 'canceled_by_client', 'declined_by_client', 'defect']);
/** Per-item push errors another try of the same value can fix. */
const RETRYABLE = new Set(['StoreIsProcessing']);
const DAY = 86_400_000;

/** An assembly task's stage (reference §3.3): `supplierStatus` says where it is, `wbStatus` whether the buyer cancelled. */
export function wbStage(supplierStatus: string, wbStatus: string): Stage {
  const cancelled = supplierStatus === 'cancel' || CANCELLED.has(wbStatus);
  if (supplierStatus === 'complete') return cancelled ? 'cancelled_after_ship' : 'shipped';
  if (cancelled) return 'cancelled';
  if (supplierStatus === 'new' || supplierStatus === 'confirm') return 'reserved';
  return 'other';
}

/** A Moscow calendar date (WB's report dates). */
const moscowDate = (t: Date) => new Date(t.getTime() + 3 * 3600_000).toISOString().slice(0, 10);

/**
 * A WB listing is one size of a card: `chrtId` (unique; what stock is pushed by and what assembly
 * tasks name), `nmId` (the card), `barcode` (what goods returns name), `vendorCode`.
 */
export const wbListing: ListingSpec = {
  displayName: 'Wildberries',
  fields: ['nmId', 'chrtId', 'barcode', 'vendorCode'],
  listingId: (ids) => ids.chrtId ?? null,
  pushKey: (ids) => ids.chrtId ?? null,
  matchKeys: (ids) => [ids.chrtId, ids.barcode].filter((k): k is string => Boolean(k)),
  // Reference §3.5: `amount` 0–100000, 409 `UploadDataLimit` above.
  stockMax: 100_000,
};

export interface WbOptions extends MarketplaceConnection {
  /** One base URL per WB host (reference §0). */
  hosts: { marketplace: string; content: string; analytics: string };
  token?: string;
  batchSize: number;
}

interface Task {
  id: number;
  chrtId: number;
  warehouseId?: number;
  createdAt?: string;
}

/**
 * Wildberries (reference §3): one client per API host (marketplace-api, content-api,
 * seller-analytics-api), `Authorization: <token>`. A task is one unit; new tasks come by creation
 * date (paged with WB's `next`), changes by asking the status of the tasks still open.
 */
export class WbConnector implements Connector {
  readonly marketplace = 'wb' as const;
  readonly listing = wbListing;
  readonly batchSize: number;
  readonly configured: boolean;
  private readonly http: HttpClient;
  private readonly content: HttpClient;
  private readonly analytics: HttpClient;

  constructor(options: WbOptions) {
    this.batchSize = options.batchSize;
    this.configured = Boolean(options.token);
    const client = (baseURL: string) =>
      marketplaceClient(
        'wb',
        baseURL,
        options,
        () => (options.token ? { Authorization: options.token } : undefined),
        'WB_TOKEN is not set',
      );
    this.http = client(options.hosts.marketplace);
    this.content = client(options.hosts.content);
    this.analytics = client(options.hosts.analytics);
  }

  async warehouses(): Promise<WarehouseInfo[]> {
    const list = await this.http.get<{ id: number; name?: string; isDeleting?: boolean; isProcessing?: boolean }[]>('/api/v3/warehouses');
    return (Array.isArray(list) ? list : []).map((w) => ({
      warehouseId: String(w.id),
      name: w.name ?? '',
      active: !w.isDeleting && !w.isProcessing,
      raw: w,
    }));
  }

  async catalog(): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = [];
    let cursor: { limit: number; updatedAt?: string; nmID?: number } = { limit: 100 };
    for (;;) {
      const page = await this.content.post<{
        cards?: { nmID: number; vendorCode: string; title?: string; sizes?: { chrtID: number; techSize?: string; skus?: string[] }[] }[];
        cursor?: { updatedAt?: string | null; nmID?: number | null; total?: number };
      }>('/content/v2/get/cards/list', { settings: { cursor, filter: { withPhoto: -1 }, sort: { ascending: true } } });
      for (const card of page.cards ?? []) {
        for (const size of card.sizes ?? []) {
          const techSize = size.techSize ?? '0';
          const sized = techSize !== '0' && Boolean(techSize);
          // A size joins the product with its barcode (or the one it joined before), else `<vendorCode>-<techSize>`.
          out.push({
            sku: sized ? `${card.vendorCode}-${techSize}` : card.vendorCode,
            join: 'barcode',
            name: sized ? `${card.title ?? ''}, ${techSize}` : (card.title ?? ''),
            barcodes: size.skus ?? [],
            ids: { nmId: String(card.nmID), chrtId: String(size.chrtID), barcode: size.skus?.[0] ?? null, vendorCode: card.vendorCode },
          });
        }
      }
      const next = page.cursor;
      if (!next || (next.total ?? 0) < cursor.limit || !next.updatedAt || next.nmID == null) return out;
      cursor = { limit: 100, updatedAt: next.updatedAt, nmID: next.nmID };
    }
  }

  /**
   * Tasks created since `since` (at most WB's 30 days), paged as the documentation says: `next` is 0
   * first, then the `next` of the previous answer, as given (an opaque position, not a task id);
   * the last page is an empty one. Then the statuses of every task still open (new ones included).
   */
  async *orders(poll: OrdersPoll): AsyncGenerator<OrdersPage> {
    const now = new Date();
    const from = Math.max(Math.floor(poll.since.getTime() / 1000), Math.floor((now.getTime() - 30 * DAY) / 1000) + 60);
    const fresh: Task[] = [];
    let next = 0;
    for (;;) {
      const page = await this.http.get<{ next?: number; orders?: Task[] }>('/api/v3/orders', {
        params: { limit: 1000, next, dateFrom: from, dateTo: Math.floor(now.getTime() / 1000) },
      });
      const orders = page.orders ?? [];
      if (orders.length === 0) break;
      fresh.push(...orders);
      if (page.next === undefined || page.next === null || page.next === next)
        throw new UpstreamDataError(`wb: GET /api/v3/orders answered a page without a new next (${String(page.next)})`);
      next = page.next;
    }
    const tasks = new Map<string, { marketplaceSku: string; task?: Task }>();
    for (const o of poll.open) tasks.set(o.orderId, { marketplaceSku: o.marketplaceSku });
    for (const t of fresh) tasks.set(String(t.id), { marketplaceSku: String(t.chrtId), task: t });
    const ids = [...tasks.keys()];
    if (ids.length === 0) {
      yield { orders: [], cursor: {} };
      return;
    }
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await this.http.post<{ orders?: { id: number; supplierStatus: string; wbStatus: string }[] }>('/api/v3/orders/status', {
        orders: chunk.map(Number),
      });
      const orders: OrderSnapshot[] = (res.orders ?? []).map((s) => {
        const known = tasks.get(String(s.id))!;
        return {
          orderId: String(s.id),
          status: s.supplierStatus,
          substatus: s.wbStatus,
          stage: wbStage(s.supplierStatus, s.wbStatus),
          warehouseId: numberOrString(known.task?.warehouseId),
          createdAt: known.task?.createdAt ? new Date(known.task.createdAt) : null,
          // WB gives no status-change time: a task still `new` got that status when it was created;
          // for any other, the time this poll saw it (the ledger keeps it until the status moves).
          changedAt: s.supplierStatus === 'new' && known.task?.createdAt ? new Date(known.task.createdAt) : now,
          lines: [{ lineId: '1', marketplaceSku: known.marketplaceSku, quantity: 1 }],
          raw: { ...known.task, ...s },
        };
      });
      const last = i + 1000 >= ids.length;
      yield { orders, cursor: last ? {} : undefined };
    }
  }

  /** The goods-return report (seller analytics): a return is restocked once completed (back with the seller). */
  async *returns(poll: { since: Date }): AsyncGenerator<ReturnsPage> {
    const now = new Date();
    const from = new Date(Math.max(poll.since.getTime() - DAY, now.getTime() - 30 * DAY));
    const res = await this.analytics.get<{
      report?: {
        shkId: number;
        orderId: number;
        barcode: string;
        status: string;
        orderDt?: string;
        completedDt?: string | null;
        readyToReturnDt?: string;
      }[];
    }>('/api/v1/analytics/goods-return', { params: { dateFrom: moscowDate(from), dateTo: moscowDate(now) } });
    const returns = (res.report ?? []).map((g) => ({
      returnId: String(g.shkId),
      lineId: '1',
      orderId: String(g.orderId),
      marketplaceSku: g.barcode,
      quantity: 1,
      restockQuantity: 1,
      status: g.completedDt ? `${g.status} (completed)` : g.status,
      received: Boolean(g.completedDt),
      createdAt: g.readyToReturnDt ? new Date(g.readyToReturnDt) : null,
      changedAt: g.completedDt ? new Date(g.completedDt) : now,
      raw: g,
    }));
    yield { returns, cursor: { since: now.toISOString() } };
  }

  /**
   * `PUT /api/v3/stocks/{warehouseId}` (≤ 1000 items, 204). A 409 lists the refused items and applies
   * nothing (assumed, see the sandbox README): the refused ones are recorded and the rest sent again.
   */
  async push(warehouse: WarehouseInfo, items: PushItem[]): Promise<PushOutcome[]> {
    const outcomes = new Map<number, PushOutcome>();
    let pending = items;
    for (let round = 0; pending.length > 0 && round < 3; round++) {
      try {
        await this.http.put(`/api/v3/stocks/${warehouse.warehouseId}`, {
          stocks: pending.map((i) => ({ chrtId: Number(i.pushKey), amount: i.value })),
        });
        for (const i of pending) outcomes.set(i.productId, { productId: i.productId, ok: true });
        pending = [];
      } catch (err) {
        if (!(err instanceof UpstreamRequestError) || err.status !== 409 || !Array.isArray(err.body)) throw err;
        const refused = new Map<string, { code: string; message: string }>();
        let all: { code: string; message: string } | undefined;
        for (const e of err.body as { code?: string; message?: string; data?: { chrtId?: number }[] }[]) {
          const code = e.code ?? 'Conflict';
          if (RETRYABLE.has(code)) all = { code, message: e.message ?? code };
          for (const d of e.data ?? []) if (d.chrtId !== undefined) refused.set(String(d.chrtId), { code, message: e.message ?? code });
        }
        if (all || refused.size === 0) {
          const why = all ?? { code: 'Conflict', message: 'WB refused the batch' };
          for (const i of pending) outcomes.set(i.productId, { productId: i.productId, ok: false, ...why, retryable: Boolean(all) });
          pending = [];
          break;
        }
        pending = pending.filter((i) => {
          const why = refused.get(i.pushKey);
          if (why) outcomes.set(i.productId, { productId: i.productId, ok: false, ...why, retryable: RETRYABLE.has(why.code) });
          return !why;
        });
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

  /** FBW stock (wb-fbo.ts): read and shown, never pushed. */
  fboStocks(listings: FboListing[]): Promise<FboRead> {
    return readWbFbo(this.analytics, listings);
  }
}
