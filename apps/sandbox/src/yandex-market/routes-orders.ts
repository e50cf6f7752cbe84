import type { Request, Response, Router } from 'express';
import { DAY, intList, listParam, mskDayStart, obj, parseTime, strList, toInt } from '../marketplace-params';
import { YM_BUSINESS } from './data';
import { bad, fail } from './envelope';
import type { YmLimits } from './limits';
import { both, nextToken, paging } from './paging';
import { orderV1, orderV2 } from './render';
import { business, campaign } from './scope';
import type { YmState } from './state';

/** §4.3 orders: of one campaign (deprecated v2, and one by id), and of the business (v1). */
export function mountOrderRoutes(router: Router, state: YmState, limits: YmLimits): void {
  // §4.3.1 orders of one campaign (deprecated, DD-MM-YYYY dates). Page tokens, or `page`/`pageSize` with a `pager`.
  router.get(both('v2', '/campaigns/:campaignId/orders'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !limits.spend(res, 'orders-v2', c.id)) return;
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
    if (fromDate !== undefined && toDate !== undefined && toDate - fromDate > 30 * DAY)
      return bad(res, 'fromDate and toDate must be at most 30 days apart');
    if (updatedFrom !== undefined && updatedTo !== undefined && updatedTo - updatedFrom > 30 * DAY) {
      return bad(res, 'updatedAtFrom and updatedAtTo must be at most 30 days apart');
    }
    const shipFrom = q.supplierShipmentDateFrom === undefined ? undefined : mskDayStart(q.supplierShipmentDateFrom);
    const shipTo = q.supplierShipmentDateTo === undefined ? undefined : mskDayStart(q.supplierShipmentDateTo);
    // The creation window defaults to the last 30 days, whatever the update filter says (reference §4.3.1).
    const createdFrom = fromDate === undefined && orderIds.length === 0 ? Date.now() - 30 * DAY : fromDate;
    const wantFake = q.fake === 'true';
    const found = state.orders
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
    if (!c || !limits.spend(res, 'orders-v2', c.id)) return;
    const o = state.orders.find((x) => x.id === toInt(req.params.orderId) && x.campaign.id === c.id);
    if (!o) return fail(res, 404, 'NOT_FOUND', `Order not found: ${String(req.params.orderId)}`);
    res.json({ order: orderV2(o) });
  });

  // §4.3.2 orders of the business (current).
  router.post(both('v1', '/businesses/:businessId/orders'), (req: Request, res: Response) => {
    if (!business(req, res) || !limits.spend(res, 'orders-v1', YM_BUSINESS.id)) return;
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
    const found = state.orders
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
}
