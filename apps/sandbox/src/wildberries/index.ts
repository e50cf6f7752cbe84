import express, { type NextFunction, type Request, type Response } from 'express';
import { multiAccountRouter, ownerOf, type AccountFake, type SandboxAccount } from '../accounts';
import type { Fake, FakeContext } from '../fake';
import { mountControlRoutes } from './control';
import { WB_ACCOUNTS, WB_TOKENS, WB_WAREHOUSES } from './data';
import { fail } from './envelope';
import { registerWbPresets } from './faults';
import { mountFboStockRoutes, WbFboStocks } from './fbo-stocks';
import { createHostRouters, HOSTS } from './hosts';
import { WbLimits } from './limits';
import { mountContentRoutes } from './routes-content';
import { mountOrderRoutes } from './routes-orders';
import { mountReturnRoutes } from './routes-returns';
import { mountStockRoutes } from './routes-stocks';
import { WbState } from './state';

export { WB_ACCOUNTS, WB_TOKENS, WB_WAREHOUSES } from './data';

const rawToken = (req: Request) => (req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');

/** One seller: its own state, tokens and rate limits (WB limits per seller). */
function createWbAccount(ctx: FakeContext, account: SandboxAccount): AccountFake {
  const seller = WB_ACCOUNTS[account.name]!;
  const state = new WbState(account, ctx.catalogExtra);
  const limits = new WbLimits();
  const fbo = new WbFboStocks();
  const reset = () => {
    state.reset();
    fbo.reset();
    limits.settings.reset();
  };
  reset();

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));

  // Auth and rate limits per host; control endpoints skip both.
  const hosts = createHostRouters(limits, seller);
  mountOrderRoutes(hosts.marketplace!, state);
  mountStockRoutes(hosts.marketplace!, state);
  mountReturnRoutes(hosts.returns!, hosts.analytics!, state);
  mountContentRoutes(hosts.content!, state);
  mountFboStockRoutes(hosts.analytics!, router, state, fbo);
  for (const [host, sub] of Object.entries(hosts)) router.use(`/${host}`, sub);

  mountControlRoutes(router, state);
  limits.settings.mount(router);

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed') {
      return fail(res, 400, 'IncorrectRequestBody', 'Некорректное тело запроса');
    }
    next(err);
  });

  return {
    account,
    router,
    reset,
    owns: (req) => Object.values(seller.tokens).includes(rawToken(req)),
    listing: () => ({
      name: account.name,
      credentials: { token: seller.tokens.full },
      settings: { marketplace: 'wb', warehouseIds: WB_WAREHOUSES.map((w) => w.id) },
    }),
  };
}

/**
 * Wildberries seller APIs, per shared/reference/marketplaces.md §3: one sub-path per WB host
 * (`/wb/marketplace` = marketplace-api, `/wb/content` = content-api, `/wb/returns` = returns-api,
 * `/wb/analytics` = seller-analytics-api, `/wb/common`, `/wb/statistics` = ping only). Auth is the
 * raw token in `Authorization`; one seller per sandbox account. Assumptions are listed in
 * apps/sandbox/README.md ("Wildberries").
 */
export function createWildberriesFake(ctx: FakeContext): Fake {
  registerWbPresets(ctx.faults);
  const accounts = ctx.accounts.map((account) => createWbAccount(ctx, account));
  ctx.registry.register('/wb', ownerOf(accounts));
  const router = multiAccountRouter(accounts, () => ({
    tokens: WB_TOKENS,
    header: 'Authorization',
    hosts: Object.keys(HOSTS).map((h) => `/wb/${h}`),
  }));
  return { name: 'wildberries', prefix: '/wb', router, reset: () => accounts.forEach((a) => a.reset()) };
}
