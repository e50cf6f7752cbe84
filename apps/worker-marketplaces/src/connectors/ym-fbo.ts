import type { HttpClient } from '@datasync/connector-kit';
import { FboCollector, productsBy } from './fbo-rows';
import type { FboListing, FboRead } from './types';

/** Offers per page of the stock read (`limit` 1–200). */
export const YM_FBO_PAGE = 200;

interface WarehouseOffers {
  warehouseId?: number;
  offers?: { offerId: string; stocks?: { type: string; count: number }[] }[];
}

/**
 * Yandex Market FBY stock: `POST /v2/campaigns/{campaignId}/offers/stocks` (`getStocks`) on each FBY
 * campaign of the cabinet, paged by `page_token` (`limit` 200); for FBY the answer names Market's
 * warehouses, whose names come from `GET /v2/warehouses` (`getFulfillmentWarehouses`, 100 an hour:
 * asked once per read, only when there is stock). `AVAILABLE` ("available to order") is the figure
 * shown; every stock type is kept in `details`.
 */
export async function readYmFby(http: HttpClient, fbyCampaignIds: readonly string[], listings: FboListing[]): Promise<FboRead> {
  const byOffer = productsBy(listings, 'offerId');
  const rows = new FboCollector();
  for (const campaignId of fbyCampaignIds) {
    let token: string | undefined;
    do {
      const page = await http.post<{ result?: { paging?: { nextPageToken?: string }; warehouses?: WarehouseOffers[] } }>(
        `/v2/campaigns/${campaignId}/offers/stocks`,
        {},
        { params: { limit: YM_FBO_PAGE, page_token: token } },
      );
      for (const w of page.result?.warehouses ?? []) {
        for (const o of w.offers ?? []) {
          const productId = byOffer.get(o.offerId);
          const counts = Object.fromEntries((o.stocks ?? []).map((s) => [s.type, s.count]));
          rows.add(
            productId === undefined || w.warehouseId === undefined
              ? undefined
              : {
                  productId,
                  warehouseId: String(w.warehouseId),
                  warehouseName: '',
                  listingKey: o.offerId,
                  quantity: counts.AVAILABLE ?? 0,
                  details: counts,
                },
          );
        }
      }
      token = page.result?.paging?.nextPageToken;
    } while (token);
  }
  const read = rows.read();
  if (read.rows.length > 0) {
    const names = await http.get<{ result?: { warehouses?: { id: number; name?: string }[] } }>('/v2/warehouses');
    const nameOf = new Map((names.result?.warehouses ?? []).map((w) => [String(w.id), w.name ?? '']));
    for (const r of read.rows) r.warehouseName = nameOf.get(r.warehouseId) ?? '';
  }
  return read;
}
