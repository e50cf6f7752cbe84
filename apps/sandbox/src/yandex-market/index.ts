import express, { type NextFunction, type Request, type Response } from 'express';
import type { Fake, FakeContext } from '../fake';
import { apiGuard } from './auth';
import { mountControlRoutes } from './control';
import { bad } from './envelope';
import { registerYmPresets } from './faults';
import { YmLimits } from './limits';
import { mountCampaignRoutes } from './routes-campaigns';
import { mountOfferRoutes } from './routes-offers';
import { mountOrderRoutes } from './routes-orders';
import { mountReturnRoutes } from './routes-returns';
import { mountStockRoutes } from './routes-stocks';
import { YmState } from './state';

export { YM_BUSINESS, YM_CAMPAIGNS, YM_CREDENTIALS, YM_WAREHOUSES } from './data';

/**
 * Yandex Market Partner API (FBS/DBS), per shared/reference/marketplaces.md §4. Auth is `Api-Key`
 * (or the deprecated `Authorization: Bearer`); rate limits answer 420. Assumptions are listed in
 * apps/sandbox/README.md ("Yandex Market").
 */
export function createYandexMarketFake(ctx: FakeContext): Fake {
  const state = new YmState(ctx.seed, ctx.catalogExtra);
  const limits = new YmLimits();
  const reset = () => {
    state.reset();
    limits.settings.reset();
  };
  reset();
  registerYmPresets(ctx.faults);

  const router = express.Router();
  router.use(express.json({ limit: '512kb' }));
  router.use(apiGuard(limits));
  mountCampaignRoutes(router, limits);
  mountOrderRoutes(router, state, limits);
  mountReturnRoutes(router, state, limits);
  mountStockRoutes(router, state, limits);
  mountOfferRoutes(router, state, limits);
  mountControlRoutes(router, state);
  limits.settings.mount(router);

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return bad(res, 'Request body is larger than 512 KB');
    if (err instanceof SyntaxError || type === 'entity.parse.failed') return bad(res, 'Request body is not valid JSON');
    next(err);
  });

  return { name: 'yandex-market', prefix: '/ym', router, reset };
}
