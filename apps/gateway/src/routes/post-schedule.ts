import { createSchedule, scheduleInputSchema } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import { assertDeliverable, errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { presentSchedule, scheduleSchema } from './schedule-schemas';

/** The documented body (the minimum interval is checked against the gateway's setting). */
const docBody = scheduleInputSchema({ minIntervalSeconds: 60, catalog });

export const postSchedule: Route = {
  method: 'post',
  path: '/api/schedules',
  summary:
    'Schedule a sync of any source: {source, job?, params, everyMinutes | cron + timezone, notify?, connectionId?}; params may use {{today}}, {{yesterday}}, {{daysAgo:N}}',
  tag: 'schedules',
  body: docBody,
  responses: {
    201: { description: 'The schedule, stored and realised', schema: scheduleSchema },
    400: {
      description: 'Invalid schedule (connectionId not a connection of the source included); nothing was stored',
      schema: errorSchema,
    },
    429: { description: 'The source has SCHEDULE_MAX_PER_SOURCE schedules already; nothing was stored', schema: errorSchema },
  },
  async handle(input, deps) {
    const body = parseOr400(
      scheduleInputSchema({ minIntervalSeconds: deps.settings.scheduleMinIntervalSeconds, catalog: deps.queues.catalog }),
      input.body ?? {},
    );
    assertDeliverable(body.notify, deps, 'notify.email');
    const schedule = await createSchedule({ pool: deps.pool, queue: deps.schedules, catalog: deps.queues.catalog }, body, {
      maxPerSource: deps.settings.scheduleMaxPerSource,
    });
    return { status: 201, body: await presentSchedule(schedule, deps) };
  },
};
