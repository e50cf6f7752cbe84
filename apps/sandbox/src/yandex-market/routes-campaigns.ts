import type { Request, Response, Router } from 'express';
import { intList, obj } from '../marketplace-params';
import { YM_BUSINESS, YM_CAMPAIGNS, YM_WAREHOUSES } from './data';
import type { YmFbyStocks } from './fbo-stocks';
import type { YmLimits } from './limits';
import { both, nextToken, paging } from './paging';
import { business } from './scope';

/** §4.2 the seller's campaigns and the business's warehouses. */
export function mountCampaignRoutes(router: Router, limits: YmLimits, fby: YmFbyStocks): void {
  // §4.2 campaigns and warehouses.
  router.get(both('v2', '/campaigns'), (req: Request, res: Response) => {
    if (!limits.spend(res, 'campaigns', YM_BUSINESS.id)) return;
    // The FBY campaign only once a test gave the cabinet one (fbo-stocks.ts).
    const campaigns = [...YM_CAMPAIGNS, ...fby.campaigns()];
    const page = paging(req, res, campaigns.length, 100, 100);
    if (!page) return;
    res.json({
      campaigns: (res.locals.sandboxEmptyPage ? [] : campaigns.slice(page.offset, page.offset + page.limit)).map((c) => ({
        id: c.id,
        domain: c.domain,
        business: YM_BUSINESS,
        placementType: c.placementType,
        apiAvailability: 'AVAILABLE',
      })),
      paging: nextToken(page.offset, page.limit, campaigns.length),
    });
  });
  router.post(both('v2', '/businesses/:businessId/warehouses'), (req: Request, res: Response) => {
    if (!business(req, res) || !limits.spend(res, 'warehouses', YM_BUSINESS.id)) return;
    const only = intList(obj(req.body).campaignIds) ?? [];
    const found = YM_WAREHOUSES.filter((w) => only.length === 0 || only.includes(w.campaignId));
    const page = paging(req, res, found.length, 30, 15);
    if (!page) return;
    res.json({
      status: 'OK',
      result: {
        warehouses: (res.locals.sandboxEmptyPage ? [] : found.slice(page.offset, page.offset + page.limit)).map((w) => ({
          id: w.id,
          name: w.name,
          campaignId: w.campaignId,
          express: w.express,
          address: { city: 'Москва', street: 'Складская', number: '1' },
          status: { status: 'ACTIVE' },
        })),
        paging: nextToken(page.offset, page.limit, found.length),
      },
    });
  });
}
