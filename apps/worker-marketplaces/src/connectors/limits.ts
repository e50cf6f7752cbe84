import { requestBody, type MethodGroup, type MethodLimit } from '@datasync/connector-kit';
import { YM_FBO_PAGE } from './ym-fbo';

/**
 * The marketplaces' documented request limits, per method group and seller account (sources in
 * apps/worker-marketplaces/README.md "Limits"). Paths are relative to each API host. A method with
 * no group here has no documented limit of its own (Ozon's 50 a second still covers it).
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Ozon: 50 requests a second over every method of a Client-Id (reference §2.1). */
const OZON_ALL: MethodLimit = { key: 'all', points: 50, windowMs: 1000, spacingMs: 20 };
export const OZON_GROUPS: MethodGroup[] = [
  // 80 a minute per account; the 30 s per (product, warehouse) rule is kept by the push (KeyedCooldown).
  { name: 'stocks', match: /^POST \/v2\/products\/stocks$/, limits: [{ points: 80, windowMs: MINUTE }, OZON_ALL] },
  { name: 'other', match: /^/, limits: [OZON_ALL] },
];

/**
 * WB: token buckets per method group (Period / Limit / Interval / Burst). We keep the limit in every
 * sliding minute and the interval between any two requests (so the burst is never needed), and a 4xx
 * answer in the Marketplace groups is charged as 10 requests.
 */
const wbGroup = (points: number, spacingMs: number, penalty4xx?: number): MethodLimit[] => [
  { points, windowMs: MINUTE, spacingMs, penalty4xx },
];
export const WB_GROUPS: MethodGroup[] = [
  // content-api: 100 a minute, interval 600 ms, burst 5.
  { name: 'cards', match: /^POST \/content\/v2\/get\/cards\/list$/, limits: wbGroup(100, 600) },
  // marketplace-api: seller warehouses; assembly tasks; stocks (each 300 a minute, 200 ms, burst 20, 4xx = 10).
  { name: 'warehouses', match: /^GET \/api\/v3\/warehouses/, limits: wbGroup(300, 200, 10) },
  { name: 'orders', match: /^(GET|POST|PATCH) \/api\/v3\/(orders|supplies)/, limits: wbGroup(300, 200, 10) },
  { name: 'stocks', match: /^(PUT|POST) \/api\/v3\/stocks\//, limits: wbGroup(300, 200, 10) },
  // seller-analytics-api goods returns: 1 a minute, burst 10: at most 10 in any 10 minutes.
  { name: 'goods-return', match: /^GET \/api\/v1\/analytics\/goods-return/, limits: [{ points: 10, windowMs: 10 * MINUTE }] },
  // seller-analytics-api FBO stock report: 3 a minute, interval 20 s, burst 1 (swagger/11-analytics.yaml).
  {
    name: 'fbo-stocks',
    match: /^POST \/api\/analytics\/v1\/stocks-report\/wb-warehouses$/,
    limits: [{ points: 3, windowMs: MINUTE, spacingMs: 20_000 }],
  },
];

/** YM: `x-resource-limit-config` of each method in the official OpenAPI (yandex-market-partner-api, 2026-07). */
export const YM_GROUPS: MethodGroup[] = [
  { name: 'campaigns', match: /^GET \/v2\/campaigns$/, limits: [{ points: 1000, windowMs: HOUR }] },
  { name: 'warehouses', match: /^POST \/v2\/businesses\/\d+\/warehouses$/, limits: [{ points: 100, windowMs: HOUR }] },
  // 100 a minute on the base tier (600 on higher ones): the base one, which every cabinet has.
  { name: 'offer-mappings', match: /^POST \/v2\/businesses\/\d+\/offer-mappings$/, limits: [{ points: 100, windowMs: MINUTE }] },
  { name: 'orders', match: /^POST \/v1\/businesses\/\d+\/orders$/, limits: [{ points: 10_000, windowMs: HOUR }] },
  { name: 'returns', match: /^GET \/v2\/campaigns\/\d+\/returns$/, limits: [{ points: 5000, windowMs: HOUR }] },
  // getStocks (the FBY stock read): 100,000 offers a minute, counted by the offers answered; each
  // page answers at most its limit (200), so every request is charged that before it is sent.
  {
    name: 'stocks-read',
    match: /^POST \/v2\/campaigns\/\d+\/offers\/stocks$/,
    limits: [{ points: 100_000, windowMs: MINUTE }],
    cost: () => YM_FBO_PAGE,
  },
  // getFulfillmentWarehouses (Market's warehouse names for FBY stock): 100 an hour.
  { name: 'fulfillment-warehouses', match: /^GET \/v2\/warehouses$/, limits: [{ points: 100, windowMs: HOUR }] },
  // Counted by SKUs, not requests: 100,000 a minute.
  {
    name: 'stocks',
    match: /^PUT \/v2\/campaigns\/\d+\/offers\/stocks$/,
    limits: [{ points: 100_000, windowMs: MINUTE }],
    cost: (r) => {
      const skus = requestBody(r).skus;
      return Array.isArray(skus) ? Math.max(1, skus.length) : 1;
    },
  },
];
