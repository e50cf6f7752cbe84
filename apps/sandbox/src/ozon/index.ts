import express, { type NextFunction, type Request, type Response } from 'express';
import { multiAccountRouter, ownerOf, type AccountFake, type SandboxAccount } from '../accounts';
import type { Fake, FakeContext } from '../fake';
import { apiGuard } from './auth';
import { mountControlRoutes } from './control';
import { OZON_ACCOUNT_CREDENTIALS, OZON_CREDENTIALS, OZON_WAREHOUSES } from './data';
import { invalid } from './envelope';
import { registerOzonPresets } from './faults';
import { mountFboStockRoutes, OzonFboStocks } from './fbo-stocks';
import { OzonLimits } from './limits';
import { mountPostingRoutes } from './routes-postings';
import { mountProductRoutes } from './routes-products';
import { mountReturnRoutes } from './routes-returns';
import { mountStockRoutes } from './routes-stocks';
import { mountWarehouseRoutes } from './routes-warehouses';
import { OzonPush } from './push';
import { OzonState } from './state';
import { mountPushControl } from '../push-control';

export { OZON_ACCOUNT_CREDENTIALS, OZON_CREDENTIALS, OZON_WAREHOUSES } from './data';

/** One seller cabinet: its own state and rate limits (Ozon limits per Client-Id). */
function createOzonAccount(ctx: FakeContext, account: SandboxAccount): AccountFake {
  const credentials = OZON_ACCOUNT_CREDENTIALS[account.name]!;
  const state = new OzonState(account, credentials.clientId, ctx.catalogExtra);
  const limits = new OzonLimits();
  const fbo = new OzonFboStocks();
  const push = new OzonPush(account.seed, Number(credentials.clientId));
  const reset = () => {
    state.reset();
    fbo.reset();
    limits.settings.reset();
    push.sender.reset();
  };
  reset();

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  router.use(apiGuard(limits, credentials));
  mountWarehouseRoutes(router);
  mountPostingRoutes(router, state);
  mountReturnRoutes(router, state);
  mountStockRoutes(router, state, limits);
  mountProductRoutes(router, state);
  mountFboStockRoutes(router, state, fbo);
  mountControlRoutes(router, state, push);
  mountPushControl(router, push.sender);
  limits.settings.mount(router);

  // Malformed JSON bodies: Ozon's 400 shape rather than the sandbox's 500.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed')
      return invalid(res, 'Invalid request body');
    next(err);
  });

  return {
    account,
    router,
    reset,
    owns: (req) => req.header('client-id') === credentials.clientId && req.header('api-key') === credentials.apiKey,
    listing: () => ({
      name: account.name,
      credentials: { clientId: credentials.clientId, apiKey: credentials.apiKey },
      settings: { marketplace: 'ozon', warehouseIds: OZON_WAREHOUSES.map((w) => w.warehouse_id) },
    }),
  };
}

/**
 * Ozon Seller API (FBS), per shared/reference/marketplaces.md §2. Every method is POST with a JSON
 * body; auth is `Client-Id` + `Api-Key`. One seller cabinet per sandbox account. Assumptions where
 * the reference is unconfirmed are listed in apps/sandbox/README.md ("Ozon").
 */
export function createOzonFake(ctx: FakeContext): Fake {
  registerOzonPresets(ctx.faults);
  const accounts = ctx.accounts.map((account) => createOzonAccount(ctx, account));
  ctx.registry.register('/ozon', ownerOf(accounts));
  const router = multiAccountRouter(accounts, () => ({ 'Client-Id': OZON_CREDENTIALS.clientId, 'Api-Key': OZON_CREDENTIALS.apiKey }));
  return { name: 'ozon', prefix: '/ozon', router, reset: () => accounts.forEach((a) => a.reset()) };
}
