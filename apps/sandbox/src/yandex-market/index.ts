import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Fake, FakeContext } from '../fake';
import { sleep } from '../faults';
import { generateCatalog, type CatalogItem } from '../marketplace-catalog';
import { DAY, decodeCursor, encodeCursor, intList, listParam, mskDayStart, mskDmy, mskIso, obj, parseTime, strList, toInt } from '../marketplace-params';
import { RateLimitSettings, SlidingWindow } from '../rate-limits';
import {
  DEFAULT_SUBSTATUS,
  ORDER_FLOW,
  ORDER_STATUSES,
  REFUND_STATUSES,
  SHIPMENT_STATUSES,
  YM_BUSINESS,
  YM_CAMPAIGNS,
  YM_CREDENTIALS,
  YM_WAREHOUSES,
  generateYmData,
  isReserve,
  makeOrder,
  stockKey,
  type OrderStatus,
  type YmCampaign,
  type YmIds,
  type YmOrder,
  type YmReturn,
  type YmStock,
} from './data';

export { YM_BUSINESS, YM_CAMPAIGNS, YM_CREDENTIALS, YM_WAREHOUSES } from './data';

const STOCK_BATCH_MAX = 2000;
const COUNT_MAX = 2_000_000_000;


/** YM's error envelope: `{status: "ERROR", errors: [{code, message}]}`. */
const fail = (res: Response, http: number, code: string, message: string | string[]) => {
  const messages = Array.isArray(message) ? message : [message];
  res.status(http).json({ status: 'ERROR', errors: messages.map((m) => ({ code, message: m })) });
};
const bad = (res: Response, message: string | string[]) => fail(res, 400, 'BAD_REQUEST', message);

/** Resource limits (2026 spec): requests, or SKUs for the stock push, per window. */
const RESOURCES = {
  campaigns: { limit: 1000, windowMs: 3600_000 },
  'orders-v2': { limit: 10_000, windowMs: 3600_000 },
  'orders-v1': { limit: 10_000, windowMs: 3600_000 },
  returns: { limit: 5000, windowMs: 3600_000 },
  'stocks-push': { limit: 100_000, windowMs: 60_000 },
  'stocks-push-v3': { limit: 50, windowMs: 60_000 },
  'stocks-read': { limit: 100_000, windowMs: 60_000 },
  // 100 a minute on the base tier (600 on higher ones; official OpenAPI x-resource-limit-config).
  'offer-mappings': { limit: 100, windowMs: 60_000 },
  warehouses: { limit: 100, windowMs: 3600_000 },
};
type Resource = keyof typeof RESOURCES;

/** Every route answers with and without its version prefix (reference §4.1). */
const both = (version: 'v1' | 'v2' | 'v3', path: string) => [`/${version}${path}`, path];

/**
 * Yandex Market Partner API (FBS/DBS), per shared/reference/marketplaces.md §4. Auth is `Api-Key`
 * (or the deprecated `Authorization: Bearer`); rate limits answer 420. Assumptions are listed in
 * apps/sandbox/README.md ("Yandex Market").
 */
