import type { Request, Response, Router } from 'express';
import { decodeCursor, encodeCursor, intList, obj, strList, toInt } from '../marketplace-params';
import { invalid } from './envelope';
import type { OzonState } from './state';

/** §2.7 the catalogue: product ids and offer ids, and product details. */
export function mountProductRoutes(router: Router, state: OzonState): void {
  router.post('/v3/product/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit) ?? 1000;
    if (limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    const f = obj(body.filter);
    const offers = strList(f.offer_id) ?? [];
    const products = intList(f.product_id) ?? [];
    const offset = decodeCursor(body.last_id);
    if (offset === undefined) return invalid(res, 'invalid last_id');
    const found = state.removals
      .listed(state.catalog)
      .filter(
        (c) => (offers.length === 0 || offers.includes(c.ozon.offerId)) && (products.length === 0 || products.includes(c.ozon.productId)),
      );
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const inStock = new Set(
      state
        .stockRows()
        .filter((r) => r.stock > 0)
        .map((r) => r.item),
    );
    res.json({
      result: {
        items: page.map((c) => ({
          product_id: c.ozon.productId,
          offer_id: c.ozon.offerId,
          has_fbo_stocks: false,
          has_fbs_stocks: inStock.has(c),
          archived: false,
          is_discounted: false,
          quants: [],
        })),
        total: found.length,
        last_id: page.length > 0 ? encodeCursor(offset + page.length) : '',
      },
    });
  });
  router.post('/v3/product/info/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const offers = strList(body.offer_id) ?? [];
    const products = intList(body.product_id) ?? [];
    const skus = intList(body.sku) ?? [];
    if (offers.length + products.length + skus.length > 1000) return invalid(res, 'at most 1000 identifiers');
    const found = state.removals
      .listed(state.catalog)
      .filter(
        (c) =>
          offers.includes(c.ozon.offerId) ||
          products.includes(c.ozon.productId) ||
          skus.includes(c.ozon.sku) ||
          skus.includes(c.ozon.fboSku),
      );
    res.json({
      items: found.map((c) => ({
        id: c.ozon.productId,
        offer_id: c.ozon.offerId,
        sku: c.ozon.sku,
        barcodes: [c.barcode],
        name: c.name,
        sources: [
          { sku: c.ozon.sku, source: 'SDS', shipment_type: 'SHIPMENT_TYPE_GENERAL', quant_code: '', created_at: '2025-01-15T10:00:00Z' },
          { sku: c.ozon.fboSku, source: 'FBO', shipment_type: 'SHIPMENT_TYPE_GENERAL', quant_code: '', created_at: '2025-01-15T10:00:00Z' },
        ],
        statuses: { status: 'price_sent', moderate_status: 'approved' },
        is_archived: false,
        is_autoarchived: false,
        price: `${c.price}.00`,
        old_price: '',
        min_price: '',
        currency_code: 'RUB',
      })),
    });
  });
}
