import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Fake, FakeContext } from '../fake';
import { brandOf, generateCatalog, type CatalogItem } from '../marketplace-catalog';
import { DAY, intList, iso, obj, toInt } from '../marketplace-params';
import { RateLimitSettings, TokenBucket } from '../rate-limits';
import {
  SUPPLIER_STATUSES,
  WB_CATEGORY_BITS,
  WB_SELLER_ID,
  WB_STATUSES,
  WB_TOKENS,
  WB_WAREHOUSES,
  generateWbData,
  makeTask,
  stockKey,
  type WbCategory,
  type WbClaim,
  type WbGoodsReturn,
  type WbIds,
  type WbStock,
  type WbTask,
  type WbWarehouse,
} from './data';

export { WB_TOKENS, WB_WAREHOUSES } from './data';

const STOCK_BATCH_MAX = 1000;
const AMOUNT_MAX = 100_000;


/** Marketplace-method errors: `{code, message, data}`. */
const fail = (res: Response, http: number, code: string, message: string) => {
  res.status(http).json({ code, message, data: null });
};
const badParam = (res: Response, message = 'Передан некорректный параметр') => fail(res, 400, 'IncorrectParameter', message);

/** Gateway errors (401, 429): the `title/detail/status` shape. */
const gateway = (res: Response, status: 401 | 429, origin: string, detail: string) => {
  res.status(status).json({
    title: status === 401 ? 'unauthorized' : 'too many requests',
    detail,
    code: status === 401 ? '6f1c2a9e-sandbox-unauthorized' : '07e4668e-sandbox-rate-limit',
    requestId: `sandbox-${Date.now().toString(16)}`,
    origin,
    status,
    statusText: status === 401 ? 'Unauthorized' : 'Too Many Requests',
    timestamp: iso(Date.now()),
  });
};

/** The WB hosts the fake serves, as sub-paths of `/wb`, and the token category each needs. */
const HOSTS: Record<string, WbCategory> = {
  marketplace: 'marketplace',
  content: 'content',
  returns: 'returns',
  analytics: 'analytics',
  statistics: 'statistics',
  common: 'marketplace',
};
const PENALISED = new Set(['warehouses', 'orders', 'stocks', 'stocks-delete', 'orders-cancel']);

/** The orders list's `next`: the last task id served, disguised (an int64 that is never a task id). */
const NEXT_BASE = 7_000_000_000_000;
const encodeNext = (lastId: number) => NEXT_BASE + lastId * 8 + 5;
const decodeNext = (next: number): number | undefined => (next > NEXT_BASE && (next - NEXT_BASE) % 8 === 5 ? (next - NEXT_BASE - 5) / 8 : undefined);

const moscowNoOffset = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().replace('Z', '');

/**
 * Wildberries seller APIs, per shared/reference/marketplaces.md §3: one sub-path per WB host
 * (`/wb/marketplace` = marketplace-api, `/wb/content` = content-api, `/wb/returns` = returns-api,
 * `/wb/analytics` = seller-analytics-api, `/wb/common`, `/wb/statistics` = ping only). Auth is the
 * raw token in `Authorization`. Assumptions are listed in apps/sandbox/README.md ("Wildberries").
 */