export function createYandexMarketFake(ctx: FakeContext): Fake {
  let catalog: CatalogItem[] = [];
  let ids: YmIds;
  let orders: YmOrder[] = [];
  let returns: YmReturn[] = [];
  let stocks = new Map<string, YmStock>();
  const window = new SlidingWindow();
  const inFlight = new Map<string, number>();
  const limits = new RateLimitSettings(RESOURCES, { parallel: 2, latencyMs: 0 }, () => window.clear());

  const reset = () => {
    catalog = generateCatalog(ctx.seed, ctx.catalogExtra);
    const data = generateYmData(ctx.seed, catalog, Date.now());
    ids = data.ids;
    orders = data.orders;
    returns = data.returns;
    stocks = data.stocks;
    limits.reset();
  };
  reset();

  const rateLimitBody = (message: string) => ({ status: 'ERROR', errors: [{ code: 'HIT_RATE_LIMIT', message }] });
  ctx.faults.registerPreset('ym.rate-limit', {
    status: 420,
    headers: { 'X-RateLimit-Resource-Limit': '10000', 'X-RateLimit-Resource-Remaining': '0', 'X-RateLimit-Resource-Until': new Date(Date.UTC(2030, 0, 1)).toUTCString() },
    body: rateLimitBody('Hit rate limit of 10000 requests per 1 hour for resource orders'),
  });
  ctx.faults.registerPreset('ym.parallel-limit', { status: 420, body: rateLimitBody('Hit rate limit of 2 parallel requests') });
  ctx.faults.registerPreset('ym.unauthorized', { status: 401, body: { status: 'ERROR', errors: [{ code: 'UNAUTHORIZED', message: 'Api-Key token is revoked' }] } });
  ctx.faults.registerPreset('ym.forbidden', { status: 403, body: { status: 'ERROR', errors: [{ code: 'FORBIDDEN', message: 'Access denied' }] } });
  ctx.faults.registerPreset('ym.locked', { status: 423, body: { status: 'ERROR', errors: [{ code: 'LOCKED', message: 'Business is migrating' }] } });

  const campaignOf = (id: unknown) => YM_CAMPAIGNS.find((c) => c.id === toInt(id));
  const byOffer = (offerId: string) => catalog.find((c) => c.ym.offerId === offerId);

  const itemStatus = (o: YmOrder): string => {
    if (o.status === 'CANCELLED') return 'CANCELLED';
    if (o.status === 'DELIVERED' || o.status === 'PARTIALLY_RETURNED') return 'DELIVERED_TO_BUYER';
    if (o.status === 'RETURNED') return 'RETURNED';
    if (o.status === 'DELIVERY' || o.status === 'PICKUP' || (o.status === 'PROCESSING' && o.substatus === 'SHIPPED')) return 'SHIPPED';
    return 'CREATED';
  };
  const orderV2 = (o: YmOrder) => {
    const total = o.items.reduce((s, l) => s + l.item.price * l.count, 0);
    return {
      id: o.id,
      status: o.status,
      substatus: o.substatus,
      creationDate: mskDmy(o.createdAt, true),
      updatedAt: mskDmy(o.updatedAt, true),
      currency: 'RUR',
      itemsTotal: total,
      deliveryTotal: 0,
      buyerItemsTotalBeforeDiscount: total,
      paymentType: 'PREPAID',
      paymentMethod: 'YANDEX',
      fake: false,
      taxSystem: 'USN',
      items: o.items.map((l) => ({
        id: l.id,
        offerId: l.item.ym.offerId,
        shopSku: l.item.ym.shopSku,
        offerName: l.item.name,
        count: l.count,
        price: l.item.price,
        buyerPrice: l.item.price,
        buyerPriceBeforeDiscount: l.item.price,
        vat: 'VAT_20',
      })),
      delivery: {
        type: 'DELIVERY',
        serviceName: 'Доставка Маркета',
        deliveryPartnerType: 'YANDEX_MARKET',
        deliveryServiceId: 1_006_360,
        dates: { fromDate: mskDmy(o.shipmentDate + 2 * DAY), toDate: mskDmy(o.shipmentDate + 2 * DAY) },
        shipments: [{ shipmentDate: mskDmy(o.shipmentDate), boxes: null }],
      },
      buyer: { type: 'PERSON' },
    };
  };
  const orderV1 = (o: YmOrder) => ({
    orderId: o.id,
    campaignId: o.campaign.id,
    programType: o.campaign.placementType,
    status: o.status,
    substatus: o.substatus,
    creationDate: mskIso(o.createdAt),
    updateDate: mskIso(o.updatedAt),
    paymentType: 'PREPAID',
    paymentMethod: 'YANDEX',
    fake: false,
    items: o.items.map((l) => ({
      id: l.id,
      offerId: l.item.ym.offerId,
      offerName: l.item.name,
      count: l.count,
      prices: { payment: { value: l.item.price * l.count, currencyId: 'RUR' }, subsidy: { value: 0, currencyId: 'RUR' } },
      itemStatuses: [{ status: itemStatus(o), count: l.count }],
    })),
    delivery: {
      type: 'DELIVERY',
      serviceName: 'Доставка Маркета',
      deliveryServiceId: 1_006_360,
      warehouseId: String(o.campaign.warehouseId),
      deliveryPartnerType: 'YANDEX_MARKET',
      dates: { fromDate: new Date(o.shipmentDate + 2 * DAY).toISOString().slice(0, 10) },
    },
    buyerType: 'PERSON',
    sourcePlatform: 'MARKET',
  });
  const returnJson = (r: YmReturn) => {
    const amount = r.items.reduce((s, i) => s + i.line.item.price * i.count, 0);
    return {
      id: r.id,
      orderId: r.order.id,
      returnType: r.returnType,
      creationDate: mskIso(r.createdAt),
      updateDate: mskIso(r.updatedAt),
      refundStatus: r.refundStatus,
      shipmentStatus: r.shipmentStatus,
      pickupTillDate: mskIso(r.createdAt + 10 * DAY),
      shipmentRecipientType: 'SHOP',
      amount: { value: amount, currencyId: 'RUR' },
      logisticPickupPoint: { id: 1, name: 'ПВЗ', type: 'PICKUP_POINT', address: { city: 'Москва', street: 'Стрелецкая улица', house: '9к2' } },
      items: r.items.map((i, k) => ({
        marketSku: i.line.item.ym.marketSku,
        shopSku: i.line.item.ym.shopSku,
        count: i.count,
        decisions: [{ returnItemId: k + 1, count: i.count, reasonType: i.reasonType, subreasonType: 'DAMAGED', decisionType: 'REFUND_MONEY' }],
        instances: Array.from({ length: i.count }, () => ({ stockType: i.stockType, status: r.shipmentStatus })),
      })),
      fastReturn: false,
    };
  };

  /** Page over a stable list by opaque token; `page`/`pageSize` (deprecated) also work where allowed. */
  const paging = (req: Request, res: Response, total: number, limitMax: number, limitDefault: number): { offset: number; limit: number } | undefined => {
    const token = req.query.page_token ?? req.query.pageToken;
    const limit = toInt(req.query.limit) ?? limitDefault;
    if (limit < 1 || limit > limitMax) {
      bad(res, `limit must be between 1 and ${limitMax}`);
      return undefined;
    }
    const offset = decodeCursor(token, 'p');
    if (offset === undefined) {
      bad(res, 'Invalid page token');
      return undefined;
    }
    return { offset: Math.min(offset, total), limit };
  };
  const nextToken = (offset: number, limit: number, total: number) =>
    offset + limit < total ? { nextPageToken: encodeCursor(offset + limit, 'p') } : {};

  const router = express.Router();
  router.use(express.json({ limit: '512kb' }));

  // Auth, then the parallel cap and simulated latency (control endpoints are free).
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_control')) return next();
    const apiKey = req.header('api-key');
    const authorization = req.header('authorization');
    let principal: string;
    if (apiKey !== undefined) {
      if (/^(Bearer|OAuth)\s/i.test(apiKey)) return fail(res, 401, 'UNAUTHORIZED', 'Api-Key token prefix invalid');
      if (apiKey !== YM_CREDENTIALS.apiKey) return fail(res, 401, 'UNAUTHORIZED', 'Api-Key token is invalid');
      principal = 'api-key';
    } else if (authorization !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(authorization);
      if (!m || m[1] !== YM_CREDENTIALS.oauthToken) return fail(res, 401, 'UNAUTHORIZED', 'OAuth token is invalid');
      principal = 'oauth';
    } else {
      return fail(res, 401, 'UNAUTHORIZED', 'Credentials are not specified');
    }
    res.locals.ymPrincipal = principal;
    if (limits.enabled) {
      const cap = limits.options.parallel ?? 2;
      const running = inFlight.get(principal) ?? 0;
      if (running >= cap) return fail(res, 420, 'HIT_RATE_LIMIT', `Hit rate limit of ${cap} parallel requests`);
      inFlight.set(principal, running + 1);
      let done = false;
      const release = () => {
        if (done) return;
        done = true;
        inFlight.set(principal, (inFlight.get(principal) ?? 1) - 1);
      };
      res.on('finish', release);
      res.on('close', release);
    }
    const latency = limits.options.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    next();
  });

  /** Counts `cost` against a resource; answers 420 and returns false when over. */
  const spend = (res: Response, resource: Resource, scope: number, cost = 1): boolean => {
    if (!limits.enabled) return true;
    const rule = limits.rule(resource);
    const taken = window.take(`${resource}:${scope}`, rule, cost);
    res.setHeader('X-RateLimit-Resource-Limit', String(rule.limit));
    res.setHeader('X-RateLimit-Resource-Remaining', String(taken.remaining));
    res.setHeader('X-RateLimit-Resource-Until', new Date(taken.resetAt).toUTCString());
    if (taken.ok) return true;
    const per = rule.windowMs >= 3600_000 ? `${rule.windowMs / 3600_000} hour` : `${Math.round(rule.windowMs / 60_000)} minute`;
    fail(res, 420, 'HIT_RATE_LIMIT', `Hit rate limit of ${rule.limit} ${resource === 'stocks-push' ? 'skus' : 'requests'} per ${per} for resource ${resource}`);
    return false;
  };
  const campaign = (req: Request, res: Response): YmCampaign | undefined => {
    const c = campaignOf(req.params.campaignId);
    if (!c) fail(res, 404, 'NOT_FOUND', `Campaign not found: '${String(req.params.campaignId)}'`);
    return c;
  };
  const business = (req: Request, res: Response): boolean => {
    if (toInt(req.params.businessId) === YM_BUSINESS.id) return true;
    fail(res, 403, 'FORBIDDEN', 'Access denied');
    return false;
  };

  // §4.2 campaigns and warehouses.
  router.get(both('v2', '/campaigns'), (req: Request, res: Response) => {
    if (!spend(res, 'campaigns', YM_BUSINESS.id)) return;
    const page = paging(req, res, YM_CAMPAIGNS.length, 100, 100);
    if (!page) return;
    res.json({
      campaigns: (res.locals.sandboxEmptyPage ? [] : YM_CAMPAIGNS.slice(page.offset, page.offset + page.limit)).map((c) => ({
        id: c.id,
        domain: c.domain,
        business: YM_BUSINESS,
        placementType: c.placementType,
        apiAvailability: 'AVAILABLE',
      })),
      paging: nextToken(page.offset, page.limit, YM_CAMPAIGNS.length),
    });
  });
  router.post(both('v2', '/businesses/:businessId/warehouses'), (req: Request, res: Response) => {
    if (!business(req, res) || !spend(res, 'warehouses', YM_BUSINESS.id)) return;
    const only = intList(obj(req.body).campaignIds) ?? [];
    const found = YM_WAREHOUSES.filter((w) => only.length === 0 || only.includes(w.campaignId));
    const page = paging(req, res, found.length, 30, 15);
    if (!page) return;
    res.json({
      status: 'OK',
      result: {
        warehouses: (res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit)).map((w) => ({
          id: w.id,
          name: w.name,
          campaignId: w.campaignId,
          express: w.express,
          address: { city: 'Москва', street: 'Складская', number: '1' },
          status: { status: 'ACTIVE' },
        })),
        paging: nextToken(page.offset, page.limit, found.length),
      },
    });
  });

  // §4.3.1 orders of one campaign (deprecated, DD-MM-YYYY dates). Page tokens, or `page`/`pageSize` with a `pager`.
  router.get(both('v2', '/campaigns/:campaignId/orders'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !spend(res, 'orders-v2', c.id)) return;
    const q = req.query;
    const statuses = listParam(q.status);
    const substatuses = listParam(q.substatus);
    const orderIds = listParam(q.orderIds).map(Number);
    if (orderIds.length > 50) return bad(res, 'orderIds: at most 50');
    const fromDate = q.fromDate === undefined ? undefined : mskDayStart(q.fromDate);
    const toDate = q.toDate === undefined ? undefined : mskDayStart(q.toDate);
    if ((q.fromDate !== undefined && fromDate === undefined) || (q.toDate !== undefined && toDate === undefined)) {
      return bad(res, 'fromDate and toDate must be DD-MM-YYYY');
    }
    const updatedFrom = parseTime(q.updatedAtFrom);
    const updatedTo = parseTime(q.updatedAtTo);
    if ((q.updatedAtFrom !== undefined && updatedFrom === undefined) || (q.updatedAtTo !== undefined && updatedTo === undefined)) {
      return bad(res, 'updatedAtFrom and updatedAtTo must be ISO 8601 date-times');
    }
    if (fromDate !== undefined && toDate !== undefined && toDate - fromDate > 30 * DAY) return bad(res, 'fromDate and toDate must be at most 30 days apart');
    if (updatedFrom !== undefined && updatedTo !== undefined && updatedTo - updatedFrom > 30 * DAY) {
      return bad(res, 'updatedAtFrom and updatedAtTo must be at most 30 days apart');
    }
    const shipFrom = q.supplierShipmentDateFrom === undefined ? undefined : mskDayStart(q.supplierShipmentDateFrom);
    const shipTo = q.supplierShipmentDateTo === undefined ? undefined : mskDayStart(q.supplierShipmentDateTo);
    // The creation window defaults to the last 30 days, whatever the update filter says (reference §4.3.1).
    const createdFrom = fromDate === undefined && orderIds.length === 0 ? Date.now() - 30 * DAY : fromDate;
    const wantFake = q.fake === 'true';
    const found = orders
      .filter(
        (o) =>
          o.campaign.id === c.id &&
          !wantFake &&
          (statuses.length === 0 || statuses.includes(o.status)) &&
          (substatuses.length === 0 || substatuses.includes(o.substatus)) &&
          (orderIds.length === 0 || orderIds.includes(o.id)) &&
          (createdFrom === undefined || o.createdAt >= createdFrom) &&
          (toDate === undefined || o.createdAt < toDate + DAY) &&
          (updatedFrom === undefined || o.updatedAt >= updatedFrom) &&
          (updatedTo === undefined || o.updatedAt <= updatedTo) &&
          (shipFrom === undefined || o.shipmentDate >= shipFrom) &&
          (shipTo === undefined || o.shipmentDate < shipTo + DAY),
      )
      .sort((a, b) => a.id - b.id);
    if (q.page !== undefined) {
      const pageNo = toInt(q.page) ?? 0;
      const size = toInt(q.pageSize) ?? 50;
      if (pageNo < 1 || size < 1 || size > 50) return bad(res, 'page must be positive and pageSize between 1 and 50');
      const slice = res.locals.sandboxEmptyPage ? [] : found.slice((pageNo - 1) * size, pageNo * size);
      res.json({
        pager: {
          total: found.length,
          from: (pageNo - 1) * size + 1,
          to: (pageNo - 1) * size + slice.length,
          currentPage: pageNo,
          pagesCount: Math.ceil(found.length / size),
          pageSize: size,
        },
        orders: slice.map(orderV2),
      });
      return;
    }
    const page = paging(req, res, found.length, 50, 50);
    if (!page) return;
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit);
    res.json({ paging: res.locals.sandboxEmptyPage ? {} : nextToken(page.offset, page.limit, found.length), orders: slice.map(orderV2) });
  });
  router.get(both('v2', '/campaigns/:campaignId/orders/:orderId'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !spend(res, 'orders-v2', c.id)) return;
    const o = orders.find((x) => x.id === toInt(req.params.orderId) && x.campaign.id === c.id);
    if (!o) return fail(res, 404, 'NOT_FOUND', `Order not found: ${String(req.params.orderId)}`);
    res.json({ order: orderV2(o) });
  });

  // §4.3.2 orders of the business (current).
  router.post(both('v1', '/businesses/:businessId/orders'), (req: Request, res: Response) => {
    if (!business(req, res) || !spend(res, 'orders-v1', YM_BUSINESS.id)) return;
    const body = obj(req.body);
    const campaignIds = intList(body.campaignIds);
    const orderIds = intList(body.orderIds);
    const statuses = strList(body.statuses);
    const substatuses = strList(body.substatuses);
    if (campaignIds === null || orderIds === null || statuses === null || substatuses === null) {
      return bad(res, 'campaignIds, orderIds, statuses and substatuses must be arrays');
    }
    if (orderIds.length > 50) return bad(res, 'orderIds: at most 50');
    const dates = obj(body.dates);
    const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? mskDayStart(v) : undefined);
    const creationFrom = day(dates.creationDateFrom);
    const creationTo = day(dates.creationDateTo);
    const updateFrom = parseTime(dates.updateDateFrom);
    const updateTo = parseTime(dates.updateDateTo);
    const shipFrom = day(dates.shipmentDateFrom);
    const shipTo = day(dates.shipmentDateTo);
    for (const [k, v, parsed] of [
      ['creationDateFrom', dates.creationDateFrom, creationFrom],
      ['creationDateTo', dates.creationDateTo, creationTo],
      ['updateDateFrom', dates.updateDateFrom, updateFrom],
      ['updateDateTo', dates.updateDateTo, updateTo],
      ['shipmentDateFrom', dates.shipmentDateFrom, shipFrom],
      ['shipmentDateTo', dates.shipmentDateTo, shipTo],
    ] as const) {
      if (v !== undefined && parsed === undefined) return bad(res, `dates.${k} is malformed`);
    }
    // Official OpenAPI (OrderDatesFilterDTO): creationDateFrom defaults to 30 days ago, creationDateTo to
    // today, at most 30 days apart, the end excluded; an update filter does not lift that window.
    const byIds = orderIds.length > 0;
    const from = creationFrom ?? (byIds ? undefined : (creationTo ?? Date.now()) - 30 * DAY);
    if (from !== undefined && (creationTo ?? Date.now()) - from > 30 * DAY + DAY) return bad(res, 'creation dates: at most 30 days apart');
    const found = orders
      .filter(
        (o) =>
          body.fake !== true &&
          (campaignIds.length === 0 || campaignIds.includes(o.campaign.id)) &&
          (orderIds.length === 0 || orderIds.includes(o.id)) &&
          (statuses.length === 0 || statuses.includes(o.status)) &&
          (substatuses.length === 0 || substatuses.includes(o.substatus)) &&
          (from === undefined || o.createdAt >= from) &&
          (creationTo === undefined || o.createdAt < Math.max(creationTo, (from ?? 0) + DAY)) &&
          (updateFrom === undefined || o.updatedAt >= updateFrom) &&
          (updateTo === undefined || o.updatedAt <= updateTo) &&
          (shipFrom === undefined || o.shipmentDate >= shipFrom) &&
          (shipTo === undefined || o.shipmentDate < shipTo + DAY),
      )
      .sort((a, b) => a.id - b.id);
    const page = paging(req, res, found.length, 50, 50);
    if (!page) return;
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit);
    res.json({ orders: slice.map(orderV1), paging: res.locals.sandboxEmptyPage ? {} : nextToken(page.offset, page.limit, found.length) });
  });

  // §4.4 returns and unredeemed orders, by update date.
  router.get(both('v2', '/campaigns/:campaignId/returns'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !spend(res, 'returns', c.id)) return;
    const q = req.query;
    const orderIds = listParam(q.orderIds).map(Number);
    if (orderIds.length > 50) return bad(res, 'orderIds: at most 50');
    const statuses = listParam(q.statuses);
    const shipmentStatuses = listParam(q.shipmentStatuses);
    const type = typeof q.type === 'string' ? q.type : undefined;
    if (type !== undefined && type !== 'RETURN' && type !== 'UNREDEEMED') return bad(res, 'type must be RETURN or UNREDEEMED');
    const fromRaw = q.fromDate ?? q.from_date;
    const toRaw = q.toDate ?? q.to_date;
    const from = fromRaw === undefined ? undefined : mskDayStart(fromRaw);
    const to = toRaw === undefined ? undefined : mskDayStart(toRaw);
    if ((fromRaw !== undefined && from === undefined) || (toRaw !== undefined && to === undefined)) return bad(res, 'fromDate and toDate must be YYYY-MM-DD');
    const found = returns
      .filter(
        (r) =>
          r.order.campaign.id === c.id &&
          (orderIds.length === 0 || orderIds.includes(r.order.id)) &&
          (statuses.length === 0 || statuses.includes(r.refundStatus)) &&
          (shipmentStatuses.length === 0 || shipmentStatuses.includes(r.shipmentStatus)) &&
          (type === undefined || r.returnType === type) &&
          (from === undefined || r.updatedAt >= from) &&
          (to === undefined || r.updatedAt < to + DAY),
      )
      .sort((a, b) => a.id - b.id);
    const page = paging(req, res, found.length, 100, 50);
    if (!page) return;
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit);
    res.json({ status: 'OK', result: { paging: res.locals.sandboxEmptyPage ? {} : nextToken(page.offset, page.limit, found.length), returns: slice.map(returnJson) } });
  });
  router.get(both('v2', '/campaigns/:campaignId/orders/:orderId/returns/:returnId'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !spend(res, 'returns', c.id)) return;
    const r = returns.find((x) => x.id === toInt(req.params.returnId) && x.order.id === toInt(req.params.orderId) && x.order.campaign.id === c.id);
    if (!r) return fail(res, 404, 'NOT_FOUND', `Return not found: ${String(req.params.returnId)}`);
    res.json({ status: 'OK', result: returnJson(r) });
  });

  // §4.5.1 stock push per campaign: validated as a whole, nothing applied on 400.
  router.put(both('v2', '/campaigns/:campaignId/offers/stocks'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c) return;
    const skus = obj(req.body).skus;
    if (!Array.isArray(skus) || skus.length < 1 || skus.length > STOCK_BATCH_MAX) return bad(res, `skus: from 1 to ${STOCK_BATCH_MAX} items`);
    res.locals.sandboxCost = skus.length;
    if (!spend(res, 'stocks-push', YM_BUSINESS.id, skus.length)) return;
    const errors: string[] = [];
    const unknown: string[] = [];
    const seen = new Set<string>();
    const updates: { offerId: string; count: number; updatedAt: number }[] = [];
    skus.map(obj).forEach((e, i) => {
      const sku = typeof e.sku === 'string' ? e.sku.trim() : '';
      if (sku.length < 1 || sku.length > 255) return void errors.push(`skus[${i}].sku: 1 to 255 characters`);
      if (seen.has(sku)) return void errors.push(`skus[${i}].sku: duplicate sku '${sku}'`);
      seen.add(sku);
      if (!Array.isArray(e.items) || e.items.length !== 1) return void errors.push(`skus[${i}].items: exactly one item`);
      const it = obj(e.items[0]);
      const count = toInt(it.count);
      if (count === undefined || count < 0 || count > COUNT_MAX) return void errors.push(`skus[${i}].items[0].count: 0 to ${COUNT_MAX}`);
      const updatedAt = it.updatedAt === undefined ? Date.now() : parseTime(it.updatedAt);
      if (updatedAt === undefined) return void errors.push(`skus[${i}].items[0].updatedAt: ISO 8601 with an offset`);
      if (!byOffer(sku)) return void unknown.push(sku);
      updates.push({ offerId: sku, count, updatedAt });
    });
    if (errors.length > 0) return bad(res, errors);
    if (unknown.length > 0) return fail(res, 400, 'OFFER_NOT_FOUND', unknown.map((s) => `Offer not found: '${s}'`));
    for (const u of updates) {
      const key = stockKey(c.warehouseId, u.offerId);
      stocks.set(key, { count: u.count, updatedAt: u.updatedAt, pushes: (stocks.get(key)?.pushes ?? 0) + 1 });
    }
    res.json({ status: 'OK' });
  });

  // §4.5.2 stock push per business and partner warehouse.
  router.post(both('v3', '/businesses/:businessId/offers/stocks/update'), (req: Request, res: Response) => {
    if (!business(req, res) || !spend(res, 'stocks-push-v3', YM_BUSINESS.id)) return;
    const items = obj(req.body).skuItems;
    if (!Array.isArray(items) || items.length < 1 || items.length > STOCK_BATCH_MAX) return bad(res, `skuItems: from 1 to ${STOCK_BATCH_MAX} items`);
    const errors: string[] = [];
    const unknown: string[] = [];
    const seen = new Set<string>();
    const updates: { warehouseId: number; offerId: string; count: number; updatedAt: number }[] = [];
    items.map(obj).forEach((e, i) => {
      const sku = typeof e.sku === 'string' ? e.sku.trim() : '';
      const warehouseId = toInt(e.partnerWarehouseId);
      const count = toInt(e.count);
      const updatedAt = e.updatedAt === undefined ? Date.now() : parseTime(e.updatedAt);
      if (sku.length < 1 || sku.length > 255) return void errors.push(`skuItems[${i}].sku: 1 to 255 characters`);
      if (warehouseId === undefined || !YM_WAREHOUSES.some((w) => w.id === warehouseId)) return void errors.push(`skuItems[${i}].partnerWarehouseId: unknown warehouse`);
      if (seen.has(`${sku}@${warehouseId}`)) return void errors.push(`skuItems[${i}]: duplicate sku and partnerWarehouseId`);
      seen.add(`${sku}@${warehouseId}`);
      if (count === undefined || count < 0 || count > COUNT_MAX) return void errors.push(`skuItems[${i}].count: 0 to ${COUNT_MAX}`);
      if (updatedAt === undefined) return void errors.push(`skuItems[${i}].updatedAt: ISO 8601 with an offset`);
      if (!byOffer(sku)) return void unknown.push(sku);
      updates.push({ warehouseId, offerId: sku, count, updatedAt });
    });
    if (errors.length > 0) return bad(res, errors);
    if (unknown.length > 0) return fail(res, 400, 'OFFER_NOT_FOUND', unknown.map((s) => `Offer not found: '${s}'`));
    for (const u of updates) {
      const key = stockKey(u.warehouseId, u.offerId);
      stocks.set(key, { count: u.count, updatedAt: u.updatedAt, pushes: (stocks.get(key)?.pushes ?? 0) + 1 });
    }
    res.json({ status: 'OK' });
  });

  // §4.6 stock read: AVAILABLE = last pushed, FREEZE = open reserves, FIT = both.
  const stockRows = (warehouseId: number) => {
    // Units held by open orders, per offer (summed once: large catalogues).
    const held = new Map<string, number>();
    for (const o of orders) {
      if (!isReserve(o) || o.campaign.warehouseId !== warehouseId) continue;
      for (const l of o.items) held.set(l.item.ym.offerId, (held.get(l.item.ym.offerId) ?? 0) + l.count);
    }
    return catalog.flatMap((item) => {
      const s = stocks.get(stockKey(warehouseId, item.ym.offerId));
      const freeze = held.get(item.ym.offerId) ?? 0;
      if (!s && freeze === 0) return [];
      const available = s?.count ?? 0;
      return [{ item, available, freeze, fit: available + freeze, updatedAt: s?.updatedAt ?? null, pushes: s?.pushes ?? 0 }];
    });
  };
  router.post(both('v2', '/campaigns/:campaignId/offers/stocks'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c) return;
    const body = obj(req.body);
    const offerIds = strList(body.offerIds);
    if (offerIds === null || offerIds.length > 500) return bad(res, 'offerIds: at most 500 strings');
    if (offerIds.length > 0 && (req.query.page_token !== undefined || req.query.pageToken !== undefined || req.query.limit !== undefined)) {
      return bad(res, 'offerIds cannot be combined with page_token or limit');
    }
    const warehouseFilter = toInt(body.stocksWarehouseId);
    let rows = stockRows(c.warehouseId).filter((r) => offerIds.length === 0 || offerIds.includes(r.item.ym.offerId));
    if (warehouseFilter !== undefined && warehouseFilter !== c.warehouseId) rows = [];
    if (body.hasStocks === true) rows = rows.filter((r) => r.fit > 0);
    if (body.hasStocks === false) rows = rows.filter((r) => r.fit === 0);
    const page = offerIds.length > 0 ? { offset: 0, limit: rows.length } : paging(req, res, rows.length, 200, 100);
    if (!page) return;
    if (!spend(res, 'stocks-read', c.id, Math.max(1, Math.min(page.limit, rows.length)))) return;
    const slice = res.locals.sandboxEmptyPage ? [] : rows.slice(page.offset, page.offset + page.limit);
    res.json({
      status: 'OK',
      result: {
        paging: offerIds.length > 0 ? {} : nextToken(page.offset, page.limit, rows.length),
        warehouses:
          slice.length === 0
            ? []
            : [
                {
                  warehouseId: c.warehouseId,
                  offers: slice.map((r) => ({
                    offerId: r.item.ym.offerId,
                    updatedAt: r.updatedAt === null ? null : mskIso(r.updatedAt),
                    stocks: [
                      { type: 'FIT', count: r.fit },
                      { type: 'FREEZE', count: r.freeze },
                      { type: 'AVAILABLE', count: r.available },
                    ],
                  })),
                },
              ],
      },
    });
  });

  // §4.7 catalogue: offerId ↔ marketSku ↔ barcodes.
  router.post(both('v2', '/businesses/:businessId/offer-mappings'), (req: Request, res: Response) => {
    if (!business(req, res) || !spend(res, 'offer-mappings', YM_BUSINESS.id)) return;
    const offerIds = strList(obj(req.body).offerIds);
    if (offerIds === null || offerIds.length > 100) return bad(res, 'offerIds: at most 100 strings');
    const found = catalog.filter((c) => offerIds.length === 0 || offerIds.includes(c.ym.offerId));
    const page = offerIds.length > 0 ? { offset: 0, limit: found.length || 1 } : paging(req, res, found.length, 100, 50);
    if (!page) return;
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit);
    res.json({
      status: 'OK',
      result: {
        paging: offerIds.length > 0 ? {} : nextToken(page.offset, page.limit, found.length),
        offerMappings: slice.map((c) => ({
          offer: { offerId: c.ym.offerId, name: c.name, vendor: 'DataSync', vendorCode: c.wb.vendorCode, barcodes: [c.barcode], archived: false, cardStatus: 'HAS_CARD_CAN_UPDATE' },
          mapping: { marketSku: c.ym.marketSku, marketSkuName: c.name, marketCategoryId: 91_491, marketCategoryName: c.name.split(',')[0] },
        })),
      },
    });
  });

  // ---- Control ----
  const controlError = (res: Response, status: number, error: string): void => {
    res.status(status).json({ error });
  };
  const rank = (o: { status: string; substatus: string }) => {
    const full = ORDER_FLOW.indexOf(`${o.status}/${o.substatus}`);
    return full >= 0 ? full : ORDER_FLOW.indexOf(o.status);
  };

  router.get('/_control/credentials', (_req: Request, res: Response) => {
    res.json({ 'Api-Key': YM_CREDENTIALS.apiKey, oauthBearer: YM_CREDENTIALS.oauthToken });
  });
  router.get('/_control/catalog', (_req: Request, res: Response) => {
    res.json({ total: catalog.length, items: catalog });
  });
  router.get('/_control/campaigns', (_req: Request, res: Response) => {
    res.json({ business: YM_BUSINESS, campaigns: YM_CAMPAIGNS, warehouses: YM_WAREHOUSES });
  });
  router.get('/_control/stocks', (req: Request, res: Response) => {
    const only = toInt(req.query.warehouseId);
    res.json({
      stocks: YM_WAREHOUSES.filter((w) => only === undefined || w.id === only).flatMap((w) =>
        stockRows(w.id).map((r) => ({
          code: r.item.code,
          offerId: r.item.ym.offerId,
          marketSku: r.item.ym.marketSku,
          warehouseId: w.id,
          campaignId: w.campaignId,
          count: r.available,
          freeze: r.freeze,
          fit: r.fit,
          pushes: r.pushes,
          updatedAt: r.updatedAt === null ? null : mskIso(r.updatedAt),
        })),
      ),
    });
  });
  router.get('/_control/orders', (_req: Request, res: Response) => {
    res.json({ total: orders.length, orders: orders.map(orderV1) });
  });
  router.post('/_control/orders', (req: Request, res: Response) => {
    const body = z
      .object({
        campaignId: z.number().int().optional(),
        items: z
          .array(
            z
              .object({ offerId: z.string().optional(), code: z.string().optional(), count: z.number().int().min(1).default(1) })
              .refine((v) => v.offerId !== undefined || v.code !== undefined, 'offerId or code required'),
          )
          .min(1),
        status: z.enum(['UNPAID', 'PENDING', 'PROCESSING']).default('PROCESSING'),
        /** An order placed this many days ago (and not changed since), e.g. older than the default 30-day window. */
        createdDaysAgo: z.number().min(0).max(365).default(0),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid order', issues: body.error.issues });
    const c = body.data.campaignId === undefined ? YM_CAMPAIGNS[0] : campaignOf(body.data.campaignId);
    if (!c) return controlError(res, 400, `unknown campaign ${String(body.data.campaignId)}`);
    const lines = [];
    for (const ref of body.data.items) {
      const item = ref.offerId !== undefined ? byOffer(ref.offerId) : catalog.find((x) => x.code === ref.code);
      if (!item) return controlError(res, 400, `unknown item ${JSON.stringify(ref)}`);
      lines.push({ item, count: ref.count });
    }
    const order = makeOrder(ids, c, lines, Date.now() - body.data.createdDaysAgo * DAY, body.data.status);
    orders.push(order);
    res.status(201).json(orderV1(order));
  });
  router.post('/_control/orders/:orderId/status', (req: Request, res: Response) => {
    const o = orders.find((x) => x.id === toInt(req.params.orderId));
    if (!o) return controlError(res, 404, 'order not found');
    const body = z.object({ status: z.enum(ORDER_STATUSES), substatus: z.string().optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid status', issues: body.error.issues });
    const to = { status: body.data.status as OrderStatus, substatus: body.data.substatus ?? DEFAULT_SUBSTATUS[body.data.status] ?? '' };
    if (o.status === 'CANCELLED' || o.status === 'RETURNED') return controlError(res, 409, `order is ${o.status}: final`);
    const allowed = to.status === 'CANCELLED' ? rank(o) < ORDER_FLOW.indexOf('DELIVERED') : rank(to) > rank(o);
    if (!allowed) return controlError(res, 409, `cannot move an order from ${o.status}/${o.substatus} to ${to.status}/${to.substatus}`);
    o.status = to.status;
    o.substatus = to.substatus;
    if (['DELIVERY', 'PICKUP', 'DELIVERED'].includes(to.status)) o.shipped = true;
    o.updatedAt = Date.now();
    res.json(orderV1(o));
  });
  router.get('/_control/returns', (_req: Request, res: Response) => {
    res.json({ total: returns.length, returns: returns.map((r) => ({ ...returnJson(r), campaignId: r.order.campaign.id })) });
  });
  router.post('/_control/returns', (req: Request, res: Response) => {
    const body = z
      .object({
        orderId: z.number().int(),
        items: z.array(z.object({ offerId: z.string(), count: z.number().int().min(1).default(1) })).optional(),
        returnType: z.enum(['RETURN', 'UNREDEEMED']).default('RETURN'),
        shipmentStatus: z.enum(SHIPMENT_STATUSES).default('CREATED'),
        refundStatus: z.enum(REFUND_STATUSES).default('STARTED_BY_USER'),
        stockType: z.string().default('FIT'),
        reasonType: z.string().default('DO_NOT_FIT'),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid return', issues: body.error.issues });
    const order = orders.find((o) => o.id === body.data.orderId);
    if (!order) return controlError(res, 404, 'order not found');
    const wanted = body.data.items ?? order.items.map((l) => ({ offerId: l.item.ym.offerId, count: l.count }));
    const items = [];
    for (const w of wanted) {
      const line = order.items.find((l) => l.item.ym.offerId === w.offerId);
      if (!line || w.count > line.count) return controlError(res, 400, `the order has no ${w.count} × ${w.offerId}`);
      items.push({ line, count: w.count, reasonType: body.data.reasonType, stockType: body.data.stockType });
    }
    const now = Date.now();
    const r: YmReturn = {
      id: ids.nextReturn(),
      order,
      returnType: body.data.returnType,
      createdAt: now,
      updatedAt: now,
      refundStatus: body.data.refundStatus,
      shipmentStatus: body.data.shipmentStatus,
      items,
    };
    returns.push(r);
    res.status(201).json(returnJson(r));
  });
  router.post('/_control/returns/:id/status', (req: Request, res: Response) => {
    const r = returns.find((x) => x.id === toInt(req.params.id));
    if (!r) return controlError(res, 404, 'return not found');
    const body = z.object({ shipmentStatus: z.enum(SHIPMENT_STATUSES).optional(), refundStatus: z.enum(REFUND_STATUSES).optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid return status', issues: body.error.issues });
    if (body.data.shipmentStatus) r.shipmentStatus = body.data.shipmentStatus;
    if (body.data.refundStatus) r.refundStatus = body.data.refundStatus;
    r.updatedAt = Date.now();
    res.json(returnJson(r));
  });
  limits.mount(router);

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return bad(res, 'Request body is larger than 512 KB');
    if (err instanceof SyntaxError || type === 'entity.parse.failed') return bad(res, 'Request body is not valid JSON');
    next(err);
  });

  return { name: 'yandex-market', prefix: '/ym', router, reset };
}
