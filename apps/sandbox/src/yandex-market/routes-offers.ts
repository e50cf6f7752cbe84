import type { Request, Response, Router } from 'express';
import { obj, strList } from '../marketplace-params';
import { YM_BUSINESS } from './data';
import { bad } from './envelope';
import type { YmLimits } from './limits';
import { both, nextToken, paging } from './paging';
import { business } from './scope';
import type { YmState } from './state';

/** §4.7 the catalogue: offerId ↔ marketSku ↔ barcodes. */
export function mountOfferRoutes(router: Router, state: YmState, limits: YmLimits): void {
  // §4.7 catalogue: offerId ↔ marketSku ↔ barcodes.
  router.post(both('v2', '/businesses/:businessId/offer-mappings'), (req: Request, res: Response) => {
    if (!business(req, res) || !limits.spend(res, 'offer-mappings', YM_BUSINESS.id)) return;
    const offerIds = strList(obj(req.body).offerIds);
    if (offerIds === null || offerIds.length > 100) return bad(res, 'offerIds: at most 100 strings');
    const found = state.removals.listed(state.catalog).filter((c) => offerIds.length === 0 || offerIds.includes(c.ym.offerId));
    const page = offerIds.length > 0 ? { offset: 0, limit: found.length || 1 } : paging(req, res, found.length, 100, 50);
    if (!page) return;
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit);
    res.json({
      status: 'OK',
      result: {
        paging: offerIds.length > 0 ? {} : nextToken(page.offset, page.limit, found.length),
        offerMappings: slice.map((c) => ({
          offer: {
            offerId: c.ym.offerId,
            name: c.name,
            vendor: 'DataSync',
            vendorCode: c.wb.vendorCode,
            barcodes: [c.barcode],
            archived: false,
            cardStatus: 'HAS_CARD_CAN_UPDATE',
          },
          mapping: { marketSku: c.ym.marketSku, marketSkuName: c.name, marketCategoryId: 91_491, marketCategoryName: c.name.split(',')[0] },
        })),
      },
    });
  });
}
