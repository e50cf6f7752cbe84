import type { HttpClient } from '@datasync/connector-kit';
import { FboCollector, numbers, productsBy } from './fbo-rows';
import type { FboListing, FboRead } from './types';

/** `skus` per request: at most 100 (Ozon Seller API OpenAPI, `v1AnalyticsStocksRequest.skus`). */
export const OZON_FBO_SKUS_PER_REQUEST = 100;

interface AnalyticsStock {
  sku?: number | string;
  offer_id?: string;
  warehouse_id?: number | string;
  warehouse_name?: string;
  available_stock_count?: number;
  [k: string]: unknown;
}

/**
 * Ozon FBO stock: `POST /v1/analytics/stocks` (`AnalyticsAPI_AnalyticsStocks`, the method Ozon's
 * own docs send FBO readers to; `/v2/analytics/stock_on_warehouses` "will be disabled"), asked for
 * the cabinet's SKUs 100 at a time. One item per SKU × Ozon warehouse; `available_stock_count`
 * ("available for sale") is the figure shown, the other `*_count` figures are kept in `details`.
 * No limit of its own is documented: the 50 a second of every Client-Id covers it.
 */
export async function readOzonFbo(http: HttpClient, listings: FboListing[]): Promise<FboRead> {
  const bySku = productsBy(listings, 'sku');
  const byOffer = productsBy(listings, 'offerId');
  const skus = [...bySku.keys()];
  const rows = new FboCollector();
  for (let i = 0; i < skus.length; i += OZON_FBO_SKUS_PER_REQUEST) {
    const page = await http.post<{ items?: AnalyticsStock[] }>('/v1/analytics/stocks', {
      skus: skus.slice(i, i + OZON_FBO_SKUS_PER_REQUEST),
    });
    for (const item of page.items ?? []) {
      // The offer is the seller's article; the sku is the fallback (an FBO sku may differ from the listing's).
      const productId = (item.offer_id && byOffer.get(item.offer_id)) || bySku.get(String(item.sku));
      rows.add(
        productId === undefined || item.warehouse_id === undefined
          ? undefined
          : {
              productId,
              warehouseId: String(item.warehouse_id),
              warehouseName: item.warehouse_name ?? '',
              listingKey: String(item.sku ?? item.offer_id),
              quantity: item.available_stock_count ?? 0,
              details: numbers(item, (k) => k.endsWith('_count') && k !== 'available_stock_count'),
            },
      );
    }
  }
  return rows.read();
}
