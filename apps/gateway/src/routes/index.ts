import { sourceRoutes } from '@datasync/sources';
import type { Route } from '@datasync/api-kit';
import { getRunRoute } from './get-run';
import { listRunsRoute } from './list-runs';
import { postRun } from './post-run';
import { getRunLog } from './get-run-log';
import { postSchedule } from './post-schedule';
import { listSchedulesRoute } from './list-schedules';
import { getScheduleRoute } from './get-schedule';
import { deleteScheduleRoute } from './delete-schedule';
import { postScheduleResume } from './post-schedule-resume';
import { postConnection } from './post-connection';
import { listConnectionsRoute } from './list-connections';
import { getConnectionRoute } from './get-connection';
import { patchConnection } from './patch-connection';
import { deleteConnectionRoute } from './delete-connection';
import { postConnectionTest } from './post-connection-test';
import { listAuditRoute } from './list-audit';

/**
 * Every API route; the OpenAPI document is generated from this list. The sources' routes (each
 * job's sync route and a source's own) come from the registry, then the routes of runs, schedules and connections.
 */
export const routes: Route[] = [
  ...sourceRoutes,
  postRun,
  getRunRoute,
  getRunLog,
  listRunsRoute,
  postSchedule,
  listSchedulesRoute,
  getScheduleRoute,
  deleteScheduleRoute,
  postScheduleResume,
  postConnection,
  listConnectionsRoute,
  getConnectionRoute,
  patchConnection,
  deleteConnectionRoute,
  postConnectionTest,
  listAuditRoute,
];
