import type { OpenApiDocument, OrError, Run, RunList, RunLog, ScheduleList, Submitted } from '@datasync/testkit';
import type {
  AdjustmentAnswer,
  MarketplaceList,
  MovementList,
  OrderList,
  ProductList,
  ProductWithMovements,
  ReturnList,
  WarehouseList,
} from '@datasync/worker-marketplaces';

/**
 * What the gateway answers at a path the marketplace tests call, found from the path itself (a
 * template string such as `/api/marketplaces/products/${sku}/movements?limit=2` keeps its shape as a
 * type), so a call reads a typed body without naming it. More specific paths come first; any other
 * path is `unknown`.
 */
export type AnswerAt<P extends string> = P extends '/api/marketplaces'
  ? MarketplaceList
  : P extends `/api/marketplaces/products/${string}/adjustments`
    ? AdjustmentAnswer
    : P extends `/api/marketplaces/products/${string}/movements${string}`
      ? MovementList
      : P extends `/api/marketplaces/products/${string}`
        ? ProductWithMovements
        : P extends `/api/marketplaces/products${string}`
          ? ProductList
          : P extends `/api/marketplaces/${'orders' | 'reserves'}${string}`
            ? OrderList
            : P extends `/api/marketplaces/returns${string}`
              ? ReturnList
              : P extends `/api/marketplaces/warehouses${string}`
                ? WarehouseList
                : P extends `/api/marketplaces/${'poll' | 'push' | 'catalog'}`
                  ? Submitted
                  : P extends `/api/runs/${string}/log${string}`
                    ? RunLog
                    : P extends `/api/runs/${string}`
                      ? Run
                      : P extends `/api/runs${string}`
                        ? RunList
                        : P extends `/api/schedules${string}`
                          ? ScheduleList
                          : P extends '/openapi.json'
                            ? OpenApiDocument
                            : unknown;

/** The body at `P`: its answer on success, the error shape otherwise (read after checking the status). */
export type BodyAt<P extends string> = OrError<AnswerAt<P>>;
