import { z } from 'zod';
import { getRun, presentRun } from '@datasync/runs';
import { errorSchema, NotFoundError, parseOr400, runIdSchema, runSchema, type Route } from '@datasync/api-kit';

const params = z.object({ id: runIdSchema });

export const getRunRoute: Route = {
  method: 'get',
  path: '/api/runs/:id',
  summary: 'One run of any source: state, progress, counts, error, timings',
  tag: 'runs',
  params,
  responses: {
    200: { description: 'The run', schema: runSchema },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such run', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(params, input.params);
    const run = await getRun(deps.pool, id);
    if (!run) throw new NotFoundError(`no run ${id}`);
    return { body: presentRun(run) };
  },
};
