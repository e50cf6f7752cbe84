import express, { type NextFunction, type Request, type Response } from 'express';
import { multiAccountRouter, ownerOf, type AccountFake, type SandboxAccount } from '../accounts';
import type { Fake, FakeContext } from '../fake';
import { YM_ACCOUNT_CREDENTIALS, YM_CAMPAIGNS, YM_CREDENTIALS, YM_WAREHOUSES } from './data';
import { apiGuard } from './auth';
import { mountControlRoutes } from './control';
import { bad } from './envelope';
import { registerYmPresets } from './faults';
import { mountFboStockRoutes, YmFbyStocks } from './fbo-stocks';
import { YmLimits } from './limits';
import { mountCampaignRoutes } from './routes-campaigns';
import { mountOfferRoutes } from './routes-offers';
import { mountOrderRoutes } from './routes-orders';
import { mountReturnRoutes } from './routes-returns';
import { mountStockRoutes } from './routes-stocks';
import { YmPush } from './push';
import { YmState } from './state';
import { mountPushControl } from '../push-control';

export { YM_ACCOUNT_CREDENTIALS, YM_BUSINESS, YM_CAMPAIGNS, YM_CREDENTIALS, YM_WAREHOUSES } from './data';

/** One business: its own state and limits (YM limits per campaign and per principal). */
function createYmAccount(ctx: FakeContext, account: SandboxAccount): AccountFake {
  const credentials = YM_ACCOUNT_CREDENTIALS[account.name]!;
  const state = new YmState(account, ctx.catalogExtra);
  const limits = new YmLimits();
  const fby = new YmFbyStocks();
  const push = new YmPush(account.seed);
  const reset = () => {
    state.reset();
    fby.reset();
    limits.settings.reset();
    push.sender.reset();
  };
  reset();

  const router = express.Router();
  router.use(express.json({ limit: '512kb' }));
  router.use(apiGuard(limits, credentials));
  mountCampaignRoutes(router, limits, fby);
  mountOrderRoutes(router, state, limits);
  mountReturnRoutes(router, state, limits);
  // Before the FBS stock routes: it answers the FBY campaign's stock read and passes every other on.
  mountFboStockRoutes(router, state, fby, limits);
  mountStockRoutes(router, state, limits);
  mountOfferRoutes(router, state, limits);
  mountControlRoutes(router, state, push);
  mountPushControl(router, push.sender);
  limits.settings.mount(router);

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return bad(res, 'Request body is larger than 512 KB');
    if (err instanceof SyntaxError || type === 'entity.parse.failed') return bad(res, 'Request body is not valid JSON');
    next(err);
  });

  return {
    account,
    router,
    reset,
    owns: (req) =>
      req.header('api-key') === credentials.apiKey ||
      (req.header('api-key') === undefined && req.header('authorization') === `Bearer ${credentials.oauthToken}`),
    listing: () => ({
      name: account.name,
      credentials: { apiKey: credentials.apiKey },
      settings: { marketplace: 'ym', campaignIds: YM_CAMPAIGNS.map((c) => c.id), warehouseIds: YM_WAREHOUSES.map((w) => w.id) },
    }),
  };
}

/**
 * Yandex Market Partner API (FBS/DBS), per shared/reference/marketplaces.md §4. Auth is `Api-Key`
 * (or the deprecated `Authorization: Bearer`); rate limits answer 420. One business per sandbox
 * account. Assumptions are listed in apps/sandbox/README.md ("Yandex Market").
 */
export function createYandexMarketFake(ctx: FakeContext): Fake {
  registerYmPresets(ctx.faults);
  const accounts = ctx.accounts.map((account) => createYmAccount(ctx, account));
  ctx.registry.register('/ym', ownerOf(accounts));
  const router = multiAccountRouter(accounts, () => ({ 'Api-Key': YM_CREDENTIALS.apiKey, oauthBearer: YM_CREDENTIALS.oauthToken }));
  return { name: 'yandex-market', prefix: '/ym', router, reset: () => accounts.forEach((a) => a.reset()) };
}
