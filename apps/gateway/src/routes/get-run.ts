import { z } from 'zod';
import { getRun, listChildren, presentRun } from '@datasync/runs';
import { errorSchema, NotFoundError, parseOr400, runIdSchema, runWithChildrenSchema, type Route } from '@datasync/api-kit';

const params = z.object({ id: runIdSchema });

export const getRunRoute: Route = {
  method: 'get',
  path: '/api/runs/:id',
  summary: 'One run of any source: state, progress, counts, error, timings; a backfill with its child runs',
  tag: 'runs',
  params,
  responses: {
    200: { description: 'The run', schema: runWithChildrenSchema },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such run', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(params, input.params);
    const run = await getRun(deps.pool, id);
    if (!run) throw new NotFoundError(`no run ${id}`);
    const children = run.childrenTotal !== null ? (await listChildren(deps.pool, id)).map(presentRun) : undefined;
    return { body: children ? { ...presentRun(run), children } : presentRun(run) };
  },
};
