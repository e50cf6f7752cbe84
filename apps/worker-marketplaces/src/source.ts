import { z } from 'zod';
import { INT4_MAX, optionalString, positiveInt } from '@datasync/config';
import { defineSource, type HandlersOf, type SourceRuntime, type SourceConfig } from '@datasync/runs';
import { marketplacesConnection } from './connection';
import { marketplacePollParams, marketplacePushedParams, marketplacePushParams } from './params';
import { deleteAllocationRuleRoute } from './routes/delete-allocation-rule';
import { listAllocationRulesRoute } from './routes/list-allocation-rules';
import { putAllocationRuleRoute } from './routes/put-allocation-rule';
import { getMarketplaceProduct } from './routes/get-marketplace-product';
import { listMarketplaceMovements } from './routes/list-marketplace-movements';
import { listMarketplaceOrders, listMarketplaceReserves } from './routes/list-marketplace-orders';
import { listMarketplaceProducts } from './routes/list-marketplace-products';
import { listMarketplaceReturns } from './routes/list-marketplace-returns';
import { listMarketplaceWarehouses } from './routes/list-marketplace-warehouses';
import { listMarketplaces } from './routes/list-marketplaces';
import { postMarketplaceAdjustment } from './routes/post-marketplace-adjustment';
import { postOzonPush, postYmPush } from './routes/post-marketplace-push';
import { getPushSecret, postPushSecret } from './routes/push-secret';
import { postMarketplaceCatalog, postMarketplacePoll, postMarketplacePush } from './routes/post-marketplace-runs';

export { marketplacePollParams, marketplacePushedParams, marketplacePushParams } from './params';

const jobs = {
  'marketplaces.catalog': {
    params: z.object({}),
    summary: 'Products and warehouses of every marketplace, matched by seller article and barcode',
  },
  'marketplaces.poll': { params: marketplacePollParams, summary: 'New orders, reserves and returns of one marketplace' },
  'marketplaces.push': { params: marketplacePushParams, summary: 'Stock a marketplace does not have yet, and due retries' },
  'marketplaces.pushed': {
    params: marketplacePushedParams,
    summary: 'The orders Ozon or Yandex Market pushed events about, read again one by one (a targeted poll)',
  },
};
export type MarketplacesHandlers = HandlersOf<typeof jobs>;
export type MarketplacesRuntime = SourceRuntime<typeof jobs, MarketplacesConfig>;

