import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Fake, FakeContext } from '../fake';
import { generateCatalog, type CatalogItem } from '../marketplace-catalog';
import { type Body, decodeCursor, encodeCursor, intList, iso, obj, parseTime, strList, toInt } from '../marketplace-params';
import { RateLimitSettings, SlidingWindow } from '../rate-limits';
import {
  FINAL_STATUSES,
  OZON_CREDENTIALS,
  OZON_WAREHOUSES,
  POSTING_FLOW,
  POSTING_STATUSES,
  RESERVE_STATUSES,
  RETURN_STATUSES,
  RETURN_TYPES,
  SHIPPED_STATUSES,
  SUBSTATUS,
  generateOzonData,
  makePosting,
  stockKey,
  type OzonIds,
  type OzonReturn,
  type Posting,
  type PostingStatus,
  type StockRecord,
} from './data';

export { OZON_CREDENTIALS, OZON_WAREHOUSES } from './data';

const STOCK_BATCH_MAX = 100;
const STOCK_MAX = 1_000_000;
const YEAR = 366 * 24 * 3600_000;


/** Ozon's error body: `{code, message, details}`; `code` follows gRPC (3 invalid, 5 not found, 8 exhausted). */
const fail = (res: Response, http: number, code: number, message: string) => {
  res.status(http).json({ code, message, details: [] });
};
const invalid = (res: Response, message: string) => fail(res, 400, 3, message);

/**
 * Ozon Seller API (FBS), per shared/reference/marketplaces.md §2. Every method is POST with a JSON
 * body; auth is `Client-Id` + `Api-Key`. Assumptions where the reference is unconfirmed are listed
 * in apps/sandbox/README.md ("Ozon").
 */
