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
