import { z } from 'zod';
import { getRun, type RunRecord } from '@datasync/runs';
import { NotFoundError, parseOr400 } from '../errors';
import type { Route } from '../route';
import { errorSchema, runIdSchema, runSchema } from './schemas';

const params = z.object({ id: runIdSchema });

/** A run as the API shows it: no checkpoint internals, times as ISO text, its duration. */
export function presentRun(run: RunRecord) {
  const end = run.finishedAt ?? (run.state === 'running' ? new Date() : null);
  return {
    id: run.id,
    source: run.source,
    jobName: run.jobName,
    params: run.params,
    state: run.state,
    progress: run.progress,
    counts: run.counts,
    error: run.error,
    attempts: run.attempts,
    worker: run.worker,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.startedAt && end ? end.getTime() - run.startedAt.getTime() : null,
  };
}

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
