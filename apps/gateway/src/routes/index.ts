import type { Route } from '../route';
import { getAvitoCheck } from './get-avito-check';
import { getAvitoRegion } from './get-avito-region';
import { getAvitoUser } from './get-avito-user';
import { postDatawizSales } from './post-datawiz-sales';
import { postDatawizSync } from './post-datawiz-sync';
import { getRunRoute } from './get-run';
import { listRunsRoute } from './list-runs';
import { postItResumeSync } from './post-itresume-sync';
import { postYclientsSync } from './post-yclients-sync';
import { getMarketplaceProduct } from './get-marketplace-product';
import { listMarketplaceMovements } from './list-marketplace-movements';
import { listMarketplaceOrders, listMarketplaceReserves } from './list-marketplace-orders';
import { listMarketplaceProducts } from './list-marketplace-products';
import { listMarketplaceReturns } from './list-marketplace-returns';
import { listMarketplaceWarehouses } from './list-marketplace-warehouses';
import { postMarketplaceAdjustment } from './post-marketplace-adjustment';
import { postMarketplaceCatalog, postMarketplacePoll, postMarketplacePush } from './post-marketplace-runs';
import { postRun } from './post-run';
import { getRunLog } from './get-run-log';
import { postSchedule } from './post-schedule';
import { listSchedulesRoute } from './list-schedules';
import { getScheduleRoute } from './get-schedule';
import { deleteScheduleRoute } from './delete-schedule';
import { postScheduleResume } from './post-schedule-resume';

/** Every API route; the OpenAPI document is generated from this list. */
export const routes: Route[] = [
  getAvitoUser,
  getAvitoRegion,
  getAvitoCheck,
  postYclientsSync,
  postDatawizSync,
  postDatawizSales,
  postItResumeSync,
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
  postRun,
  getRunRoute,
  getRunLog,
  listRunsRoute,
  postSchedule,
  listSchedulesRoute,
  getScheduleRoute,
  deleteScheduleRoute,
  postScheduleResume,
];
