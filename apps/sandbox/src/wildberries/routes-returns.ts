import type { Request, Response, Router } from 'express';
import { DAY, toInt } from '../marketplace-params';
import { badParam } from './envelope';
import { claimJson, goodsReturnJson } from './render';
import type { WbState } from './state';

/** §3.4 returns: buyers' claims (§3.4.1, returns-api) and goods returned to the seller (§3.4.2, seller-analytics-api). */
export function mountReturnRoutes(returnsApi: Router, analyticsApi: Router, state: WbState): void {
  // §3.4.1 buyer return claims (returns-api).
  returnsApi.get('/api/v1/claims', (req: Request, res: Response) => {
    const archive = req.query.is_archive;
    if (archive !== 'true' && archive !== 'false') return badParam(res, 'is_archive: required, true or false');
    const limit = toInt(req.query.limit) ?? 50;
    const offset = toInt(req.query.offset) ?? 0;
    if (limit < 1 || limit > 200 || offset < 0) return badParam(res, 'limit: from 1 to 200');
    const id = typeof req.query.id === 'string' ? req.query.id : undefined;
    const nmId = toInt(req.query.nm_id);
    const horizon = Date.now() - 14 * DAY;
    const found = state.claims
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
  analyticsApi.get('/api/v1/analytics/goods-return', (req: Request, res: Response) => {
    const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00+03:00`) : undefined);
    const from = day(req.query.dateFrom);
    const to = day(req.query.dateTo);
    if (from === undefined || to === undefined || to < from) return badParam(res, 'dateFrom and dateTo: YYYY-MM-DD');
    if (to - from > 31 * DAY) return badParam(res, 'the period must not exceed 31 days');
    const found = state.goodsReturns.filter((g) => {
      const changed = g.completedAt ?? g.createdAt;
      return changed >= from && changed < to + DAY;
    });
    res.json({ report: res.locals.sandboxEmptyPage ? [] : found.map(goodsReturnJson) });
  });
}