export function createOzonFake(ctx: FakeContext): Fake {
  let catalog: CatalogItem[] = [];
  let ids: OzonIds;
  let postings: Posting[] = [];
  let returns: OzonReturn[] = [];
  let stocks = new Map<string, StockRecord>();
  const window = new SlidingWindow();
  const limits = new RateLimitSettings(
    {
      global: { limit: 50, windowMs: 1000 },
      'stocks-push': { limit: 80, windowMs: 60_000 },
      'stock-pair': { limit: 1, windowMs: 30_000 },
      'warehouse-list-v1': { limit: 1, windowMs: 60_000 },
    },
    {},
    () => window.clear(),
  );

  const reset = () => {
    catalog = generateCatalog(ctx.seed, ctx.catalogExtra);
    const data = generateOzonData(ctx.seed, catalog, Date.now());
    ids = data.ids;
    postings = data.postings;
    returns = data.returns;
    stocks = data.stocks;
    limits.reset();
  };
  reset();

  ctx.faults.registerPreset('ozon.rate-limit', {
    status: 429,
    body: { code: 8, message: 'You have reached request rate limit per second', details: [] },
  });
  ctx.faults.registerPreset('ozon.circle-open', { status: 429, body: { code: 8, message: 'Circle is open', details: [] } });
  ctx.faults.registerPreset('ozon.invalid-key', {
    status: 404,
    body: { code: 5, message: 'Invalid Api-Key, please check the key and try again', details: [] },
  });
  ctx.faults.registerPreset('ozon.key-deactivated', {
    status: 403,
    body: { code: 7, message: 'Api-key is deactivated, use another one or generate a new one', details: [] },
  });
  ctx.faults.registerPreset('ozon.internal', { status: 500, body: { code: 13, message: 'Internal error', details: [] } });

  const byOffer = (offerId: string) => catalog.find((c) => c.ozon.offerId === offerId);
  const byProduct = (productId: number) => catalog.find((c) => c.ozon.productId === productId);
  const bySku = (sku: number) => catalog.find((c) => c.ozon.sku === sku || c.ozon.fboSku === sku);
  const warehouse = (id: number) => OZON_WAREHOUSES.find((w) => w.warehouse_id === id);

  /** Every (product, warehouse) with a stock record or a reserve (reserves summed once: large catalogues). */
  const stockRows = () => {
    const held = new Map<string, number>();
    for (const p of postings) {
      if (!RESERVE_STATUSES.includes(p.status)) continue;
      for (const pr of p.products) {
        const key = stockKey(pr.item.ozon.productId, p.warehouse.warehouse_id);
        held.set(key, (held.get(key) ?? 0) + pr.quantity);
      }
    }
    const rows: { item: CatalogItem; warehouseId: number; stock: number; reserved: number; record?: StockRecord }[] = [];
    for (const item of catalog) {
      for (const w of OZON_WAREHOUSES) {
        const record = stocks.get(stockKey(item.ozon.productId, w.warehouse_id));
        const r = held.get(stockKey(item.ozon.productId, w.warehouse_id)) ?? 0;
        if (record || r > 0) rows.push({ item, warehouseId: w.warehouse_id, stock: record?.stock ?? 0, reserved: r, record });
      }
    }
    return rows;
  };

  type With = { analytics_data?: boolean; barcodes?: boolean; financial_data?: boolean; legal_info?: boolean };
  const postingJson = (p: Posting, version: 3 | 4, w: With = {}) => {
    const base = {
      posting_number: p.postingNumber,
      order_id: p.orderId,
      order_number: p.orderNumber,
      status: p.status,
      substatus: SUBSTATUS[p.status],
      delivery_method: {
        id: p.warehouse.delivery_method_id,
        name: 'Ozon Логистика курьеру, Москва',
        warehouse_id: p.warehouse.warehouse_id,
        warehouse: p.warehouse.name,
        tpl_provider_id: 24,
        tpl_provider: 'Ozon Логистика',
      },
      tracking_number: '',
      tpl_integration_type: 'ozon',
      in_process_at: iso(p.createdAt),
      shipment_date: iso(p.shipmentDate),
      shipment_date_without_delay: iso(p.shipmentDate),
      delivering_date: p.deliveringDate === null ? null : iso(p.deliveringDate),
      cancellation: {
        cancel_reason_id: p.cancellation?.reasonId ?? 0,
        cancel_reason: p.cancellation?.reason ?? '',
        cancellation_type: p.cancellation ? 'client' : '',
        cancelled_after_ship: p.cancellation?.afterShip ?? false,
        affect_cancellation_rating: false,
        cancellation_initiator: p.cancellation?.initiator ?? '',
      },
      customer: null,
      addressee: null,
      products: p.products.map(({ item, quantity }) => ({
        sku: item.ozon.sku,
        offer_id: item.ozon.offerId,
        name: item.name,
        quantity,
        ...(version === 3
          ? { price: String(item.price), currency_code: 'RUB' }
          : { price: { amount: String(item.price), currency: 'RUB' }, weight: 0.5, product_color: '' }),
        imei: [],
        is_blr_traceable: false,
        is_marketplace_buyout: false,
      })),
      analytics_data: w.analytics_data
        ? { warehouse_id: p.warehouse.warehouse_id, warehouse: p.warehouse.name, is_legal: false, delivery_type: 'PVZ', city: 'Москва', region: 'Москва' }
        : null,
      financial_data: w.financial_data
        ? {
            products: p.products.map(({ item, quantity }) => ({
              product_id: item.ozon.sku,
              quantity,
              price: item.price,
              old_price: item.price,
              payout: Math.round(item.price * 0.85),
              commission_amount: Math.round(item.price * 0.15),
            })),
            cluster_from: 'Москва',
            cluster_to: 'Москва',
          }
        : null,
      barcodes: w.barcodes ? { upper_barcode: `%101%${p.orderId}`, lower_barcode: `${p.orderId}01` } : null,
      legal_info: w.legal_info ? { company_name: '', inn: '', kpp: '' } : null,
      is_express: false,
      is_multibox: false,
      multi_box_qty: 0,
      parent_posting_number: '',
      requirements: { products_requiring_gtd: [], products_requiring_country: [], products_requiring_mandatory_mark: [] },
    };
    if (version === 3) return base;
    return {
      ...base,
      available_actions: p.status === 'awaiting_packaging' ? ['ship', 'cancel'] : [],
      delivery_schema: 'FBS',
      external_order: { is_external: false, platform_name: '' },
      is_click_and_collect: false,
      is_presortable: false,
    };
  };

  const returnJson = (r: OzonReturn) => ({
    id: r.id,
    company_id: Number(OZON_CREDENTIALS.clientId),
    return_reason_name: r.reason,
    type: r.type,
    schema: 'Fbs',
    order_id: r.posting.orderId,
    order_number: r.posting.orderNumber,
    posting_number: r.posting.postingNumber,
    place: { id: 23_869_688_194_000, name: 'СЦ_Львовский_Возвраты', address: 'Московская обл., Львовский' },
    target_place: { id: r.posting.warehouse.warehouse_id, name: r.posting.warehouse.name, address: '' },
    storage: null,
    product: {
      sku: r.item.ozon.sku,
      offer_id: r.item.ozon.offerId,
      name: r.item.name,
      quantity: r.quantity,
      price: { currency_code: 'RUB', price: r.item.price },
    },
    logistic: {
      technical_return_moment: null,
      final_moment: r.finalMoment === null ? null : iso(r.finalMoment),
      cancelled_with_compensation_moment: null,
      return_date: iso(r.createdAt),
      barcode: r.barcode,
    },
    visual: {
      status: { id: RETURN_STATUSES[r.status]?.id ?? 0, display_name: RETURN_STATUSES[r.status]?.display_name ?? r.status, sys_name: r.status },
      change_moment: iso(r.statusChangedAt),
    },
    exemplars: [{ id: r.id * 10 }],
    additional_info: { is_opened: false, is_super_econom: false },
    source_id: r.id,
  });

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));

  // Auth: both headers on every API call (control endpoints are free).
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_control')) return next();
    const clientId = req.header('client-id');
    if (!clientId || !/^\d+$/.test(clientId) || Number(clientId) <= 0) {
      return invalid(res, 'Client-Id header value should be positive integer');
    }
    const apiKey = req.header('api-key');
    if (!apiKey || apiKey !== OZON_CREDENTIALS.apiKey || clientId !== OZON_CREDENTIALS.clientId) {
      return fail(res, 404, 5, 'Invalid Api-Key, please check the key and try again');
    }
    if (limits.enabled) {
      const rule = limits.rule('global');
      const global = window.take(`global:${clientId}`, rule);
      if (!global.ok) return fail(res, 429, 8, 'You have reached request rate limit per second');
      const method = req.path === '/v2/products/stocks' ? 'stocks-push' : req.path === '/v1/warehouse/list' ? 'warehouse-list-v1' : undefined;
      if (method && !window.take(`${method}:${clientId}`, limits.rule(method)).ok) {
        return fail(res, 429, 8, 'You have reached request rate limit per second');
      }
    }
    next();
  });

  // §2.2 warehouses.
  router.post('/v2/warehouse/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    if (limit === undefined || limit < 1 || limit > 200) return invalid(res, 'limit must be between 1 and 200');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const only = intList(body.warehouse_ids);
    if (only === null) return invalid(res, 'warehouse_ids must be int64 values');
    const found = OZON_WAREHOUSES.filter((w) => only.length === 0 || only.includes(w.warehouse_id));
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const hasNext = !res.locals.sandboxEmptyPage && offset + limit < found.length;
    res.json({
      warehouses: page.map((w) => ({
        warehouse_id: w.warehouse_id,
        name: w.name,
        status: 'created',
        is_rfbs: false,
        is_kgt: w.is_kgt,
        is_express: false,
        warehouse_type: 'FBS',
        first_mile: { type: 'DROP_OFF' },
        postings_limit: -1,
        working_days: ['1', '2', '3', '4', '5'],
      })),
      cursor: hasNext ? encodeCursor(offset + limit) : '',
      has_next: hasNext,
    });
  });
  router.post('/v1/warehouse/list', (_req: Request, res: Response) => {
    res.json({
      result: OZON_WAREHOUSES.map((w) => ({ warehouse_id: w.warehouse_id, name: w.name, is_rfbs: false, is_kgt: w.is_kgt, status: 'created' })),
    });
  });

  // Posting filters shared by the list methods (both spellings of each field are accepted).
  interface PostingFilter {
    statuses: string[];
    warehouseIds: number[];
    orderId?: number;
    orderNumbers: string[];
    since?: number;
    to?: number;
    changedFrom?: number;
    changedTo?: number;
    cutoffFrom?: number;
    cutoffTo?: number;
    deliveringFrom?: number;
    deliveringTo?: number;
  }
  const readFilter = (raw: unknown): PostingFilter | string => {
    const f = obj(raw);
    const statuses = [
      ...(typeof f.status === 'string' && f.status !== '' ? [f.status] : []),
      ...(strList(f.statuses) ?? []),
    ];
    const unknown = statuses.find((s) => !(POSTING_STATUSES as readonly string[]).includes(s));
    if (unknown) return `unknown status ${unknown}`;
    const warehouseIds = [...(intList(f.warehouse_id) ?? []), ...(intList(f.warehouse_ids) ?? [])];
    const changed = obj(f.last_changed_status_date);
    return {
      statuses,
      warehouseIds,
      orderId: toInt(f.order_id) || undefined,
      orderNumbers: strList(f.order_numbers) ?? [],
      since: parseTime(f.since),
      to: parseTime(f.to),
      changedFrom: parseTime(changed.from) ?? parseTime(f.last_change_status_date_from),
      changedTo: parseTime(changed.to) ?? parseTime(f.last_change_status_date_to),
      cutoffFrom: parseTime(f.cutoff_from),
      cutoffTo: parseTime(f.cutoff_to),
      deliveringFrom: parseTime(f.delivering_date_from),
      deliveringTo: parseTime(f.delivering_date_to),
    };
  };
  const within = (t: number | null, from?: number, to?: number) =>
    (from === undefined || (t !== null && t >= from)) && (to === undefined || (t !== null && t <= to));
  const matchPostings = (f: PostingFilter, base: readonly PostingStatus[] | undefined, dir: unknown) => {
    const found = postings.filter(
      (p) =>
        (base === undefined || base.includes(p.status)) &&
        (f.statuses.length === 0 || f.statuses.includes(p.status)) &&
        (f.warehouseIds.length === 0 || f.warehouseIds.includes(p.warehouse.warehouse_id)) &&
        (f.orderId === undefined || p.orderId === f.orderId) &&
        (f.orderNumbers.length === 0 || f.orderNumbers.includes(p.orderNumber)) &&
        within(p.createdAt, f.since, f.to) &&
        within(p.statusChangedAt, f.changedFrom, f.changedTo) &&
        within(p.shipmentDate, f.cutoffFrom, f.cutoffTo) &&
        within(p.deliveringDate, f.deliveringFrom, f.deliveringTo),
    );
    found.sort((a, b) => a.createdAt - b.createdAt || a.postingNumber.localeCompare(b.postingNumber));
    if (String(dir).toUpperCase() === 'DESC') found.reverse();
    return found;
  };
  const unfulfilledWindow = (f: PostingFilter, required: boolean): string | undefined => {
    const cutoff = f.cutoffFrom !== undefined || f.cutoffTo !== undefined;
    const delivering = f.deliveringFrom !== undefined || f.deliveringTo !== undefined;
    if (cutoff && delivering) return 'use either cutoff_from/cutoff_to or delivering_date_from/delivering_date_to, not both';
    if (required && !cutoff && !delivering) return 'filter.cutoff_from and filter.cutoff_to are required';
    const [from, to] = cutoff ? [f.cutoffFrom, f.cutoffTo] : [f.deliveringFrom, f.deliveringTo];
    if ((cutoff || delivering) && (from === undefined || to === undefined)) return 'both ends of the date filter are required';
    if (from !== undefined && to !== undefined && to - from > YEAR) return 'the period must not exceed one year';
    return undefined;
  };
  const sinceTo = (f: PostingFilter): string | undefined => {
    if (f.since === undefined || f.to === undefined) return 'filter.since and filter.to are required';
    if (f.to - f.since > YEAR) return 'the period must not exceed one year';
    return undefined;
  };
  const withOf = (body: Body): With => obj(body.with) as With;

  // §2.3.1 open postings, offset paging (deprecated but served).
  router.post('/v3/posting/fbs/unfulfilled/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    const offset = toInt(body.offset) ?? 0;
    if (limit === undefined || limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    if (offset < 0) return invalid(res, 'offset must not be negative');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = unfulfilledWindow(f, true);
    if (bad) return invalid(res, bad);
    const found = matchPostings(f, RESERVE_STATUSES, body.dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    res.json({ result: { postings: page.map((p) => postingJson(p, 3, withOf(body))), count: found.length } });
  });

  // §2.3.2 open postings, cursor paging.
  router.post('/v4/posting/fbs/unfulfilled/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit) ?? 100;
    if (limit < 1 || limit > 100) return invalid(res, 'limit must be between 1 and 100');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = unfulfilledWindow(f, false);
    if (bad) return invalid(res, bad);
    const found = matchPostings(f, RESERVE_STATUSES, body.sort_dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const hasNext = !res.locals.sandboxEmptyPage && offset + limit < found.length;
    res.json({
      postings: page.map((p) => postingJson(p, 4, withOf(body))),
      count: page.length,
      has_next: hasNext,
      cursor: hasNext ? encodeCursor(offset + limit) : '',
    });
  });

  // §2.3.3 postings by period, offset paging, at most 50 a page.
  router.post('/v3/posting/fbs/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    const offset = toInt(body.offset) ?? 0;
    if (limit === undefined || limit < 1 || limit > 50) return invalid(res, 'limit must be between 1 and 50');
    if (offset < 0) return invalid(res, 'offset must not be negative');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = sinceTo(f);
    if (bad) return invalid(res, bad);
    const found = matchPostings(f, undefined, body.dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    res.json({
      result: {
        postings: page.map((p) => postingJson(p, 3, withOf(body))),
        has_next: !res.locals.sandboxEmptyPage && offset + limit < found.length,
      },
    });
  });

  // §2.3.4 postings by period, cursor paging.
  router.post('/v4/posting/fbs/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    if (limit === undefined || limit < 1 || limit > 100) return invalid(res, 'limit must be between 1 and 100');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = sinceTo(f);
    if (bad) return invalid(res, bad);
    const found = matchPostings(f, undefined, body.sort_dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const hasNext = !res.locals.sandboxEmptyPage && offset + limit < found.length;
    res.json({
      postings: page.map((p) => postingJson(p, 4, withOf(body))),
      has_next: hasNext,
      cursor: hasNext ? encodeCursor(offset + limit) : '',
    });
  });

  // §2.3.5 one posting.
  router.post('/v3/posting/fbs/get', (req: Request, res: Response) => {
    const body = obj(req.body);
    const p = postings.find((x) => x.postingNumber === body.posting_number);
    if (!p) return fail(res, 404, 5, 'Posting not found');
    res.json({ result: { ...postingJson(p, 3, withOf(body)), additional_data: [], related_postings: { related_posting_numbers: [] } } });
  });

  // §2.4 returns, `last_id` paging.
  router.post('/v1/returns/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    const lastId = toInt(body.last_id) ?? 0;
    if (limit === undefined || limit < 1 || limit > 500) return invalid(res, 'limit must be between 1 and 500');
    const f = obj(body.filter);
    const dateFilters = ['logistic_return_date', 'storage_tariffication_start_date', 'visual_status_change_moment'].filter(
      (k) => f[k] !== undefined,
    );
    if (dateFilters.length > 1) return invalid(res, 'only one of the date filters may be set');
    const range = dateFilters[0] ? obj(f[dateFilters[0]]) : {};
    const from = parseTime(range.time_from);
    const to = parseTime(range.time_to);
    const postingNumbers = strList(f.posting_numbers) ?? [];
    if (postingNumbers.length > 50) return invalid(res, 'posting_numbers: at most 50');
    const schema = typeof f.return_schema === 'string' ? f.return_schema.toUpperCase() : undefined;
    const found = returns
      .filter(
        (r) =>
          r.id > lastId &&
          (schema === undefined || schema === 'FBS') &&
          (postingNumbers.length === 0 || postingNumbers.includes(r.posting.postingNumber)) &&
          (f.offer_id === undefined || f.offer_id === r.item.ozon.offerId) &&
          (toInt(f.order_id) === undefined || toInt(f.order_id) === r.posting.orderId) &&
          (f.visual_status_name === undefined ||
            f.visual_status_name === r.status ||
            f.visual_status_name === RETURN_STATUSES[r.status]?.display_name) &&
          (dateFilters[0] === undefined ||
            within(dateFilters[0] === 'visual_status_change_moment' ? r.statusChangedAt : r.createdAt, from, to)),
      )
      .sort((a, b) => a.id - b.id);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(0, limit);
    res.json({ returns: page.map(returnJson), has_next: !res.locals.sandboxEmptyPage && found.length > limit });
  });

  // §2.5 stock push: 200 with a per-item result, at most 100 pairs.
  router.post('/v2/products/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    if (!Array.isArray(body.stocks) || body.stocks.length === 0) return invalid(res, 'Request validation error: stocks must not be empty');
    if (body.stocks.length > STOCK_BATCH_MAX) {
      return invalid(res, `Request validation error: invalid ProductsStocksRequest.Stocks: value must contain no more than ${STOCK_BATCH_MAX} item(s)`);
    }
    const entries = body.stocks.map(obj);
    for (const [i, e] of entries.entries()) {
      const prefix = `Request validation error: invalid ProductsStocksRequest.Stocks[${i}]: embedded message failed validation | caused by: invalid ProductsStocksRequest_Stock`;
      if (!((toInt(e.warehouse_id) ?? 0) > 0)) return invalid(res, `${prefix}.WarehouseId: value must be greater than 0`);
      if (!((toInt(e.product_id) ?? 0) > 0)) return invalid(res, `${prefix}.ProductId: value must be greater than 0`);
      const stock = toInt(e.stock);
      if (stock === undefined || stock < 0) return invalid(res, `${prefix}.Stock: value must be greater than or equal to 0`);
    }
    const now = Date.now();
    const result = entries.map((e) => {
      const warehouseId = toInt(e.warehouse_id)!;
      const productId = toInt(e.product_id)!;
      const offerId = typeof e.offer_id === 'string' && e.offer_id !== '' ? e.offer_id : undefined;
      const stock = toInt(e.stock)!;
      const item = offerId !== undefined ? byOffer(offerId) : byProduct(productId);
      const out = { warehouse_id: warehouseId, product_id: item?.ozon.productId ?? productId, offer_id: item?.ozon.offerId ?? offerId ?? '', quant_size: 1 };
      const error = (code: string, message: string) => ({ ...out, updated: false, errors: [{ code, message }] });
      if (!item) return offerId !== undefined ? error('offer_id_not_found', `offer_id ${offerId} not found`) : error('NOT_FOUND_ERROR', `product_id ${productId} not found`);
      if (!warehouse(warehouseId)) return error('WAREHOUSE_NOT_FOUND', `warehouse ${warehouseId} not found`);
      if (stock >= STOCK_MAX) return error('STOCK_TOO_BIG', 'stock must be less than 1000000');
      const key = stockKey(item.ozon.productId, warehouseId);
      const record = stocks.get(key);
      if (limits.enabled && !window.take(`pair:${key}`, limits.rule('stock-pair'), 1, now).ok) {
        if (record) record.refused = (record.refused ?? 0) + 1;
        return error('TOO_MANY_REQUESTS', 'Stock is updated too frequently');
      }
      stocks.set(key, { stock, updatedAt: now, pushes: (record?.pushes ?? 0) + 1, refused: record?.refused ?? 0 });
      return { ...out, updated: true, errors: [] };
    });
    res.json({ result });
  });

  // §2.6 stock reads.
  router.post('/v4/product/info/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    if (limit === undefined || limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    if (body.filter === undefined) return invalid(res, 'filter is required');
    const f = obj(body.filter);
    const offers = strList(f.offer_id) ?? [];
    const products = intList(f.product_id) ?? [];
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const found = catalog.filter(
      (c) => (offers.length === 0 || offers.includes(c.ozon.offerId)) && (products.length === 0 || products.includes(c.ozon.productId)),
    );
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const rows = stockRows();
    res.json({
      cursor: offset + limit < found.length ? encodeCursor(offset + limit) : '',
      total: found.length,
      items: page.map((item) => {
        const mine = rows.filter((r) => r.item === item);
        return {
          offer_id: item.ozon.offerId,
          product_id: item.ozon.productId,
          stocks:
            mine.length === 0
              ? []
              : [
                  {
                    type: 'fbs',
                    present: mine.reduce((s, r) => s + r.stock + r.reserved, 0),
                    reserved: mine.reduce((s, r) => s + r.reserved, 0),
                    sku: item.ozon.sku,
                    shipment_type: 'SHIPMENT_TYPE_GENERAL',
                    warehouse_ids: mine.map((r) => r.warehouseId),
                  },
                ],
        };
      }),
    });
  });
  router.post(['/v1/product/info/stocks-by-warehouse/fbs', '/v2/product/info/stocks-by-warehouse/fbs'], (req: Request, res: Response) => {
    const body = obj(req.body);
    const skus = intList(body.sku);
    const offers = strList(body.offer_id);
    if (skus === null || offers === null) return invalid(res, 'sku must be int64 values and offer_id strings');
    if (skus.length === 0 && offers.length === 0) return invalid(res, 'one of sku or offer_id is required');
    const rows = stockRows().filter((r) => (skus.length > 0 ? skus.includes(r.item.ozon.sku) : offers.includes(r.item.ozon.offerId)));
    res.json({
      result: rows.map((r) => ({
        sku: r.item.ozon.sku,
        offer_id: r.item.ozon.offerId,
        product_id: r.item.ozon.productId,
        present: r.stock + r.reserved,
        reserved: r.reserved,
        warehouse_id: r.warehouseId,
        warehouse_name: warehouse(r.warehouseId)?.name ?? '',
      })),
    });
  });
  router.post('/v1/product/info/warehouse/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    const warehouseId = toInt(body.warehouse_id);
    const limit = toInt(body.limit) ?? 1000;
    if (warehouseId === undefined || !warehouse(warehouseId)) return fail(res, 404, 5, 'warehouse not found');
    if (limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const rows = stockRows().filter((r) => r.warehouseId === warehouseId);
    const page = res.locals.sandboxEmptyPage ? [] : rows.slice(offset, offset + limit);
    const hasNext = offset + limit < rows.length;
    res.json({
      stocks: page.map((r) => ({
        sku: r.item.ozon.sku,
        product_id: r.item.ozon.productId,
        offer_id: r.item.ozon.offerId,
        warehouse_id: r.warehouseId,
        present: r.stock + r.reserved,
        reserved: r.reserved,
        free_stock: r.stock,
        updated_at: r.record ? new Date(r.record.updatedAt).toISOString() : null,
      })),
      has_next: hasNext,
      cursor: hasNext ? encodeCursor(offset + limit) : '',
    });
  });

  // §2.7 catalogue.
  router.post('/v3/product/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit) ?? 1000;
    if (limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    const f = obj(body.filter);
    const offers = strList(f.offer_id) ?? [];
    const products = intList(f.product_id) ?? [];
    const offset = decodeCursor(body.last_id);
    if (offset === undefined) return invalid(res, 'invalid last_id');
    const found = catalog.filter(
      (c) => (offers.length === 0 || offers.includes(c.ozon.offerId)) && (products.length === 0 || products.includes(c.ozon.productId)),
    );
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const inStock = new Set(stockRows().filter((r) => r.stock > 0).map((r) => r.item));
    res.json({
      result: {
        items: page.map((c) => ({
          product_id: c.ozon.productId,
          offer_id: c.ozon.offerId,
          has_fbo_stocks: false,
          has_fbs_stocks: inStock.has(c),
          archived: false,
          is_discounted: false,
          quants: [],
        })),
        total: found.length,
        last_id: page.length > 0 ? encodeCursor(offset + page.length) : '',
      },
    });
  });
  router.post('/v3/product/info/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const offers = strList(body.offer_id) ?? [];
    const products = intList(body.product_id) ?? [];
    const skus = intList(body.sku) ?? [];
    if (offers.length + products.length + skus.length > 1000) return invalid(res, 'at most 1000 identifiers');
    const found = catalog.filter(
      (c) => offers.includes(c.ozon.offerId) || products.includes(c.ozon.productId) || skus.includes(c.ozon.sku) || skus.includes(c.ozon.fboSku),
    );
    res.json({
      items: found.map((c) => ({
        id: c.ozon.productId,
        offer_id: c.ozon.offerId,
        sku: c.ozon.sku,
        barcodes: [c.barcode],
        name: c.name,
        sources: [
          { sku: c.ozon.sku, source: 'SDS', shipment_type: 'SHIPMENT_TYPE_GENERAL', quant_code: '', created_at: '2025-01-15T10:00:00Z' },
          { sku: c.ozon.fboSku, source: 'FBO', shipment_type: 'SHIPMENT_TYPE_GENERAL', quant_code: '', created_at: '2025-01-15T10:00:00Z' },
        ],
        statuses: { status: 'price_sent', moderate_status: 'approved' },
        is_archived: false,
        is_autoarchived: false,
        price: `${c.price}.00`,
        old_price: '',
        min_price: '',
        currency_code: 'RUB',
      })),
    });
  });

  // ---- Control ----
  const itemRef = z
    .object({
      offer_id: z.string().optional(),
      sku: z.union([z.number(), z.string()]).optional(),
      code: z.string().optional(),
      quantity: z.number().int().min(1).default(1),
    })
    .refine((v) => v.offer_id !== undefined || v.sku !== undefined || v.code !== undefined, 'offer_id, sku or code required');
  const createPosting = z.object({
    items: z.array(itemRef).min(1),
    warehouse_id: z.union([z.number(), z.string()]).optional(),
    status: z.enum(POSTING_STATUSES).default('awaiting_packaging'),
  });
  const resolve = (ref: z.infer<typeof itemRef>): CatalogItem | undefined =>
    ref.offer_id !== undefined ? byOffer(ref.offer_id) : ref.sku !== undefined ? bySku(toInt(ref.sku) ?? -1) : catalog.find((c) => c.code === ref.code);
  const controlError = (res: Response, status: number, error: string): void => {
    res.status(status).json({ error });
  };

  router.get('/_control/credentials', (_req: Request, res: Response) => {
    res.json({ 'Client-Id': OZON_CREDENTIALS.clientId, 'Api-Key': OZON_CREDENTIALS.apiKey });
  });
  router.get('/_control/catalog', (_req: Request, res: Response) => {
    res.json({ total: catalog.length, items: catalog });
  });
  router.get('/_control/warehouses', (_req: Request, res: Response) => {
    res.json({ warehouses: OZON_WAREHOUSES });
  });
  router.get('/_control/stocks', (req: Request, res: Response) => {
    const offerId = typeof req.query.offer_id === 'string' ? req.query.offer_id : undefined;
    res.json({
      stocks: stockRows()
        .filter((r) => offerId === undefined || r.item.ozon.offerId === offerId)
        .map((r) => ({
          code: r.item.code,
          offer_id: r.item.ozon.offerId,
          product_id: r.item.ozon.productId,
          sku: r.item.ozon.sku,
          warehouse_id: r.warehouseId,
          stock: r.stock,
          reserved: r.reserved,
          present: r.stock + r.reserved,
          pushes: r.record?.pushes ?? 0,
          refused: r.record?.refused ?? 0,
          updated_at: r.record ? new Date(r.record.updatedAt).toISOString() : null,
        })),
    });
  });
  router.get('/_control/postings', (_req: Request, res: Response) => {
    res.json({ total: postings.length, postings: postings.map((p) => ({ ...postingJson(p, 3), last_changed_status_date: iso(p.statusChangedAt) })) });
  });
  router.post('/_control/postings', (req: Request, res: Response) => {
    const body = createPosting.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid posting', issues: body.error.issues });
    const w = body.data.warehouse_id === undefined ? OZON_WAREHOUSES[0] : warehouse(toInt(body.data.warehouse_id) ?? -1);
    if (!w) return controlError(res, 400, `unknown warehouse ${String(body.data.warehouse_id)}`);
    const products = [];
    for (const ref of body.data.items) {
      const item = resolve(ref);
      if (!item) return controlError(res, 400, `unknown item ${JSON.stringify(ref)}`);
      products.push({ item, quantity: ref.quantity });
    }
    const p = makePosting(ids, products, w, Date.now(), body.data.status);
    postings.push(p);
    res.status(201).json(postingJson(p, 3));
  });
  router.post('/_control/postings/:postingNumber/status', (req: Request, res: Response) => {
    const p = postings.find((x) => x.postingNumber === req.params.postingNumber);
    if (!p) return controlError(res, 404, 'posting not found');
    const body = z
      .object({ status: z.enum(POSTING_STATUSES), cancel_reason: z.string().optional() })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid status', issues: body.error.issues });
    const to = body.data.status;
    if (FINAL_STATUSES.includes(p.status)) return controlError(res, 409, `posting is ${p.status}: final`);
    const forward = POSTING_FLOW.indexOf(to) > POSTING_FLOW.indexOf(p.status) && POSTING_FLOW.indexOf(p.status) >= 0;
    if (!forward && !['cancelled', 'not_accepted', 'arbitration', 'client_arbitration'].includes(to)) {
      return controlError(res, 409, `cannot move a posting from ${p.status} to ${to}`);
    }
    const now = Date.now();
    if (to === 'cancelled') {
      p.cancellation = {
        reasonId: 352,
        reason: body.data.cancel_reason ?? 'Покупатель отменил заказ',
        afterShip: SHIPPED_STATUSES.includes(p.status),
        initiator: 'Клиент',
      };
    }
    if (SHIPPED_STATUSES.includes(to) && p.deliveringDate === null) p.deliveringDate = now;
    p.status = to;
    p.statusChangedAt = now;
    res.json(postingJson(p, 3));
  });
  router.get('/_control/returns', (_req: Request, res: Response) => {
    res.json({ total: returns.length, returns: returns.map(returnJson) });
  });
  router.post('/_control/returns', (req: Request, res: Response) => {
    const body = z
      .object({
        posting_number: z.string(),
        offer_id: z.string().optional(),
        sku: z.union([z.number(), z.string()]).optional(),
        quantity: z.number().int().min(1).default(1),
        type: z.enum(RETURN_TYPES).default('ClientReturn'),
        status: z.string().default('MovingToSeller'),
        reason: z.string().default('Не подошёл размер'),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid return', issues: body.error.issues });
    if (!RETURN_STATUSES[body.data.status]) return controlError(res, 400, `unknown status; one of ${Object.keys(RETURN_STATUSES).join(', ')}`);
    const posting = postings.find((x) => x.postingNumber === body.data.posting_number);
    if (!posting) return controlError(res, 404, 'posting not found');
    const line = posting.products.find(
      (pr) =>
        (body.data.offer_id === undefined || pr.item.ozon.offerId === body.data.offer_id) &&
        (body.data.sku === undefined || pr.item.ozon.sku === toInt(body.data.sku)),
    );
    if (!line) return controlError(res, 400, 'the posting has no such product');
    if (body.data.quantity > line.quantity) return controlError(res, 400, 'quantity exceeds the posting line');
    const now = Date.now();
    const r: OzonReturn = {
      id: ids.nextReturn(),
      type: body.data.type,
      posting,
      item: line.item,
      quantity: body.data.quantity,
      status: body.data.status,
      statusChangedAt: now,
      createdAt: now,
      finalMoment: body.data.status === 'ReceivedBySeller' ? now : null,
      barcode: `ii${String(now).slice(-10)}`,
      reason: body.data.reason,
    };
    returns.push(r);
    res.status(201).json(returnJson(r));
  });
  router.post('/_control/returns/:id/status', (req: Request, res: Response) => {
    const r = returns.find((x) => x.id === toInt(req.params.id));
    if (!r) return controlError(res, 404, 'return not found');
    const status = obj(req.body).status;
    if (typeof status !== 'string' || !RETURN_STATUSES[status]) {
      return controlError(res, 400, `status must be one of ${Object.keys(RETURN_STATUSES).join(', ')}`);
    }
    r.status = status;
    r.statusChangedAt = Date.now();
    if (status === 'ReceivedBySeller') r.finalMoment = r.statusChangedAt;
    res.json(returnJson(r));
  });
  limits.mount(router);

  // Malformed JSON bodies: Ozon's 400 shape rather than the sandbox's 500.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed') return invalid(res, 'Invalid request body');
    next(err);
  });

  return { name: 'ozon', prefix: '/ozon', router, reset };
}