export const marketplacesConfig = z.object({
  OZON_BASE_URL: z.string().url().default('https://api-seller.ozon.ru'),
  /** Secrets: never logged, never put in job data or answers. */
  OZON_CLIENT_ID: optionalString,
  OZON_API_KEY: optionalString,
  /** WB FBS orders, seller warehouses, stocks. */
  WB_MARKETPLACE_BASE_URL: z.string().url().default('https://marketplace-api.wildberries.ru'),
  /** WB product cards. */
  WB_CONTENT_BASE_URL: z.string().url().default('https://content-api.wildberries.ru'),
  /** WB seller analytics (the goods-return report). */
  WB_ANALYTICS_BASE_URL: z.string().url().default('https://seller-analytics-api.wildberries.ru'),
  WB_TOKEN: optionalString,
  YM_BASE_URL: z.string().url().default('https://api.partner.market.yandex.ru'),
  YM_API_KEY: optionalString,
  /** How often each marketplace is polled for orders, reserves and returns; 0 disables the schedule. */
  MARKETPLACES_POLL_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(60_000),
  /**
   * For a connection that receives pushed events (it has a push secret), a scheduled poll reads
   * the marketplace in full only this long after its last full poll (a reconciliation: dropped or
   * late pushes); the ticks in between end idle. 0: such connections are polled as if without push.
   */
  MARKETPLACES_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(900_000),
  /** How often a push runs even without ledger changes (retries of failed items); 0 disables it. */
  MARKETPLACES_PUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(60_000),
  /** How often the catalogue (products and warehouses) is read again from every marketplace; 0 disables it. */
  MARKETPLACES_CATALOG_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(3_600_000),
  /**
   * How often a poll also reads the stock each marketplace holds in its own warehouses (FBO, shown
   * only): when the last complete read is older than this. WB refreshes it every 30 min, Ozon twice
   * a day. 0: never within a poll (only a poll with `kind: fbo` reads it).
   */
  MARKETPLACES_FBO_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(1_800_000),
  /** First wait before a failed push item is tried again; doubles per attempt, at most 10 minutes (Ozon: 30 s per pair). */
  MARKETPLACES_PUSH_RETRY_MS: positiveInt.default(30_000),
  /** Re-read this much before the last poll's cursor (reference §5.3). */
  MARKETPLACES_POLL_OVERLAP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),
  /** The first poll of a marketplace looks this far back; orders already shipped or cancelled then are history and move no stock. */
  MARKETPLACES_FIRST_POLL_DAYS: z.coerce.number().int().min(1).max(30).default(14),
  /** Items per stock push request (reference §0: Ozon 100 pairs, WB 1000, YM 2000). */
  OZON_STOCK_BATCH: z.coerce.number().int().min(1).max(100).default(100),
  WB_STOCK_BATCH: z.coerce.number().int().min(1).max(1000).default(1000),
  YM_STOCK_BATCH: z.coerce.number().int().min(1).max(2000).default(2000),
  /** The marketplaces' request limits are the documented ones, per method (README.md "Limits"). */
  /**
   * Ozon takes one stock update per (product, warehouse) every 30 s; a repeat is held back this long
   * (30 s + 1 s for the way there). Lower it only against a fake whose own interval is lowered too.
   */
  OZON_STOCK_PAIR_INTERVAL_MS: positiveInt.default(31_000),
  /** Retired: refused by name, as silently ignoring it would send WB traffic to the real hosts. */
  WB_BASE_URL: optionalString.refine(
    (v) => v === undefined,
    'replaced by WB_MARKETPLACE_BASE_URL, WB_CONTENT_BASE_URL and WB_ANALYTICS_BASE_URL (one per WB host)',
  ),
});
export type MarketplacesConfig = SourceConfig<typeof marketplacesConfig>;

/** Ozon, Wildberries and Yandex Market: catalogues, orders and returns polled, stock pushed. */
export const marketplaces = defineSource({
  name: 'marketplaces',
  jobs,
  config: marketplacesConfig,
  credentials: [
    { env: 'OZON_CLIENT_ID', secret: false },
    { env: 'OZON_API_KEY', secret: true },
    { env: 'WB_TOKEN', secret: true },
    { env: 'YM_API_KEY', secret: true },
  ],
  connection: marketplacesConnection,
  sandbox: {
    upstreams: {
      OZON_BASE_URL: '/ozon',
      WB_MARKETPLACE_BASE_URL: '/wb/marketplace',
      WB_CONTENT_BASE_URL: '/wb/content',
      WB_ANALYTICS_BASE_URL: '/wb/analytics',
      YM_BASE_URL: '/ym',
    },
    credentials: [
      { upstream: 'OZON_BASE_URL', path: '/ozon/_control/credentials', env: { OZON_CLIENT_ID: 'Client-Id', OZON_API_KEY: 'Api-Key' } },
      { upstream: 'WB_MARKETPLACE_BASE_URL', path: '/wb/_control/credentials', env: { WB_TOKEN: 'tokens.full' } },
      { upstream: 'YM_BASE_URL', path: '/ym/_control/credentials', env: { YM_API_KEY: 'Api-Key' } },
    ],
  },
  handlers: () => import('./handlers'),
  routes: [
    listMarketplaces,
    listMarketplaceProducts,
    getMarketplaceProduct,
    listMarketplaceMovements,
    postMarketplaceAdjustment,
    listMarketplaceOrders,
    listMarketplaceReserves,
    listMarketplaceReturns,
    listMarketplaceWarehouses,
    postMarketplacePoll,
    postMarketplacePush,
    postMarketplaceCatalog,
    listAllocationRulesRoute,
    putAllocationRuleRoute,
    deleteAllocationRuleRoute,
    postOzonPush,
    postYmPush,
    postPushSecret,
    getPushSecret,
  ],
});
