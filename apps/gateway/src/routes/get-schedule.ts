import { getSchedule } from '@datasync/runs';
import { errorSchema, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { presentSchedule, scheduleIdParams, scheduleSchema } from './schedule-schemas';

export const getScheduleRoute: Route = {
  method: 'get',
  path: '/api/schedules/:id',
  summary: 'One schedule: next run time, last tick, failure streak, why it is paused',
  tag: 'schedules',
  params: scheduleIdParams,
  responses: {
    200: { description: 'The schedule', schema: scheduleSchema },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such schedule', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(scheduleIdParams, input.params);
    const schedule = await getSchedule(deps.pool, id);
    if (!schedule) throw new NotFoundError(`no schedule ${id}`);
    return { body: await presentSchedule(schedule, deps) };
  },
};
