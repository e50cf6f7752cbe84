import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import type { CatalogItem } from '../marketplace-catalog';
import { mskIso, obj, strList, toInt } from '../marketplace-params';
import { YM_BUSINESS, YM_CAMPAIGNS } from './data';
import { bad, fail } from './envelope';
import type { YmLimits } from './limits';
import { both, nextToken, paging } from './paging';
import type { YmState } from './state';

/**
 * FBY stock: what Yandex Market holds in its own fulfilment warehouses for a campaign whose
 * `placementType` is `FBY` (official OpenAPI, yandex-market/yandex-market-partner-api 2026-07-17:
 * `getStocks` = `POST /v2/campaigns/{campaignId}/offers/stocks`, "for FBY and LaaS stock may come from
 * several Market warehouses"; `getFulfillmentWarehouses` = `GET /v2/warehouses`). Read only. The
 * cabinet has no FBY campaign until a test sets FBY stock (`PUT /ym/_control/fbo-stocks`); from then
 * `GET /v2/campaigns` lists it too, so the seeded FBS/DBS data and what other tests see stay as they were.
 */

export const YM_FBY_CAMPAIGN = { id: 21_423, domain: 'Ромашка FBY', placementType: 'FBY' } as const;

/** Market's fulfilment warehouses (`GET /v2/warehouses`). */
export const YM_FF_WAREHOUSES = [
  { id: 145, name: 'Маркет Софьино', address: { city: 'Софьино', street: 'Промышленная', number: '5' } },
  { id: 300, name: 'Маркет Санкт-Петербург', address: { city: 'Санкт-Петербург', street: 'Запорожская', number: '19' } },
  { id: 302, name: 'Маркет Екатеринбург', address: { city: 'Екатеринбург', street: 'Проезжая', number: '2' } },
] as const;

/** Stock types of `WarehouseStockType.yaml`, in the order the fake answers them. */
const TYPES = ['FIT', 'FREEZE', 'AVAILABLE', 'QUARANTINE', 'UTILIZATION', 'DEFECT', 'EXPIRED'] as const;
type StockType = (typeof TYPES)[number];

interface FbyRow {
  item: CatalogItem;
  warehouseId: number;
  counts: Partial<Record<StockType, number>>;
  updatedAt: number;
}

export class YmFbyStocks {
  /** Whether the cabinet has its FBY campaign (set by the first control call). */
  enabled = false;
  rows: FbyRow[] = [];
  reset(): void {
    this.enabled = false;
    this.rows = [];
  }
  /** The FBY campaign as `GET /v2/campaigns` lists it, when the cabinet has one. */
  campaigns() {
    return this.enabled ? [YM_FBY_CAMPAIGN] : [];
  }
}

const count = z.number().int().min(0);
const controlBody = z.object({
  items: z.array(
    z.object({
      offerId: z.string(),
      warehouseId: z.number().int(),
      ...Object.fromEntries(TYPES.map((t) => [t, count.optional()])),
    }),
  ),
});

