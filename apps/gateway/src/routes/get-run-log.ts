import { z } from 'zod';
import { getRun, readRunLog } from '@datasync/runs';
import { errorSchema, NotFoundError, parseOr400, runIdSchema, type Route } from '@datasync/api-kit';

const params = z.object({ id: runIdSchema });

/** A run's own log lines (already redacted), so a failure can be read without shell access. */
export const getRunLog: Route = {
  method: 'get',
  path: '/api/runs/:id/log',
  summary: "A run's log lines, oldest first (the last RUN_LOG_MAX_LINES, kept RUN_LOG_TTL_DAYS)",
  tag: 'runs',
  params,
  responses: {
    200: {
      description: 'The log lines (pino JSON objects: time, level, msg and fields)',
      schema: z.object({ runId: z.string().uuid(), lines: z.array(z.unknown()) }),
    },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such run', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(params, input.params);
    const run = await getRun(deps.pool, id);
    if (!run) throw new NotFoundError(`no run ${id}`);
    return { body: { runId: id, lines: await readRunLog(deps.redis, deps.settings.redisPrefix, id) } };
  },
};
