import type { Request, Response, Router } from 'express';
import { DAY, listParam, mskDayStart, toInt } from '../marketplace-params';
import { bad, fail } from './envelope';
import type { YmLimits } from './limits';
import { both, nextToken, paging } from './paging';
import { returnJson } from './render';
import { campaign } from './scope';
import type { YmState } from './state';

/** §4.4 returns and unredeemed orders of a campaign, and one by id. */
export function mountReturnRoutes(router: Router, state: YmState, limits: YmLimits): void {
  // §4.4 returns and unredeemed orders, by update date.
  router.get(both('v2', '/campaigns/:campaignId/returns'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !limits.spend(res, 'returns', c.id)) return;
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
    if ((fromRaw !== undefined && from === undefined) || (toRaw !== undefined && to === undefined))
      return bad(res, 'fromDate and toDate must be YYYY-MM-DD');
    const found = state.returns
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
    res.json({
      status: 'OK',
      result: {
        paging: res.locals.sandboxEmptyPage ? {} : nextToken(page.offset, page.limit, found.length),
        returns: slice.map(returnJson),
      },
    });
  });
  router.get(both('v2', '/campaigns/:campaignId/orders/:orderId/returns/:returnId'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c || !limits.spend(res, 'returns', c.id)) return;
    const r = state.returns.find(
      (x) => x.id === toInt(req.params.returnId) && x.order.id === toInt(req.params.orderId) && x.order.campaign.id === c.id,
    );
    if (!r) return fail(res, 404, 'NOT_FOUND', `Return not found: ${String(req.params.returnId)}`);
    res.json({ status: 'OK', result: returnJson(r) });
  });
}
