import express, { type NextFunction, type Request, type Response } from 'express';
import type { Fake, FakeContext } from '../fake';
import { apiGuard } from './auth';
import { mountControlRoutes } from './control';
import { invalid } from './envelope';
import { registerOzonPresets } from './faults';
import { OzonLimits } from './limits';
import { mountPostingRoutes } from './routes-postings';
import { mountProductRoutes } from './routes-products';
import { mountReturnRoutes } from './routes-returns';
import { mountStockRoutes } from './routes-stocks';
import { mountWarehouseRoutes } from './routes-warehouses';
import { OzonState } from './state';

export { OZON_CREDENTIALS, OZON_WAREHOUSES } from './data';

/**
 * Ozon Seller API (FBS), per shared/reference/marketplaces.md §2. Every method is POST with a JSON
 * body; auth is `Client-Id` + `Api-Key`. Assumptions where the reference is unconfirmed are listed
 * in apps/sandbox/README.md ("Ozon").
 */
export function createOzonFake(ctx: FakeContext): Fake {
  const state = new OzonState(ctx.seed, ctx.catalogExtra);
  const limits = new OzonLimits();
  const reset = () => {
    state.reset();
    limits.settings.reset();
  };
  reset();
  registerOzonPresets(ctx.faults);

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  router.use(apiGuard(limits));
  mountWarehouseRoutes(router);
  mountPostingRoutes(router, state);
  mountReturnRoutes(router, state);
  mountStockRoutes(router, state, limits);
  mountProductRoutes(router, state);
  mountControlRoutes(router, state);
  limits.settings.mount(router);

  // Malformed JSON bodies: Ozon's 400 shape rather than the sandbox's 500.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed')
      return invalid(res, 'Invalid request body');
    next(err);
  });

  return { name: 'ozon', prefix: '/ozon', router, reset };
}
