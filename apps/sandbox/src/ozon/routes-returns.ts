import type { Request, Response, Router } from 'express';
import { obj, parseTime, strList, toInt } from '../marketplace-params';
import { RETURN_STATUSES } from './data';
import { invalid } from './envelope';
import { within } from './posting-filter';
import { returnJson } from './render';
import type { OzonState } from './state';

/** §2.4 FBS returns, `last_id` paging. */
export function mountReturnRoutes(router: Router, state: OzonState): void {
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
    const found = state.returns
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
    res.json({ returns: page.map((r) => returnJson(r, state.clientId)), has_next: !res.locals.sandboxEmptyPage && found.length > limit });
  });
}
