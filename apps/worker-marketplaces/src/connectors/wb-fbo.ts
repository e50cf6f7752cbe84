import type { HttpClient } from '@datasync/connector-kit';
import { FboCollector, productsBy } from './fbo-rows';
import type { FboListing, FboRead } from './types';

/** Rows per request: the documented maximum and default of `limit`. */
export const WB_FBO_PAGE = 250_000;

interface WbWarehouseStock {
  nmId?: number;
  chrtId?: number;
  warehouseId?: number;
  warehouseName?: string;
  quantity?: number;
  inWayToClient?: number;
  inWayFromClient?: number;
}

/**
 * Wildberries FBW stock: `POST /api/analytics/v1/stocks-report/wb-warehouses` on seller-analytics-api
 * (WB spec Aug 2026, `postV1StocksReportWbWarehouses`): one row per size on a WB warehouse (for now
 * only -999999 "Склад WB"), refreshed every 30 minutes. Every size of the seller at once (no `nmIds`),
 * paged by `offset`: a page shorter than `limit` is the last (fewer rows than asked means none
 * follow). 3 requests a minute, interval 20 s, burst 1 (connectors/limits.ts).
 */
export async function readWbFbo(analytics: HttpClient, listings: FboListing[]): Promise<FboRead> {
  const byChrt = productsBy(listings, 'chrtId');
  const rows = new FboCollector();
  for (let offset = 0; ;) {
    const page = await analytics.post<{ data?: { items?: WbWarehouseStock[] } }>('/api/analytics/v1/stocks-report/wb-warehouses', {
      limit: WB_FBO_PAGE,
      offset,
    });
    const items = page.data?.items ?? [];
    for (const item of items) {
      const productId = byChrt.get(String(item.chrtId));
      rows.add(
        productId === undefined || item.warehouseId === undefined
          ? undefined
          : {
              productId,
              warehouseId: String(item.warehouseId),
              warehouseName: item.warehouseName ?? '',
              listingKey: String(item.chrtId),
              quantity: item.quantity ?? 0,
              details: { inWayToClient: item.inWayToClient ?? 0, inWayFromClient: item.inWayFromClient ?? 0 },
            },
      );
    }
    if (items.length < WB_FBO_PAGE) return rows.read();
    offset += items.length;
  }
}