export function createWildberriesFake(ctx: FakeContext): Fake {
  let catalog: CatalogItem[] = [];
  let ids: WbIds;
  let tasks: WbTask[] = [];
  let claims: WbClaim[] = [];
  let goodsReturns: WbGoodsReturn[] = [];
  let stocks = new Map<string, WbStock>();
  const buckets = new TokenBucket();
  const limits = new RateLimitSettings(
    {
      warehouses: { limit: 300, windowMs: 60_000, burst: 20 },
      orders: { limit: 300, windowMs: 60_000, burst: 20 },
      stocks: { limit: 300, windowMs: 60_000, burst: 20 },
      // The reference says 50/min; the Aug-2026 spec (swagger/02-items.yaml) says 10/min, interval 6 s, burst 2.
      'stocks-delete': { limit: 10, windowMs: 60_000, burst: 2 },
      'orders-cancel': { limit: 100, windowMs: 60_000, burst: 20 },
      claims: { limit: 20, windowMs: 60_000, burst: 10 },
      content: { limit: 100, windowMs: 60_000, burst: 5 },
      'goods-return': { limit: 1, windowMs: 60_000, burst: 10 },
      ping: { limit: 3, windowMs: 30_000, burst: 3 },
    },
    {},
    () => buckets.clear(),
  );

  const reset = () => {
    catalog = generateCatalog(ctx.seed, ctx.catalogExtra);
    const data = generateWbData(ctx.seed, catalog, Date.now());
    ids = data.ids;
    tasks = data.tasks;
    claims = data.claims;
    goodsReturns = data.goodsReturns;
    stocks = data.stocks;
    limits.reset();
  };
  reset();

  ctx.faults.registerPreset('wb.rate-limit', {
    status: 429,
    headers: { 'X-Ratelimit-Retry': '2', 'X-Ratelimit-Limit': '20', 'X-Ratelimit-Reset': '29' },
    body: {
      title: 'too many requests',
      detail: 'limited by c122a060-a7fb-4bb4-abb0-32fd4e18d489',
      code: '07e4668e-ac2242d5c8',
      requestId: '9d3c02cc698f8b041c661a7c28bed293',
      origin: 's2s-api-auth-marketplace',
      status: 429,
      statusText: 'Too Many Requests',
      timestamp: '2024-09-30T06:52:38Z',
    },
  });
  ctx.faults.registerPreset('wb.unauthorized', {
    status: 401,
    body: { title: 'unauthorized', detail: 'token expired', code: '6f1c2a9e', requestId: 'sandbox', origin: 's2s-api-auth-marketplace', status: 401, statusText: 'Unauthorized', timestamp: '2024-09-30T06:52:38Z' },
  });
  ctx.faults.registerPreset('wb.store-processing', {
    status: 409,
    body: [{ code: 'StoreIsProcessing', message: 'Склад обрабатывается, повторите через несколько секунд', data: [] }],
  });
  ctx.faults.registerPreset('wb.stocks-blocked', {
    status: 406,
    body: { code: 'StatusNotAcceptable', message: 'Обновление остатков заблокировано в связи с баном поставщика' },
  });

  const warehouse = (id: number | undefined) => WB_WAREHOUSES.find((w) => w.id === id);
  const byChrt = (chrtId: number) => catalog.find((c) => c.wb.chrtId === chrtId);

  const taskJson = (t: WbTask, full: boolean) => ({
    id: t.id,
    rid: t.rid,
    orderUid: t.orderUid,
    createdAt: iso(t.createdAt),
    warehouseId: t.warehouse.id,
    officeId: t.warehouse.officeId,
    offices: [t.warehouse.officeName],
    nmId: t.item.wb.nmId,
    chrtId: t.item.wb.chrtId,
    article: t.item.wb.vendorCode,
    skus: [t.item.wb.barcode],
    price: t.item.price * 100,
    finalPrice: t.item.price * 100,
    salePrice: t.item.price * 100,
    convertedPrice: t.item.price * 100,
    convertedFinalPrice: t.item.price * 100,
    currencyCode: 643,
    convertedCurrencyCode: 643,
    cargoType: t.item.cargoType,
    deliveryType: 'fbs',
    crossBorderType: 0,
    isZeroOrder: t.isZeroOrder,
    isPickupPointShipmentAllowed: true,
    comment: '',
    colorCode: '',
    requiredMeta: [],
    optionalMeta: [],
    scanPrice: full && t.supplierStatus === 'complete' ? t.item.price * 100 : null,
    address: null,
    ddate: '',
    sellerDate: null,
    options: { isB2B: false },
    ...(full && { supplyId: t.supplyId ?? '' }),
  });
  const isCancellable = (t: WbTask) => (t.supplierStatus === 'new' || t.supplierStatus === 'confirm') && t.wbStatus === 'waiting';

  const claimJson = (c: WbClaim) => ({
    id: c.id,
    claim_type: 1,
    status: c.status,
    status_ex: c.statusEx,
    nm_id: c.task.item.wb.nmId,
    user_comment: c.comment,
    wb_comment: '',
    dt: moscowNoOffset(c.createdAt),
    imt_name: c.task.item.name,
    order_dt: moscowNoOffset(c.task.createdAt),
    dt_update: moscowNoOffset(c.updatedAt),
    photos: [],
    video_paths: [],
    actions: c.status === 0 ? ['approve1', 'reject1', 'rejectcustom'] : [],
    price: c.task.item.price,
    currency_code: '643',
    srid: c.task.rid,
  });
  const goodsReturnJson = (g: WbGoodsReturn) => ({
    barcode: g.task.item.wb.barcode,
    brand: brandOf(g.task.item),
    nmId: g.task.item.wb.nmId,
    techSize: g.task.item.wb.techSize,
    subjectName: g.task.item.name,
    orderId: g.task.id,
    srid: g.task.rid,
    shkId: g.shkId,
    stickerId: String(g.task.id * 3),
    orderDt: iso(g.task.createdAt),
    reason: g.reason,
    returnType: 'Возврат заблокированного товара',
    status: g.status,
    isStatusActive: g.completedAt === null ? 1 : 0,
    dstOfficeId: g.task.warehouse.officeId,
    dstOfficeAddress: g.task.warehouse.name,
    readyToReturnDt: iso(g.createdAt + 3600_000),
    expiredDt: iso(g.createdAt + 14 * DAY),
    completedDt: g.completedAt === null ? null : iso(g.completedAt),
  });

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));

  // Auth and rate limits per host; control endpoints skip both.
  const groupOf = (host: string, req: Request): string => {
    if (req.path === '/ping') return 'ping';
    if (host === 'content') return 'content';
    if (host === 'returns') return 'claims';
    if (host === 'analytics') return 'goods-return';
    if (req.path.startsWith('/api/v3/stocks')) return req.method === 'DELETE' ? 'stocks-delete' : 'stocks';
    if (/^\/api\/v3\/orders\/\d+\/cancel$/.test(req.path)) return 'orders-cancel';
    if (req.path.startsWith('/api/v3/warehouses')) return 'warehouses';
    return 'orders';
  };
  const guard = (host: string) => (req: Request, res: Response, next: NextFunction) => {
    const origin = `s2s-api-auth-${host}`;
    const raw = (req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
    if (raw === '') return gateway(res, 401, origin, 'empty Authorization header');
    const known = Object.values(WB_TOKENS).includes(raw);
    if (!known) return gateway(res, 401, origin, 'token is malformed or not recognised');
    const payload = JSON.parse(Buffer.from(raw.split('.')[1] ?? '', 'base64url').toString()) as { s: number };
    const category = HOSTS[host]!;
    if (req.path !== '/ping' && (payload.s & (1 << WB_CATEGORY_BITS[category])) === 0) {
      return gateway(res, 401, origin, `token scope not allowed for this API route: ${category}`);
    }
    const writes = ['PUT', 'PATCH', 'DELETE'].includes(req.method);
    if (writes && (payload.s & (1 << WB_CATEGORY_BITS.readOnly)) !== 0) {
      return gateway(res, 401, origin, 'read-only token scope not allowed for this API route');
    }
    if (limits.enabled) {
      const group = groupOf(host, req);
      const rule = limits.rule(group);
      const key = `${WB_SELLER_ID}:${group}`;
      const taken = buckets.take(key, rule);
      if (!taken.ok) {
        const now = Date.now();
        res.setHeader('X-Ratelimit-Retry', String(Math.max(1, Math.ceil((taken.retryAt - now) / 1000))));
        res.setHeader('X-Ratelimit-Limit', String(rule.burst ?? rule.limit));
        res.setHeader('X-Ratelimit-Reset', String(Math.max(1, Math.ceil((taken.resetAt - now) / 1000))));
        return gateway(res, 429, origin, `limited by ${group}`);
      }
      res.setHeader('X-Ratelimit-Remaining', String(taken.remaining));
      if (PENALISED.has(group)) {
        // A 4xx costs 10 requests in Marketplace groups (Aug-2026 spec).
        res.on('finish', () => {
          if (res.statusCode >= 400 && res.statusCode < 500) buckets.charge(key, rule, 9);
        });
      }
    }
    next();
  };
  const hosts: Record<string, Router> = {};
  for (const host of Object.keys(HOSTS)) {
    const sub = express.Router();
    sub.use(guard(host));
    sub.get('/ping', (_req: Request, res: Response) => {
      res.json({ TS: new Date(Date.now() + 3 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+03:00'), Status: 'OK' });
    });
    hosts[host] = sub;
  }
  const mp = hosts.marketplace!;

  // §3.2 seller warehouses: a top-level array.
  mp.get('/api/v3/warehouses', (_req: Request, res: Response) => {
    res.json(
      WB_WAREHOUSES.map((w) => ({
        name: w.name,
        officeId: w.officeId,
        id: w.id,
        cargoType: w.cargoType,
        deliveryType: w.deliveryType,
        isDeleting: w.isDeleting,
        isProcessing: w.isProcessing,
      })),
    );
  });

  // §3.3.1 every task in `new`, no paging.
  mp.get('/api/v3/orders/new', (_req: Request, res: Response) => {
    const found = res.locals.sandboxEmptyPage ? [] : tasks.filter((t) => t.supplierStatus === 'new');
    res.json({ orders: found.map((t) => taskJson(t, false)) });
  });

  // §3.3.2 tasks by creation date. `next` is 0 first, then what the previous answer said: an opaque
  // position (here not a task id: a client must pass it back as given), refused if we never issued it.
  mp.get('/api/v3/orders', (req: Request, res: Response) => {
    const limit = toInt(req.query.limit);
    const given = toInt(req.query.next);
    if (limit === undefined || limit < 1 || limit > 1000) return badParam(res, 'limit: must be from 1 to 1000');
    if (given === undefined || given < 0) return badParam(res, 'next: required, 0 on the first call');
    const next = given === 0 ? 0 : decodeNext(given);
    if (next === undefined) return badParam(res, 'next: not a value this method answered');
    const nowS = Math.floor(Date.now() / 1000);
    const from = toInt(req.query.dateFrom) ?? nowS - 30 * 86400;
    const to = toInt(req.query.dateTo) ?? nowS;
    if (from > to || to - from > 30 * 86400) return badParam(res, 'dateFrom/dateTo: the period must not exceed 30 days');
    const found = tasks
      .filter((t) => t.id > next && t.createdAt >= from * 1000 && t.createdAt <= to * 1000 + 999)
      .sort((a, b) => a.id - b.id);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(0, limit);
    res.json({ next: encodeNext(page.at(-1)?.id ?? next), orders: page.map((t) => taskJson(t, true)) });
  });

  // §3.3.3 statuses by id (unknown ids are left out).
  mp.post('/api/v3/orders/status', (req: Request, res: Response) => {
    const orders = intList(obj(req.body).orders);
    if (orders === null || orders.length < 1 || orders.length > 1000) {
      return fail(res, 400, 'IncorrectRequestBody', 'orders: from 1 to 1000 ids');
    }
    res.json({
      orders: tasks
        .filter((t) => orders.includes(t.id))
        .map((t) => ({ id: t.id, supplierStatus: t.supplierStatus, wbStatus: t.wbStatus, isCancellable: isCancellable(t) })),
    });
  });

  mp.patch('/api/v3/orders/:orderId/cancel', (req: Request, res: Response) => {
    const t = tasks.find((x) => x.id === toInt(req.params.orderId));
    if (!t) return fail(res, 404, 'NotFound', 'Сборочное задание не найдено');
    if (!isCancellable(t)) return fail(res, 409, 'StatusMismatch', 'Несоответствие статусов');
    t.supplierStatus = 'cancel';
    t.wbStatus = 'canceled';
    t.statusChangedAt = Date.now();
    res.status(204).end();
  });

  // §3.5 stock push: 204, 409 array for per-item failures (nothing applied then).
  mp.put('/api/v3/stocks/:warehouseId', (req: Request, res: Response) => {
    const w = warehouse(toInt(req.params.warehouseId));
    if (!w) return fail(res, 404, 'NotFound', '');
    const body = obj(req.body);
    if (!Array.isArray(body.stocks)) return fail(res, 400, 'IncorrectRequestBody', 'Некорректное тело запроса');
    if (body.stocks.length < 1 || body.stocks.length > STOCK_BATCH_MAX) {
      return fail(res, 400, 'IncorrectRequestBody', `stocks: from 1 to ${STOCK_BATCH_MAX} items`);
    }
    const entries = body.stocks.map(obj);
    if (entries.some((e) => e.sku !== undefined)) {
      return fail(res, 400, 'SKUUploadDisabled', "Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key");
    }
    if (w.isProcessing) {
      res.status(409).json([{ code: 'StoreIsProcessing', message: 'Склад обрабатывается, повторите через несколько секунд', data: entries }]);
      return;
    }
    // WB does not validate key names: entries without chrtId/amount are skipped silently.
    const valid = entries.filter((e) => toInt(e.chrtId) !== undefined && toInt(e.amount) !== undefined);
    const failures = new Map<string, { chrtId: number; amount: number; sku: string }[]>();
    const addFailure = (code: string, chrtId: number, amount: number) => {
      failures.set(code, [...(failures.get(code) ?? []), { sku: '', chrtId, amount }]);
    };
    for (const e of valid) {
      const chrtId = toInt(e.chrtId)!;
      const amount = toInt(e.amount)!;
      const item = byChrt(chrtId);
      if (!item) addFailure('NotFound', chrtId, amount);
      else if (amount < 0 || amount > AMOUNT_MAX) addFailure('UploadDataLimit', chrtId, amount);
      else if (item.cargoType > w.cargoType) addFailure(w.cargoType === 1 ? 'CargoWarehouseRestrictionMGT' : 'CargoWarehouseRestrictionSGT', chrtId, amount);
    }
    if (failures.size > 0) {
      const messages: Record<string, string> = {
        NotFound: 'Товар не найден',
        UploadDataLimit: `Остаток должен быть от 0 до ${AMOUNT_MAX}`,
        CargoWarehouseRestrictionMGT: 'Склад принимает только малогабаритные товары',
        CargoWarehouseRestrictionSGT: 'Склад не принимает КГТ',
      };
      res.status(409).json([...failures].map(([code, data]) => ({ code, message: messages[code] ?? code, data })));
      return;
    }
    const now = Date.now();
    for (const e of valid) {
      const key = stockKey(w.id, toInt(e.chrtId)!);
      stocks.set(key, { amount: toInt(e.amount)!, updatedAt: now, pushes: (stocks.get(key)?.pushes ?? 0) + 1 });
    }
    res.status(204).end();
  });

  // §3.6 stock read for a seller warehouse.
  mp.post('/api/v3/stocks/:warehouseId', (req: Request, res: Response) => {
    const w = warehouse(toInt(req.params.warehouseId));
    if (!w) return fail(res, 404, 'NotFound', '');
    const body = obj(req.body);
    if (body.skus !== undefined) return fail(res, 400, 'SKUUploadDisabled', "Reading stock by 'skus' is not allowed. Please use 'chrtIds'");
    const chrtIds = intList(body.chrtIds);
    if (chrtIds === null || chrtIds.length < 1 || chrtIds.length > STOCK_BATCH_MAX) {
      return fail(res, 400, 'IncorrectRequestBody', `chrtIds: from 1 to ${STOCK_BATCH_MAX} ids`);
    }
    res.json({
      stocks: chrtIds.flatMap((chrtId) => {
        const s = stocks.get(stockKey(w.id, chrtId));
        return s ? [{ chrtId, amount: s.amount }] : [];
      }),
    });
  });

  mp.delete('/api/v3/stocks/:warehouseId', (req: Request, res: Response) => {
    const w = warehouse(toInt(req.params.warehouseId));
    if (!w) return fail(res, 404, 'NotFound', '');
    const chrtIds = intList(obj(req.body).chrtIds);
    if (chrtIds === null || chrtIds.length < 1 || chrtIds.length > STOCK_BATCH_MAX) {
      return fail(res, 400, 'IncorrectRequestBody', `chrtIds: from 1 to ${STOCK_BATCH_MAX} ids`);
    }
    for (const chrtId of chrtIds) stocks.delete(stockKey(w.id, chrtId));
    res.status(204).end();
  });

  // §3.4.1 buyer return claims (returns-api).
  hosts.returns!.get('/api/v1/claims', (req: Request, res: Response) => {
    const archive = req.query.is_archive;
    if (archive !== 'true' && archive !== 'false') return badParam(res, 'is_archive: required, true or false');
    const limit = toInt(req.query.limit) ?? 50;
    const offset = toInt(req.query.offset) ?? 0;
    if (limit < 1 || limit > 200 || offset < 0) return badParam(res, 'limit: from 1 to 200');
    const id = typeof req.query.id === 'string' ? req.query.id : undefined;
    const nmId = toInt(req.query.nm_id);
    const horizon = Date.now() - 14 * DAY;
    const found = claims
      .filter(
        (c) =>
          (c.status !== 0) === (archive === 'true') &&
          c.createdAt >= horizon &&
          (id === undefined || c.id === id) &&
          (nmId === undefined || c.task.item.wb.nmId === nmId),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    res.json({ claims: page.map(claimJson), total: found.length });
  });

  // §3.4.2 goods returned to the seller (seller-analytics-api).
  hosts.analytics!.get('/api/v1/analytics/goods-return', (req: Request, res: Response) => {
    const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00+03:00`) : undefined);
    const from = day(req.query.dateFrom);
    const to = day(req.query.dateTo);
    if (from === undefined || to === undefined || to < from) return badParam(res, 'dateFrom and dateTo: YYYY-MM-DD');
    if (to - from > 31 * DAY) return badParam(res, 'the period must not exceed 31 days');
    const found = goodsReturns.filter((g) => {
      const changed = g.completedAt ?? g.createdAt;
      return changed >= from && changed < to + DAY;
    });
    res.json({ report: res.locals.sandboxEmptyPage ? [] : found.map(goodsReturnJson) });
  });

  // §3.7 product cards (content-api), cursor = last card's updatedAt + nmID.
  const cards = () => {
    const byNm = new Map<number, CatalogItem[]>();
    for (const c of catalog) byNm.set(c.wb.nmId, [...(byNm.get(c.wb.nmId) ?? []), c]);
    return [...byNm.values()].map((sizes, i) => {
      const first = sizes[0]!;
      const updatedAt = new Date(Date.UTC(2025, 11, 6, 11, 17) + i * 3600_000).toISOString();
      return {
        nmID: first.wb.nmId,
        imtID: first.wb.imtId,
        nmUUID: `01bda0b1-0000-4000-8000-${String(first.wb.nmId).padStart(12, '0')}`,
        subjectID: 7771,
        subjectName: first.name.split(',')[0],
        vendorCode: first.wb.vendorCode,
        brand: brandOf(first),
        title: first.name.split(',')[0],
        needKiz: false,
        dimensions: { length: 30, width: 20, height: 10, weightBrutto: 1.2, isValid: true },
        sizes: sizes.map((s) => ({ chrtID: s.wb.chrtId, techSize: s.wb.techSize, wbSize: s.wb.techSize === '0' ? '' : s.wb.techSize, skus: [s.wb.barcode] })),
        createdAt: updatedAt,
        updatedAt,
      };
    });
  };
  hosts.content!.post('/content/v2/get/cards/list', (req: Request, res: Response) => {
    const settings = obj(obj(req.body).settings);
    const cursor = obj(settings.cursor);
    const filter = obj(settings.filter);
    const limit = toInt(cursor.limit) ?? 100;
    if (limit < 1 || limit > 100) return res.status(400).json({ data: null, error: true, errorText: 'cursor.limit: from 1 to 100', additionalErrors: null });
    const ascending = obj(settings.sort).ascending === true;
    const text = typeof filter.textSearch === 'string' ? filter.textSearch.toLowerCase() : '';
    let list = cards()
      .filter((c) => text === '' || c.vendorCode.toLowerCase().includes(text) || String(c.nmID) === text || c.sizes.some((s) => s.skus.includes(text)))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.nmID - b.nmID);
    if (!ascending) list.reverse();
    if (typeof cursor.updatedAt === 'string' && toInt(cursor.nmID) !== undefined) {
      const at = list.findIndex((c) => c.nmID === toInt(cursor.nmID) && c.updatedAt === cursor.updatedAt);
      list = at >= 0 ? list.slice(at + 1) : [];
    }
    const page = res.locals.sandboxEmptyPage ? [] : list.slice(0, limit);
    const last = page.at(-1);
    res.json({ cards: page, cursor: { updatedAt: last?.updatedAt ?? null, nmID: last?.nmID ?? null, total: page.length } });
    return undefined;
  });

  for (const [host, sub] of Object.entries(hosts)) router.use(`/${host}`, sub);

  // ---- Control ----
  const controlError = (res: Response, status: number, error: string): void => {
    res.status(status).json({ error });
  };
  const itemRef = z
    .object({ chrtId: z.number().int().optional(), barcode: z.string().optional(), code: z.string().optional(), quantity: z.number().int().min(1).default(1) })
    .refine((v) => v.chrtId !== undefined || v.barcode !== undefined || v.code !== undefined, 'chrtId, barcode or code required');

  router.get('/_control/credentials', (_req: Request, res: Response) => {
    res.json({ tokens: WB_TOKENS, header: 'Authorization', hosts: Object.keys(HOSTS).map((h) => `/wb/${h}`) });
  });
  router.get('/_control/catalog', (_req: Request, res: Response) => {
    res.json({ total: catalog.length, items: catalog });
  });
  router.get('/_control/warehouses', (_req: Request, res: Response) => {
    res.json({ warehouses: WB_WAREHOUSES });
  });
  router.get('/_control/stocks', (req: Request, res: Response) => {
    const only = toInt(req.query.warehouseId);
    const rows = [];
    for (const w of WB_WAREHOUSES) {
      if (only !== undefined && w.id !== only) continue;
      for (const item of catalog) {
        const s = stocks.get(stockKey(w.id, item.wb.chrtId));
        if (!s) continue;
        rows.push({ code: item.code, chrtId: item.wb.chrtId, nmId: item.wb.nmId, barcode: item.wb.barcode, warehouseId: w.id, amount: s.amount, pushes: s.pushes, updatedAt: iso(s.updatedAt) });
      }
    }
    res.json({ stocks: rows });
  });
  router.get('/_control/orders', (_req: Request, res: Response) => {
    res.json({
      total: tasks.length,
      orders: tasks.map((t) => ({ ...taskJson(t, true), supplierStatus: t.supplierStatus, wbStatus: t.wbStatus, statusChangedAt: iso(t.statusChangedAt) })),
    });
  });
  router.post('/_control/orders', (req: Request, res: Response) => {
    const body = z.object({ items: z.array(itemRef).min(1), warehouseId: z.number().int().optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid order', issues: body.error.issues });
    const w: WbWarehouse | undefined = body.data.warehouseId === undefined ? WB_WAREHOUSES[0] : warehouse(body.data.warehouseId);
    if (!w) return controlError(res, 400, `unknown warehouse ${String(body.data.warehouseId)}`);
    const lines: { item: CatalogItem; quantity: number }[] = [];
    for (const ref of body.data.items) {
      const item = catalog.find((c) =>
        ref.chrtId !== undefined ? c.wb.chrtId === ref.chrtId : ref.barcode !== undefined ? c.wb.barcode === ref.barcode : c.code === ref.code,
      );
      if (!item) return controlError(res, 400, `unknown item ${JSON.stringify(ref)}`);
      lines.push({ item, quantity: ref.quantity });
    }
    const now = Date.now();
    const orderUid = ids.orderUid();
    // One assembly task per unit.
    const created = lines.flatMap(({ item, quantity }) =>
      Array.from({ length: quantity }, () => makeTask(ids, item, w, now, orderUid, (stocks.get(stockKey(w.id, item.wb.chrtId))?.amount ?? 0) === 0)),
    );
    tasks.push(...created);
    res.status(201).json({ orders: created.map((t) => taskJson(t, true)) });
  });
  router.post('/_control/orders/:id/status', (req: Request, res: Response) => {
    const t = tasks.find((x) => x.id === toInt(req.params.id));
    if (!t) return controlError(res, 404, 'order not found');
    const body = z
      .object({ supplierStatus: z.enum(SUPPLIER_STATUSES).optional(), wbStatus: z.enum(WB_STATUSES).optional() })
      .refine((v) => v.supplierStatus !== undefined || v.wbStatus !== undefined, 'supplierStatus or wbStatus required')
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid status', issues: body.error.issues });
    const { supplierStatus, wbStatus } = body.data;
    if (supplierStatus !== undefined && supplierStatus !== t.supplierStatus) {
      const from = SUPPLIER_STATUSES.indexOf(t.supplierStatus);
      const to = SUPPLIER_STATUSES.indexOf(supplierStatus);
      const allowed = t.supplierStatus !== 'cancel' && (supplierStatus === 'cancel' ? t.supplierStatus !== 'complete' : to > from);
      if (!allowed) return controlError(res, 409, `cannot move supplierStatus from ${t.supplierStatus} to ${supplierStatus}`);
      if (supplierStatus !== 'cancel' && t.supplyId === null) t.supplyId = ids.nextSupply();
      t.supplierStatus = supplierStatus;
      if (supplierStatus === 'cancel' && wbStatus === undefined) t.wbStatus = 'canceled';
    }
    if (wbStatus !== undefined) t.wbStatus = wbStatus;
    t.statusChangedAt = Date.now();
    res.json({ id: t.id, supplierStatus: t.supplierStatus, wbStatus: t.wbStatus, isCancellable: isCancellable(t) });
  });
  router.get('/_control/claims', (_req: Request, res: Response) => {
    res.json({ total: claims.length, claims: claims.map(claimJson) });
  });
  router.post('/_control/claims', (req: Request, res: Response) => {
    const body = z
      .object({ orderId: z.number().int(), status: z.number().int().min(0).max(2).default(0), status_ex: z.number().int().default(0), comment: z.string().default('Товар не подошёл') })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid claim', issues: body.error.issues });
    const task = tasks.find((t) => t.id === body.data.orderId);
    if (!task) return controlError(res, 404, 'order not found');
    const now = Date.now();
    const claim: WbClaim = { id: ids.uuid(), task, status: body.data.status, statusEx: body.data.status_ex, comment: body.data.comment, createdAt: now, updatedAt: now };
    claims.push(claim);
    res.status(201).json(claimJson(claim));
  });
  router.post('/_control/claims/:id', (req: Request, res: Response) => {
    const claim = claims.find((c) => c.id === req.params.id);
    if (!claim) return controlError(res, 404, 'claim not found');
    const body = z.object({ status: z.number().int().min(0).max(2).optional(), status_ex: z.number().int().optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid claim update', issues: body.error.issues });
    if (body.data.status !== undefined) claim.status = body.data.status;
    if (body.data.status_ex !== undefined) claim.statusEx = body.data.status_ex;
    claim.updatedAt = Date.now();
    res.json(claimJson(claim));
  });
  router.get('/_control/goods-returns', (_req: Request, res: Response) => {
    res.json({ total: goodsReturns.length, report: goodsReturns.map(goodsReturnJson) });
  });
  router.post('/_control/goods-returns', (req: Request, res: Response) => {
    const body = z
      .object({ orderId: z.number().int(), status: z.string().default('В пути в пвз'), reason: z.string().default('Возврат покупателя'), completed: z.boolean().default(false) })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid goods return', issues: body.error.issues });
    const task = tasks.find((t) => t.id === body.data.orderId);
    if (!task) return controlError(res, 404, 'order not found');
    const now = Date.now();
    const row: WbGoodsReturn = {
      shkId: ids.nextShk(),
      task,
      status: body.data.completed ? 'Получен продавцом' : body.data.status,
      reason: body.data.reason,
      createdAt: now,
      completedAt: body.data.completed ? now : null,
    };
    goodsReturns.push(row);
    res.status(201).json(goodsReturnJson(row));
  });
  router.post('/_control/goods-returns/:shkId', (req: Request, res: Response) => {
    const row = goodsReturns.find((g) => g.shkId === toInt(req.params.shkId));
    if (!row) return controlError(res, 404, 'goods return not found');
    const body = obj(req.body);
    if (typeof body.status === 'string') row.status = body.status;
    if (body.completed === true) {
      row.completedAt = Date.now();
      if (typeof body.status !== 'string') row.status = 'Получен продавцом';
    }
    res.json(goodsReturnJson(row));
  });
  limits.mount(router);

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed') {
      return fail(res, 400, 'IncorrectRequestBody', 'Некорректное тело запроса');
    }
    next(err);
  });

  return { name: 'wildberries', prefix: '/wb', router, reset };
}
