import type pg from 'pg';
import type { Logger } from '@datasync/logger';
import type { CatalogEntry, Connector } from './connectors/types';

interface ProductRow {
  sku: string;
  name: string;
  barcode: string | null;
  ozonOfferId: string | null;
  ozonProductId: string | null;
  ozonSku: string | null;
  wbNmId: string | null;
  wbChrtId: string | null;
  wbBarcode: string | null;
  wbVendorCode: string | null;
  ymOfferId: string | null;
  ymMarketSku: string | null;
}

const blank = (sku: string, name: string): ProductRow => ({
  sku,
  name,
  barcode: null,
  ozonOfferId: null,
  ozonProductId: null,
  ozonSku: null,
  wbNmId: null,
  wbChrtId: null,
  wbBarcode: null,
  wbVendorCode: null,
  ymOfferId: null,
  ymMarketSku: null,
});

/**
 * Builds one row per internal SKU from the three catalogues (reference §1.2): Ozon `offer_id` and YM
 * `offerId` are the seller's article and become the SKU; a WB size joins the SKU with the same
 * barcode (or the SKU it was mapped to before), else `<vendorCode>-<techSize>`.
 */
export function mergeCatalogs(entries: CatalogEntry[], known: { sku: string; wbChrtId: string | null; barcode: string | null }[] = []): ProductRow[] {
  const rows = new Map<string, ProductRow>();
  const byBarcode = new Map<string, string>();
  for (const k of known) if (k.barcode) byBarcode.set(k.barcode, k.sku);
  const byChrt = new Map(known.filter((k) => k.wbChrtId).map((k) => [k.wbChrtId!, k.sku]));
  for (const e of entries.filter((x) => x.sku !== undefined)) {
    const row = rows.get(e.sku!) ?? blank(e.sku!, e.name);
    row.name ||= e.name;
    row.barcode ??= e.barcodes[0] ?? null;
    if (e.ozon) Object.assign(row, { ozonOfferId: e.ozon.offerId, ozonProductId: e.ozon.productId, ozonSku: e.ozon.sku });
    if (e.ym) Object.assign(row, { ymOfferId: e.ym.offerId, ymMarketSku: e.ym.marketSku });
    rows.set(row.sku, row);
    for (const b of e.barcodes) byBarcode.set(b, row.sku);
  }
  for (const e of entries) {
    if (!e.wb) continue;
    const sku =
      byChrt.get(e.wb.chrtId) ??
      e.barcodes.map((b) => byBarcode.get(b)).find((s) => s !== undefined) ??
      (e.wb.techSize && e.wb.techSize !== '0' ? `${e.wb.vendorCode}-${e.wb.techSize}` : e.wb.vendorCode);
    const row = rows.get(sku) ?? blank(sku, e.name);
    row.barcode ??= e.wb.barcode;
    Object.assign(row, { wbNmId: e.wb.nmId, wbChrtId: e.wb.chrtId, wbBarcode: e.wb.barcode, wbVendorCode: e.wb.vendorCode });
    rows.set(sku, row);
  }
  return [...rows.values()];
}

/** Reads every configured marketplace's warehouses; those no longer listed stop being pushed to. */
export async function refreshWarehouses(pool: pg.Pool, connector: Connector): Promise<number> {
  const list = await connector.warehouses();
  await pool.query(
    `INSERT INTO marketplace_warehouses (marketplace, warehouse_id, name, campaign_id, active, raw, updated_at)
     SELECT $1::text, *, now() FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::jsonb[])
     ON CONFLICT (marketplace, warehouse_id) DO UPDATE SET name = EXCLUDED.name, campaign_id = EXCLUDED.campaign_id, active = EXCLUDED.active,
       raw = EXCLUDED.raw, updated_at = now()`,
    [
      connector.marketplace,
      list.map((w) => w.warehouseId),
      list.map((w) => w.name),
      list.map((w) => w.campaignId ?? null),
      list.map((w) => w.active),
      list.map((w) => JSON.stringify(w.raw ?? {})),
    ],
  );
  await pool.query(`UPDATE marketplace_warehouses SET active = false, updated_at = now() WHERE marketplace = $1 AND NOT (warehouse_id = ANY($2::text[]))`, [
    connector.marketplace,
    list.map((w) => w.warehouseId),
  ]);
  return list.length;
}

/**
 * The `marketplaces.catalog` job: products with every marketplace's ids, and the warehouses stock is
 * pushed to. Ids a marketplace no longer lists are kept (a product is never deleted by a sync).
 */
export async function importCatalog(pool: pg.Pool, connectors: Connector[], log: Logger): Promise<{ products: number; warehouses: number }> {
  const entries: CatalogEntry[] = [];
  let warehouses = 0;
  for (const c of connectors.filter((x) => x.configured)) {
    warehouses += await refreshWarehouses(pool, c);
    const list = await c.catalog();
    log.info({ marketplace: c.marketplace, items: list.length }, 'catalogue read');
    entries.push(...list);
  }
  const { rows: known } = await pool.query<{ sku: string; wbChrtId: string | null; barcode: string | null }>(
    `SELECT sku, wb_chrt_id::text AS "wbChrtId", COALESCE(barcode, wb_barcode) AS barcode FROM marketplace_products`,
  );
  const rows = mergeCatalogs(entries, known);
  const col = <K extends keyof ProductRow>(k: K) => rows.map((r) => r[k]);
  await pool.query(
    `INSERT INTO marketplace_products (sku, name, barcode, ozon_offer_id, ozon_product_id, ozon_sku, wb_nm_id, wb_chrt_id, wb_barcode, wb_vendor_code, ym_offer_id, ym_market_sku)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bigint[])
     ON CONFLICT (sku) DO UPDATE SET
       name = CASE WHEN EXCLUDED.name = '' THEN marketplace_products.name ELSE EXCLUDED.name END,
       barcode = COALESCE(marketplace_products.barcode, EXCLUDED.barcode),
       ozon_offer_id = COALESCE(EXCLUDED.ozon_offer_id, marketplace_products.ozon_offer_id),
       ozon_product_id = COALESCE(EXCLUDED.ozon_product_id, marketplace_products.ozon_product_id),
       ozon_sku = COALESCE(EXCLUDED.ozon_sku, marketplace_products.ozon_sku),
       wb_nm_id = COALESCE(EXCLUDED.wb_nm_id, marketplace_products.wb_nm_id),
       wb_chrt_id = COALESCE(EXCLUDED.wb_chrt_id, marketplace_products.wb_chrt_id),
       wb_barcode = COALESCE(EXCLUDED.wb_barcode, marketplace_products.wb_barcode),
       wb_vendor_code = COALESCE(EXCLUDED.wb_vendor_code, marketplace_products.wb_vendor_code),
       ym_offer_id = COALESCE(EXCLUDED.ym_offer_id, marketplace_products.ym_offer_id),
       ym_market_sku = COALESCE(EXCLUDED.ym_market_sku, marketplace_products.ym_market_sku),
       updated_at = now()`,
    [
      col('sku'),
      col('name'),
      col('barcode'),
      col('ozonOfferId'),
      col('ozonProductId'),
      col('ozonSku'),
      col('wbNmId'),
      col('wbChrtId'),
      col('wbBarcode'),
      col('wbVendorCode'),
      col('ymOfferId'),
      col('ymMarketSku'),
    ],
  );
  return { products: rows.length, warehouses };
}
