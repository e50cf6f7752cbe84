import type { Request, Response, Router } from 'express';
import { decodeCursor, encodeCursor, intList, obj, strList, toInt } from '../marketplace-params';
import { stockKey } from './data';
import { fail, invalid } from './envelope';
import type { OzonLimits } from './limits';
import { warehouse, type OzonState } from './state';

const STOCK_BATCH_MAX = 100;
const STOCK_MAX = 1_000_000;

/** §2.5 the stock push and §2.6 the stock reads (per product, per warehouse, per SKU). */
export function mountStockRoutes(router: Router, state: OzonState, limits: OzonLimits): void {
  // §2.5 stock push: 200 with a per-item result, at most 100 pairs.
  router.post('/v2/products/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    if (!Array.isArray(body.stocks) || body.stocks.length === 0) return invalid(res, 'Request validation error: stocks must not be empty');
    if (body.stocks.length > STOCK_BATCH_MAX) {
      return invalid(
        res,
        `Request validation error: invalid ProductsStocksRequest.Stocks: value must contain no more than ${STOCK_BATCH_MAX} item(s)`,
      );
    }
    const entries = body.stocks.map(obj);
    for (const [i, e] of entries.entries()) {
      const prefix = `Request validation error: invalid ProductsStocksRequest.Stocks[${i}]: embedded message failed validation | caused by: invalid ProductsStocksRequest_Stock`;
      if (!((toInt(e.warehouse_id) ?? 0) > 0)) return invalid(res, `${prefix}.WarehouseId: value must be greater than 0`);
      if (!((toInt(e.product_id) ?? 0) > 0)) return invalid(res, `${prefix}.ProductId: value must be greater than 0`);
      const stock = toInt(e.stock);
      if (stock === undefined || stock < 0) return invalid(res, `${prefix}.Stock: value must be greater than or equal to 0`);
    }
    const now = Date.now();
    const result = entries.map((e) => {
      const warehouseId = toInt(e.warehouse_id)!;
      const productId = toInt(e.product_id)!;
      const offerId = typeof e.offer_id === 'string' && e.offer_id !== '' ? e.offer_id : undefined;
      const stock = toInt(e.stock)!;
      const item = offerId !== undefined ? state.byOffer(offerId) : state.byProduct(productId);
      const out = {
        warehouse_id: warehouseId,
        product_id: item?.ozon.productId ?? productId,
        offer_id: item?.ozon.offerId ?? offerId ?? '',
        quant_size: 1,
      };
      const error = (code: string, message: string) => ({ ...out, updated: false, errors: [{ code, message }] });
      if (!item)
        return offerId !== undefined
          ? error('offer_id_not_found', `offer_id ${offerId} not found`)
          : error('NOT_FOUND_ERROR', `product_id ${productId} not found`);
      if (!warehouse(warehouseId)) return error('WAREHOUSE_NOT_FOUND', `warehouse ${warehouseId} not found`);
      if (stock >= STOCK_MAX) return error('STOCK_TOO_BIG', 'stock must be less than 1000000');
      const key = stockKey(item.ozon.productId, warehouseId);
      const record = state.stocks.get(key);
      if (limits.settings.enabled && !limits.window.take(`pair:${key}`, limits.settings.rule('stock-pair'), 1, now).ok) {
        if (record) record.refused = (record.refused ?? 0) + 1;
        return error('TOO_MANY_REQUESTS', 'Stock is updated too frequently');
      }
      state.stocks.set(key, { stock, updatedAt: now, pushes: (record?.pushes ?? 0) + 1, refused: record?.refused ?? 0 });
      return { ...out, updated: true, errors: [] };
    });
    res.json({ result });
  });

  // §2.6 stock reads.
  router.post('/v4/product/info/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    if (limit === undefined || limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    if (body.filter === undefined) return invalid(res, 'filter is required');
    const f = obj(body.filter);
    const offers = strList(f.offer_id) ?? [];
    const products = intList(f.product_id) ?? [];
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const found = state.catalog.filter(
      (c) => (offers.length === 0 || offers.includes(c.ozon.offerId)) && (products.length === 0 || products.includes(c.ozon.productId)),
    );
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const rows = state.stockRows();
    res.json({
      cursor: offset + limit < found.length ? encodeCursor(offset + limit) : '',
      total: found.length,
      items: page.map((item) => {
        const mine = rows.filter((r) => r.item === item);
        return {
          offer_id: item.ozon.offerId,
          product_id: item.ozon.productId,
          stocks:
            mine.length === 0
              ? []
              : [
                  {
                    type: 'fbs',
                    present: mine.reduce((s, r) => s + r.stock + r.reserved, 0),
                    reserved: mine.reduce((s, r) => s + r.reserved, 0),
                    sku: item.ozon.sku,
                    shipment_type: 'SHIPMENT_TYPE_GENERAL',
                    warehouse_ids: mine.map((r) => r.warehouseId),
                  },
                ],
        };
      }),
    });
  });
  router.post(['/v1/product/info/stocks-by-warehouse/fbs', '/v2/product/info/stocks-by-warehouse/fbs'], (req: Request, res: Response) => {
    const body = obj(req.body);
    const skus = intList(body.sku);
    const offers = strList(body.offer_id);
    if (skus === null || offers === null) return invalid(res, 'sku must be int64 values and offer_id strings');
    if (skus.length === 0 && offers.length === 0) return invalid(res, 'one of sku or offer_id is required');
    const rows = state.stockRows().filter((r) => (skus.length > 0 ? skus.includes(r.item.ozon.sku) : offers.includes(r.item.ozon.offerId)));
    res.json({
      result: rows.map((r) => ({
        sku: r.item.ozon.sku,
        offer_id: r.item.ozon.offerId,
        product_id: r.item.ozon.productId,
        present: r.stock + r.reserved,
        reserved: r.reserved,
        warehouse_id: r.warehouseId,
        warehouse_name: warehouse(r.warehouseId)?.name ?? '',
      })),
    });
  });
  router.post('/v1/product/info/warehouse/stocks', (req: Request, res: Response) => {
    const body = obj(req.body);
    const warehouseId = toInt(body.warehouse_id);
    const limit = toInt(body.limit) ?? 1000;
    if (warehouseId === undefined || !warehouse(warehouseId)) return fail(res, 404, 5, 'warehouse not found');
    if (limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const rows = state.stockRows().filter((r) => r.warehouseId === warehouseId);
    const page = res.locals.sandboxEmptyPage ? [] : rows.slice(offset, offset + limit);
    const hasNext = offset + limit < rows.length;
    res.json({
      stocks: page.map((r) => ({
        sku: r.item.ozon.sku,
        product_id: r.item.ozon.productId,
        offer_id: r.item.ozon.offerId,
        warehouse_id: r.warehouseId,
        present: r.stock + r.reserved,
        reserved: r.reserved,
        free_stock: r.stock,
        updated_at: r.record ? new Date(r.record.updatedAt).toISOString() : null,
      })),
      has_next: hasNext,
      cursor: hasNext ? encodeCursor(offset + limit) : '',
    });
  });
}
