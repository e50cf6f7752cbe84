import { z } from 'zod';
import { listSchedules } from '@datasync/runs';
import type { Route } from '@datasync/api-kit';
import { presentSchedule, scheduleSchema } from './schedule-schemas';

export const listSchedulesRoute: Route = {
  method: 'get',
  path: '/api/schedules',
  summary: 'Every schedule with its state, next run time and last tick',
  tag: 'schedules',
  responses: { 200: { description: 'Schedules, oldest first', schema: z.object({ schedules: z.array(scheduleSchema) }) } },
  async handle(_input, deps) {
    const schedules = await listSchedules(deps.pool);
    return { body: { schedules: await Promise.all(schedules.map((s) => presentSchedule(s, deps))) } };
  },
};
