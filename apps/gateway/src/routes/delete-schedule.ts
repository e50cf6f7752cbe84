import { z } from 'zod';
import { deleteSchedule } from '@datasync/runs';
import { errorSchema, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { scheduleIdParams } from './schedule-schemas';

export const deleteScheduleRoute: Route = {
  method: 'delete',
  path: '/api/schedules/:id',
  summary: 'Remove a schedule (its past runs stay); a run in progress finishes',
  tag: 'schedules',
  params: scheduleIdParams,
  responses: {
    200: { description: 'Removed', schema: z.object({ status: z.literal('deleted'), id: z.string().uuid() }) },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such schedule', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(scheduleIdParams, input.params);
    if (!(await deleteSchedule({ pool: deps.pool, queue: deps.schedules }, id))) throw new NotFoundError(`no schedule ${id}`);
    return { body: { status: 'deleted', id } };
  },
};
