import { z } from 'zod';
import { retryRun, RunNotFoundError, RunNotRetryableError } from '@datasync/runs';
import { ApiError, errorSchema, NotFoundError, parseOr400, runIdSchema, type Route } from '@datasync/api-kit';

const params = z.object({ id: runIdSchema });

const retriedSchema = z.object({
  status: z.literal('ok'),
  parser_uuid: z.string().uuid(),
  /** The runs put back in the queue: the run itself, or a backfill parent's failed chunks. */
  requeued: z.array(z.string().uuid()),
});

/**
 * Replay: a failed run goes back in the queue under the same id and resumes from its checkpoint
 * (`packages/runs/src/retry.ts`); a backfill's chunk is retried alone and its parent waits again.
 */
export const postRunRetry: Route = {
  method: 'post',
  path: '/api/runs/:id/retry',
  summary: 'Retry a failed run from its checkpoint (same run id); a backfill chunk alone, its parent waiting again',
  tag: 'runs',
  params,
  responses: {
    200: { description: 'Queued again', schema: retriedSchema },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such run', schema: errorSchema },
    409: {
      description: 'The run is not failed (queued, running or done), or an identical run holds its place; nothing queued',
      schema: errorSchema,
    },
  },
  async handle(input, deps) {
    const { id } = parseOr400(params, input.params);
    try {
      const { runId, requeued } = await retryRun(deps, id);
      return { body: { status: 'ok', parser_uuid: runId, requeued } };
    } catch (err) {
      if (err instanceof RunNotFoundError) throw new NotFoundError(err.message);
      if (err instanceof RunNotRetryableError) throw new ApiError(409, 'not_retryable', err.message, undefined, 'conflict');
      throw err;
    }
  },
};
