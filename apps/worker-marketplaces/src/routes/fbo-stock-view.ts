import { z } from 'zod';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * A product's FBO stock as `GET /api/marketplaces/products` shows it (README "FBO stock"): per seller
 * cabinet, marketplace and marketplace-held warehouse, what the last complete read saw. Shown only:
 * it is not part of `available` and never pushed.
 */
export const fboStockSchema = z.object({
  marketplace: z.string(),
  connectionId: z.string().describe('the seller cabinet (connection) whose read saw it'),
  warehouseId: z.string().describe("the marketplace's own warehouse (Ozon FBO, WB, YM FBY)"),
  warehouseName: z.string(),
  listingKey: z.string().describe('what the marketplace named the good by: Ozon sku, WB chrtId, YM offerId'),
  quantity: z.number().int().describe('available for sale there: Ozon available_stock_count, WB quantity, YM AVAILABLE'),
  details: z.record(z.string(), z.number()).describe("the marketplace's other figures of the row (in transit, reserved, …)"),
  readAt: z.string(),
});
export type FboStockView = z.infer<typeof fboStockSchema>;

/** Every FBO stock row of these SKUs, by SKU, ordered by marketplace, cabinet and warehouse. */
export async function productFboStocks(db: Queryable, skus: readonly string[]): Promise<Map<string, FboStockView[]>> {
  const out = new Map<string, FboStockView[]>();
  if (skus.length === 0) return out;
  const { rows } = await db.query<FboStockView & { sku: string; readAt: Date }>(
    `SELECT p.sku, f.marketplace, f.connection_id AS "connectionId", f.warehouse_id AS "warehouseId",
            f.warehouse_name AS "warehouseName", f.listing_key AS "listingKey", f.quantity, f.details, f.read_at AS "readAt"
     FROM marketplace_fbo_stocks f JOIN marketplace_products p ON p.id = f.product_id
     WHERE p.sku = ANY($1::text[])
     ORDER BY f.marketplace, f.connection_id, f.warehouse_id`,
    [skus],
  );
  for (const { sku, readAt, ...row } of rows) {
    const list = out.get(sku) ?? [];
    list.push({ ...row, readAt: readAt.toISOString() });
    out.set(sku, list);
  }
  return out;
}
