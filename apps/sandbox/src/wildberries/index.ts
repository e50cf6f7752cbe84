import express, { type NextFunction, type Request, type Response } from 'express';
import type { Fake, FakeContext } from '../fake';
import { mountControlRoutes } from './control';
import { fail } from './envelope';
import { registerWbPresets } from './faults';
import { createHostRouters } from './hosts';
import { WbLimits } from './limits';
import { mountContentRoutes } from './routes-content';
import { mountOrderRoutes } from './routes-orders';
import { mountReturnRoutes } from './routes-returns';
import { mountStockRoutes } from './routes-stocks';
import { WbState } from './state';

export { WB_TOKENS, WB_WAREHOUSES } from './data';

/**
 * Wildberries seller APIs, per shared/reference/marketplaces.md §3: one sub-path per WB host
 * (`/wb/marketplace` = marketplace-api, `/wb/content` = content-api, `/wb/returns` = returns-api,
 * `/wb/analytics` = seller-analytics-api, `/wb/common`, `/wb/statistics` = ping only). Auth is the
 * raw token in `Authorization`. Assumptions are listed in apps/sandbox/README.md ("Wildberries").
 */
export function createWildberriesFake(ctx: FakeContext): Fake {
  const state = new WbState(ctx.seed, ctx.catalogExtra);
  const limits = new WbLimits();
  const reset = () => {
    state.reset();
    limits.settings.reset();
  };
  reset();
  registerWbPresets(ctx.faults);

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));

  // Auth and rate limits per host; control endpoints skip both.
  const hosts = createHostRouters(limits);
  mountOrderRoutes(hosts.marketplace!, state);
  mountStockRoutes(hosts.marketplace!, state);
  mountReturnRoutes(hosts.returns!, hosts.analytics!, state);
  mountContentRoutes(hosts.content!, state);
  for (const [host, sub] of Object.entries(hosts)) router.use(`/${host}`, sub);

  mountControlRoutes(router, state);
  limits.settings.mount(router);

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed') {
      return fail(res, 400, 'IncorrectRequestBody', 'Некорректное тело запроса');
    }
    next(err);
  });

  return { name: 'wildberries', prefix: '/wb', router, reset };
}
