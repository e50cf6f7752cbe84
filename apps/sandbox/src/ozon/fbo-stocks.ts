import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { CatalogItem } from '../marketplace-catalog';
import { intList, obj, toInt } from '../marketplace-params';
import { invalid } from './envelope';
import type { OzonState } from './state';

/**
 * FBO stock: what Ozon holds in its own warehouses (`POST /v1/analytics/stocks`, Ozon Seller API
 * OpenAPI `AnalyticsAPI_AnalyticsStocks`). Read only: nothing the seller sends changes it; a test
 * sets it through `PUT /ozon/_control/fbo-stocks`. Ozon documents no limit of its own for the method,
 * so only the 50 requests a second of every Client-Id (apiGuard) cover it.
 */

/** Ozon's fulfilment warehouses the fake knows (ids and names in Ozon's style), with their cluster. */
export const OZON_FBO_WAREHOUSES = [
  { warehouse_id: 15_431_806_189_000, name: 'ХОРУГВИНО_РФЦ', cluster_id: 4039, cluster_name: 'Москва, МО и Дальние регионы', macro: 154 },
  { warehouse_id: 1_020_000_115_166_000, name: 'КАЗАНЬ_РФЦ_НОВЫЙ', cluster_id: 4007, cluster_name: 'Казань', macro: 161 },
  { warehouse_id: 22_429_081_897_000, name: 'СПБ_ШУШАРЫ_РФЦ', cluster_id: 4002, cluster_name: 'Санкт-Петербург и СЗО', macro: 157 },
] as const;
type FboWarehouse = (typeof OZON_FBO_WAREHOUSES)[number];

/** The spec's counts per SKU × warehouse (every one an int32 ≥ 0); `available_stock_count` is "available for sale". */
const COUNTS = [
  'available_stock_count',
  'valid_stock_count',
  'transit_stock_count',
  'requested_stock_count',
  'return_from_customer_stock_count',
  'return_to_seller_stock_count',
  'stock_defect_stock_count',
  'transit_defect_stock_count',
  'excess_stock_count',
  'expiring_stock_count',
  'other_stock_count',
  'waiting_docs_stock_count',
] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

interface FboRow {
  item: CatalogItem;
  warehouse: FboWarehouse;
  counts: Counts;
}

const count = z.number().int().min(0).max(2_147_483_647);
const controlItem = z
  .object({
    offer_id: z.string().optional(),
    sku: z.union([z.number(), z.string()]).optional(),
    warehouse_id: z.union([z.number(), z.string()]),
    ...Object.fromEntries(COUNTS.map((c) => [c, count.optional()])),
  })
  .refine((v) => v.offer_id !== undefined || v.sku !== undefined, 'offer_id or sku required');
const controlBody = z.object({ items: z.array(controlItem) });

/** Where the spec's request lists hold int64 values (as strings or numbers). */
const int64s = (v: unknown, field: string, res: Response): number[] | undefined => {
  const list = intList(v);
  if (list === null) {
    invalid(res, `invalid AnalyticsStocksRequest.${field}: value must be a list of int64`);
    return undefined;
  }
  return list;
};

/** The FBO stock of one cabinet, per (SKU, Ozon warehouse). */
export class OzonFboStocks {
  rows: FboRow[] = [];
  reset(): void {
    this.rows = [];
  }
}

export const SKUS_MAX = 100;

