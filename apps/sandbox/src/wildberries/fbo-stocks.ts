import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { CatalogItem } from '../marketplace-catalog';
import { iso } from '../marketplace-params';
import type { WbState } from './state';

/**
 * FBO (FBW) stock: what Wildberries holds in its own warehouses, `POST /api/analytics/v1/stocks-report/wb-warehouses`
 * on seller-analytics-api (WB spec Aug 2026, `swagger/11-analytics.yaml`, `postV1StocksReportWbWarehouses`).
 * Read only; a test sets it through `PUT /wb/_control/fbo-stocks`. Limit (hostGuard, group
 * `stocks-report`): 3 a minute, interval 20 s, burst 1 — a second request within 20 s is answered 429.
 */

/** "At the moment" the only warehouse the method names (spec: `warehouseId` can only be -999999, `Склад WB`). */
export const WB_FBO_WAREHOUSE = { warehouseId: -999_999, warehouseName: 'Склад WB', regionName: 'Склад WB' } as const;

const NM_IDS_MAX = 1000;
const LIMIT_MAX = 250_000;

interface FboRow {
  item: CatalogItem;
  quantity: number;
  inWayToClient: number;
  inWayFromClient: number;
}

export class WbFboStocks {
  rows: FboRow[] = [];
  reset(): void {
    this.rows = [];
  }
}

/** The spec's 400 for this host (`ErrorObject400`). */
const bad = (res: Response, detail: string) => {
  res.status(400).json({
    title: 'Invalid request body',
    detail,
    requestId: `sandbox-${Date.now().toString(16)}`,
    origin: 'analytic-open-api',
  });
};

const int64List = (v: unknown): number[] | null | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) return null;
  return v as number[];
};
const uint32 = (v: unknown): number | null | undefined => {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4_294_967_295 ? v : null;
};

const count = z.number().int().min(0);
const controlBody = z.object({
  items: z.array(
    z.object({
      chrtId: z.number().int(),
      quantity: count,
      inWayToClient: count.default(0),
      inWayFromClient: count.default(0),
    }),
  ),
});

/** The method on the analytics host and its control endpoints on the account's router. */
export function mountFboStockRoutes(analyticsApi: Router, control: Router, state: WbState, fbo: WbFboStocks): void {
  analyticsApi.post('/api/analytics/v1/stocks-report/wb-warehouses', (req: Request, res: Response) => {
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return bad(res, 'request body required');
    const b = body as Record<string, unknown>;
    const nmIds = int64List(b.nmIds);
    const chrtIds = int64List(b.chrtIds);
    const limit = uint32(b.limit);
    const offset = uint32(b.offset);
    if (nmIds === null) return bad(res, 'nmIds: array of int64');
    if ((nmIds?.length ?? 0) > NM_IDS_MAX) return bad(res, `nmIds: at most ${NM_IDS_MAX} items`);
    if (chrtIds === null) return bad(res, 'chrtIds: array of int64');
    if (limit === null || (limit !== undefined && limit > LIMIT_MAX)) return bad(res, `limit: from 0 to ${LIMIT_MAX}`);
    if (offset === null) return bad(res, 'offset: uint32');
    // chrtIds only narrow the nmIds listed (spec: "used only for the nmIds given in the array").
    const rows = fbo.rows
      .filter((r) => !nmIds?.length || nmIds.includes(r.item.wb.nmId))
      .filter((r) => !nmIds?.length || !chrtIds?.length || chrtIds.includes(r.item.wb.chrtId))
      .sort((x, y) => x.item.wb.nmId - y.item.wb.nmId || x.item.wb.chrtId - y.item.wb.chrtId);
    const from = offset ?? 0;
    // The spec's default is 250000; 0 (allowed by uint32) is taken as the default too.
    const size = limit || LIMIT_MAX;
    const page = res.locals.sandboxEmptyPage ? [] : rows.slice(from, from + size);
    res.json({
      data: {
        items: page.map((r) => ({
          nmId: r.item.wb.nmId,
          chrtId: r.item.wb.chrtId,
          ...WB_FBO_WAREHOUSE,
          quantity: r.quantity,
          inWayToClient: r.inWayToClient,
          inWayFromClient: r.inWayFromClient,
        })),
      },
    });
  });

  control.get('/_control/fbo-stocks', (_req: Request, res: Response) => {
    res.json({ stocks: fbo.rows.map(controlRow) });
  });
  // Replaces the seller's whole FBO stock: `{"items":[{"chrtId","quantity","inWayToClient"?,"inWayFromClient"?}]}`.
  control.put('/_control/fbo-stocks', (req: Request, res: Response) => {
    const body = controlBody.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid FBO stock', issues: body.error.issues });
    const rows: FboRow[] = [];
    for (const e of body.data.items) {
      const item = state.byChrt(e.chrtId);
      if (!item) return void res.status(400).json({ error: `unknown chrtId ${e.chrtId}` });
      if (rows.some((r) => r.item === item)) return void res.status(400).json({ error: `chrtId ${e.chrtId} given twice` });
      rows.push({ item, quantity: e.quantity, inWayToClient: e.inWayToClient, inWayFromClient: e.inWayFromClient });
    }
    fbo.rows = rows;
    res.json({ stocks: rows.map(controlRow), at: iso(Date.now()) });
  });
}

const controlRow = (r: FboRow) => ({
  code: r.item.code,
  nmId: r.item.wb.nmId,
  chrtId: r.item.wb.chrtId,
  warehouseId: WB_FBO_WAREHOUSE.warehouseId,
  warehouseName: WB_FBO_WAREHOUSE.warehouseName,
  quantity: r.quantity,
  inWayToClient: r.inWayToClient,
  inWayFromClient: r.inWayFromClient,
});
