import { z } from 'zod';
import { notifyTarget } from '@datasync/queues';
import { catalog } from '@datasync/sources';
import { connectionIdField } from '@datasync/runs';
import {
  assertDeliverable,
  errorSchema,
  fieldErrors,
  InvalidRequestError,
  parseOr400,
  requestParamsOf,
  runOptionsDoc,
  safeParseInput,
  startRun,
  submittedSchema,
  type Route,
} from '@datasync/api-kit';

const body = z
  .object({
    source: z.enum(catalog.names as [string, ...string[]], { error: `must be one of: ${catalog.names.join(', ')}` }),
    /** The job of the source (`<source>.<verb>`); may be left out when the source has one job. */
    job: z.string().optional(),
    params: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({}),
    notify: notifyTarget.optional(),
    ...runOptionsDoc,
    /** The connection (account) to sync; the environment connection when left out. */
    connectionId: connectionIdField,
  })
  .strict();

/**
 * Any sync of the catalog by source and job name, with its parameters checked by the catalog's
 * schema: what the command line and other generic clients use. A new source is here at once.
 */
export const postRun: Route = {
  method: 'post',
  path: '/api/runs',
  summary:
    'Start a run of any source: {source, job?, params, notify?, resync?, backfill?, connectionId?} (parameters as the job schema of the catalog)',
  tag: 'runs',
  body,
  responses: {
    200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    const b = parseOr400(body, input.body ?? {});
    assertDeliverable(b.notify, deps, 'notify.email');
    const job = b.job ?? deps.queues.catalog.defaultJobName(b.source);
    const jobs = deps.queues.catalog.jobNames(b.source);
    if (!job || !jobs.includes(job)) throw new InvalidRequestError([{ field: 'job', message: `must be one of: ${jobs.join(', ')}` }]);
    const params = safeParseInput(requestParamsOf(deps, b.source, job)!, b.params);
    if (!params.success) {
      // Every problem at once, unknown fields by name (a misspelt field and the missing one).
      throw new InvalidRequestError(
        fieldErrors(params.error).map((e) => ({ ...e, field: e.field === '(request)' ? 'params' : `params.${e.field}` })),
      );
    }
    const { runId } = await startRun(deps, b.source, job, params.data, {
      notify: b.notify ? [b.notify] : undefined,
      resync: b.resync,
      backfill: b.backfill,
      connectionId: b.connectionId,
    });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