/** `POST /v1/analytics/stocks` and its control endpoints. */
export function mountFboStockRoutes(router: Router, state: OzonState, fbo: OzonFboStocks): void {
  router.post('/v1/analytics/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    // `skus` is required (1–100 Ozon SKUs); `cluster_ids` and `macrolocal_cluster_ids` exclude each other.
    if (body.skus === undefined || body.skus === null) return invalid(res, 'invalid AnalyticsStocksRequest.Skus: value is required');
    const skus = int64s(body.skus, 'Skus', res);
    if (!skus) return;
    if (skus.length === 0) return invalid(res, 'invalid AnalyticsStocksRequest.Skus: value must contain at least 1 item(s)');
    if (skus.length > SKUS_MAX)
      return invalid(res, `invalid AnalyticsStocksRequest.Skus: value must contain no more than ${SKUS_MAX} item(s)`);
    const warehouses = int64s(body.warehouse_ids, 'WarehouseIds', res);
    const clusters = int64s(body.cluster_ids, 'ClusterIds', res);
    const macro = int64s(body.macrolocal_cluster_ids, 'MacrolocalClusterIds', res);
    if (!warehouses || !clusters || !macro) return;
    if (clusters.length > 0 && macro.length > 0) return invalid(res, 'use only one of cluster_ids and macrolocal_cluster_ids');
    const items = state.catalog.filter((c) => skus.includes(c.ozon.sku) || skus.includes(c.ozon.fboSku));
    const rows = fbo.rows.filter(
      (r) =>
        items.includes(r.item) &&
        (warehouses.length === 0 || warehouses.includes(r.warehouse.warehouse_id)) &&
        (clusters.length === 0 || clusters.includes(r.warehouse.cluster_id)) &&
        (macro.length === 0 || macro.includes(r.warehouse.macro)),
    );
    res.json({
      items: (res.locals.sandboxEmptyPage ? [] : rows).map((r) => ({
        sku: r.item.ozon.sku,
        offer_id: r.item.ozon.offerId,
        name: r.item.name,
        warehouse_id: r.warehouse.warehouse_id,
        warehouse_name: r.warehouse.name,
        cluster_id: r.warehouse.cluster_id,
        cluster_name: r.warehouse.cluster_name,
        macrolocal_cluster_id: r.warehouse.macro,
        ...r.counts,
        ads: 0,
        ads_cluster: 0,
        idc: 0,
        idc_cluster: 0,
        days_without_sales: 0,
        days_without_sales_cluster: 0,
        turnover_grade: 'TURNOVER_GRADE_NONE',
        turnover_grade_cluster: 'TURNOVER_GRADE_NONE',
        item_tags: [],
      })),
    });
  });

  router.get('/_control/fbo-warehouses', (_req: Request, res: Response) => {
    res.json({ warehouses: OZON_FBO_WAREHOUSES });
  });
  router.get('/_control/fbo-stocks', (_req: Request, res: Response) => {
    res.json({ stocks: fbo.rows.map(controlRow) });
  });
  // Replaces the cabinet's whole FBO stock: `{"items":[{"offer_id"|"sku","warehouse_id","available_stock_count",…}]}`.
  router.put('/_control/fbo-stocks', (req: Request, res: Response) => {
    const body = controlBody.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid FBO stock', issues: body.error.issues });
    const rows: FboRow[] = [];
    for (const e of body.data.items) {
      const item = e.offer_id !== undefined ? state.byOffer(e.offer_id) : state.bySku(toInt(e.sku) ?? -1);
      if (!item) return void res.status(400).json({ error: `unknown item ${JSON.stringify(e.offer_id ?? e.sku)}` });
      const warehouse = OZON_FBO_WAREHOUSES.find((w) => w.warehouse_id === toInt(e.warehouse_id));
      if (!warehouse)
        return void res.status(400).json({
          error: `unknown FBO warehouse ${String(e.warehouse_id)}; one of ${OZON_FBO_WAREHOUSES.map((w) => w.warehouse_id).join(', ')}`,
        });
      if (rows.some((r) => r.item === item && r.warehouse === warehouse))
        return void res.status(400).json({ error: `${item.ozon.offerId} on ${warehouse.warehouse_id} given twice` });
      const counts = Object.fromEntries(COUNTS.map((c) => [c, (e as Record<string, unknown>)[c] ?? 0])) as Counts;
      rows.push({ item, warehouse, counts });
    }
    fbo.rows = rows;
    res.json({ stocks: rows.map(controlRow) });
  });
}

const controlRow = (r: FboRow) => ({
  code: r.item.code,
  offer_id: r.item.ozon.offerId,
  sku: r.item.ozon.sku,
  warehouse_id: r.warehouse.warehouse_id,
  warehouse_name: r.warehouse.name,
  ...r.counts,
});