/** The FBY campaign's stock read, Market's warehouse list, and the control endpoints. Mounted before the FBS stock routes. */
export function mountFboStockRoutes(router: Router, state: YmState, fby: YmFbyStocks, limits: YmLimits): void {
  router.post(both('v2', '/campaigns/:campaignId/offers/stocks'), (req: Request, res: Response, next: NextFunction) => {
    if (!fby.enabled || toInt(req.params.campaignId) !== YM_FBY_CAMPAIGN.id) return next();
    const body = obj(req.body);
    const offerIds = body.offerIds === undefined || body.offerIds === null ? [] : strList(body.offerIds);
    if (offerIds === null || (body.offerIds !== undefined && body.offerIds !== null && offerIds.length === 0) || offerIds.length > 500)
      return bad(res, 'offerIds: from 1 to 500 strings');
    if (new Set(offerIds).size !== offerIds.length) return bad(res, 'offerIds: items must be unique');
    if (offerIds.length > 0 && (req.query.page_token !== undefined || req.query.pageToken !== undefined || req.query.limit !== undefined))
      return bad(res, 'offerIds cannot be combined with page_token or limit');
    const warehouseFilter = body.stocksWarehouseId === undefined ? undefined : toInt(body.stocksWarehouseId);
    if (warehouseFilter !== undefined && warehouseFilter < 1) return bad(res, 'stocksWarehouseId: at least 1');
    if (body.hasStocks !== undefined && warehouseFilter === undefined) return bad(res, 'hasStocks: only with stocksWarehouseId');
    let rows = fby.rows.filter(
      (r) =>
        (offerIds.length === 0 || offerIds.includes(r.item.ym.offerId)) &&
        (warehouseFilter === undefined || r.warehouseId === warehouseFilter),
    );
    if (body.hasStocks === true) rows = rows.filter((r) => (r.counts.FIT ?? 0) > 0);
    if (body.hasStocks === false) rows = rows.filter((r) => (r.counts.FIT ?? 0) === 0);
    rows.sort((a, b) => a.warehouseId - b.warehouseId || a.item.ym.offerId.localeCompare(b.item.ym.offerId));
    const page = offerIds.length > 0 ? { offset: 0, limit: rows.length } : paging(req, res, rows.length, 200, 100);
    if (!page) return;
    const slice = res.locals.sandboxEmptyPage ? [] : rows.slice(page.offset, page.offset + page.limit);
    // Counted by the offers answered (x-resource-limit-config path resp.result.warehouses.offers.offerId).
    if (!limits.spend(res, 'stocks-read', YM_FBY_CAMPAIGN.id, Math.max(1, slice.length))) return;
    const warehouses = [...new Set(slice.map((r) => r.warehouseId))].map((warehouseId) => ({
      warehouseId,
      offers: slice
        .filter((r) => r.warehouseId === warehouseId)
        .map((r) => ({
          offerId: r.item.ym.offerId,
          updatedAt: mskIso(r.updatedAt),
          stocks: TYPES.filter((t) => r.counts[t] !== undefined).map((t) => ({ type: t, count: r.counts[t]! })),
        })),
    }));
    res.json({
      status: 'OK',
      result: { paging: offerIds.length > 0 ? {} : nextToken(page.offset, page.limit, rows.length), warehouses },
    });
  });

  router.get(both('v2', '/warehouses'), (req: Request, res: Response) => {
    const campaignId = req.query.campaignId === undefined ? undefined : toInt(req.query.campaignId);
    if (req.query.campaignId !== undefined && (campaignId === undefined || campaignId < 1)) return bad(res, 'campaignId: a campaign id');
    if (campaignId !== undefined && !(fby.enabled && campaignId === YM_FBY_CAMPAIGN.id) && !YM_CAMPAIGNS.some((c) => c.id === campaignId))
      return fail(res, 404, 'NOT_FOUND', `Campaign not found: '${campaignId}'`);
    if (!limits.spend(res, 'fulfillment-warehouses', YM_BUSINESS.id)) return;
    res.json({ status: 'OK', result: { warehouses: YM_FF_WAREHOUSES } });
  });

  router.get('/_control/fbo-stocks', (_req: Request, res: Response) => {
    res.json({ campaignId: fby.enabled ? YM_FBY_CAMPAIGN.id : null, stocks: fby.rows.map(controlRow) });
  });
  // Gives the cabinet its FBY campaign and replaces its stock: `{"items":[{"offerId","warehouseId","AVAILABLE",…}]}`.
  router.put('/_control/fbo-stocks', (req: Request, res: Response) => {
    const body = controlBody.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid FBY stock', issues: body.error.issues });
    const rows: FbyRow[] = [];
    const now = Date.now();
    for (const e of body.data.items) {
      const item = state.byOffer(e.offerId);
      if (!item) return void res.status(400).json({ error: `unknown offerId ${e.offerId}` });
      if (!YM_FF_WAREHOUSES.some((w) => w.id === e.warehouseId))
        return void res
          .status(400)
          .json({ error: `unknown Market warehouse ${e.warehouseId}; one of ${YM_FF_WAREHOUSES.map((w) => w.id).join(', ')}` });
      if (rows.some((r) => r.item === item && r.warehouseId === e.warehouseId))
        return void res.status(400).json({ error: `${e.offerId} on ${e.warehouseId} given twice` });
      const given = e as unknown as Partial<Record<StockType, number>>;
      const counts = Object.fromEntries(TYPES.filter((t) => given[t] !== undefined).map((t) => [t, given[t]!]));
      rows.push({ item, warehouseId: e.warehouseId, counts, updatedAt: now });
    }
    fby.enabled = true;
    fby.rows = rows;
    res.json({ campaignId: YM_FBY_CAMPAIGN.id, stocks: rows.map(controlRow) });
  });
}

const controlRow = (r: FbyRow) => ({
  code: r.item.code,
  offerId: r.item.ym.offerId,
  warehouseId: r.warehouseId,
  warehouseName: YM_FF_WAREHOUSES.find((w) => w.id === r.warehouseId)?.name ?? '',
  ...r.counts,
});
