import type { Request, Response, Router } from 'express';
import { mskIso, obj, parseTime, strList, toInt } from '../marketplace-params';
import { YM_BUSINESS, YM_WAREHOUSES, stockKey } from './data';
import { bad, fail } from './envelope';
import type { YmLimits } from './limits';
import { both, nextToken, paging } from './paging';
import { business, campaign } from './scope';
import type { YmState } from './state';

const STOCK_BATCH_MAX = 2000;
const COUNT_MAX = 2_000_000_000;

/** §4.5 the stock pushes (per campaign, per business and partner warehouse) and §4.6 the stock read. */
export function mountStockRoutes(router: Router, state: YmState, limits: YmLimits): void {
  // §4.5.1 stock push per campaign: validated as a whole, nothing applied on 400.
  router.put(both('v2', '/campaigns/:campaignId/offers/stocks'), (req: Request, res: Response) => {
    const c = campaign(req, res);
    if (!c) return;
    const skus = obj(req.body).skus;
    if (!Array.isArray(skus) || skus.length < 1 || skus.length > STOCK_BATCH_MAX)
      return bad(res, `skus: from 1 to ${STOCK_BATCH_MAX} items`);
    res.locals.sandboxCost = skus.length;
    if (!limits.spend(res, 'stocks-push', YM_BUSINESS.id, skus.length)) return;
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
      if (!state.byOffer(sku)) return void unknown.push(sku);
      updates.push({ offerId: sku, count, updatedAt });
    });
    if (errors.length > 0) return bad(res, errors);
    if (unknown.length > 0)
      return fail(
        res,
        400,
        'OFFER_NOT_FOUND',
        unknown.map((s) => `Offer not found: '${s}'`),
      );
    for (const u of updates) {
      const key = stockKey(c.warehouseId, u.offerId);
      state.stocks.set(key, { count: u.count, updatedAt: u.updatedAt, pushes: (state.stocks.get(key)?.pushes ?? 0) + 1 });
    }
    res.json({ status: 'OK' });
  });

  // §4.5.2 stock push per business and partner warehouse.
  router.post(both('v3', '/businesses/:businessId/offers/stocks/update'), (req: Request, res: Response) => {
    if (!business(req, res) || !limits.spend(res, 'stocks-push-v3', YM_BUSINESS.id)) return;
    const items = obj(req.body).skuItems;
    if (!Array.isArray(items) || items.length < 1 || items.length > STOCK_BATCH_MAX)
      return bad(res, `skuItems: from 1 to ${STOCK_BATCH_MAX} items`);
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
      if (warehouseId === undefined || !YM_WAREHOUSES.some((w) => w.id === warehouseId))
        return void errors.push(`skuItems[${i}].partnerWarehouseId: unknown warehouse`);
      if (seen.has(`${sku}@${warehouseId}`)) return void errors.push(`skuItems[${i}]: duplicate sku and partnerWarehouseId`);
      seen.add(`${sku}@${warehouseId}`);
      if (count === undefined || count < 0 || count > COUNT_MAX) return void errors.push(`skuItems[${i}].count: 0 to ${COUNT_MAX}`);
      if (updatedAt === undefined) return void errors.push(`skuItems[${i}].updatedAt: ISO 8601 with an offset`);
      if (!state.byOffer(sku)) return void unknown.push(sku);
      updates.push({ warehouseId, offerId: sku, count, updatedAt });
    });
    if (errors.length > 0) return bad(res, errors);
    if (unknown.length > 0)
      return fail(
        res,
        400,
        'OFFER_NOT_FOUND',
        unknown.map((s) => `Offer not found: '${s}'`),
      );
    for (const u of updates) {
      const key = stockKey(u.warehouseId, u.offerId);
      state.stocks.set(key, { count: u.count, updatedAt: u.updatedAt, pushes: (state.stocks.get(key)?.pushes ?? 0) + 1 });
    }
    res.json({ status: 'OK' });
  });

  // §4.6 stock read: AVAILABLE = last pushed, FREEZE = open reserves, FIT = both.
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
    let rows = state.stockRows(c.warehouseId).filter((r) => offerIds.length === 0 || offerIds.includes(r.item.ym.offerId));
    if (warehouseFilter !== undefined && warehouseFilter !== c.warehouseId) rows = [];
    if (body.hasStocks === true) rows = rows.filter((r) => r.fit > 0);
    if (body.hasStocks === false) rows = rows.filter((r) => r.fit === 0);
    const page = offerIds.length > 0 ? { offset: 0, limit: rows.length } : paging(req, res, rows.length, 200, 100);
    if (!page) return;
    if (!limits.spend(res, 'stocks-read', c.id, Math.max(1, Math.min(page.limit, rows.length)))) return;
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
}
