import { z } from 'zod';
import { listRuns, presentRun } from '@datasync/runs';
import { sourceNames } from '@datasync/sources';
import { errorSchema, parseOr400, runSchema, runStateSchema, type Route } from '@datasync/api-kit';

const query = z.object({
  source: z.enum(sourceNames as [string, ...string[]], { error: `must be one of: ${sourceNames.join(', ')}` }).optional(),
  state: runStateSchema.optional(),
  trigger: z.enum(['manual', 'schedule'], { error: 'must be manual or schedule' }).optional(),
  idle: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 200')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
    .optional(),
  before: z.iso.datetime({ offset: true, error: 'must be an ISO date-time (the createdAt of the last run of a page)' }).optional(),
});

export const listRunsRoute: Route = {
  method: 'get',
  path: '/api/runs',
  summary:
    'Runs of every source, newest first, filtered by source, state and trigger (manual, schedule); scheduled runs that found nothing are left out unless idle=true',
  tag: 'runs',
  query,
  responses: {
    200: { description: 'Runs', schema: z.object({ runs: z.array(runSchema) }) },
    400: { description: 'Invalid filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(query, input.query);
    const runs = await listRuns(deps.pool, {
      source: q.source,
      state: q.state,
      trigger: q.trigger,
      includeIdle: q.idle === 'true',
      limit: q.limit ?? 50,
      before: q.before ? new Date(q.before) : undefined,
    });
    return { body: { runs: runs.map(presentRun) } };
  },
};
