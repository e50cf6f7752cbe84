import { resumeSchedule } from '@datasync/runs';
import { errorSchema, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { presentSchedule, scheduleIdParams, scheduleSchema } from './schedule-schemas';

export const postScheduleResume: Route = {
  method: 'post',
  path: '/api/schedules/:id/resume',
  summary: 'Resume a paused schedule (its failure count starts again from 0)',
  tag: 'schedules',
  params: scheduleIdParams,
  responses: {
    200: { description: 'The schedule, active again', schema: scheduleSchema },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such schedule', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(scheduleIdParams, input.params);
    const schedule = await resumeSchedule({ pool: deps.pool, queue: deps.schedules }, id);
    if (!schedule) throw new NotFoundError(`no schedule ${id}`);
    return { body: await presentSchedule(schedule, deps) };
  },
};
