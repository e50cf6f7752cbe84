import { z } from 'zod';
import type { JobDeclaration } from '@datasync/runs';
import { parseOr400 } from './errors';
import type { Route } from './route';
import { errorSchema, notifyDoc, submittedSchema, takeNotify } from './schemas';
import { runOptionsDoc, startRun, takeRunOptions } from './start-run';
import { connectionDoc, takeConnection } from './connection';

/**
 * `POST <route.path>` for a job of a source: the body is the job's parameters (unknown fields
 * refused) plus optional `notify`, `resync` and `backfill` (start-run.ts) and `connectionId` (the account to sync); answers `{status: 'ok', parser_uuid}` with the run id (the
 * identical run's, when one is already queued or running).
 */
export function syncRoute(
  source: { name: string },
  jobName: string,
  job: JobDeclaration & { route: NonNullable<JobDeclaration['route']> },
): Route {
  // A backfill job takes any window here (a long one is cut into child runs); its job schema keeps the limit.
  const params = job.backfill?.params ?? job.params;
  const body = params instanceof z.ZodObject ? params.strict() : params;
  return {
    method: 'post',
    path: job.route.path,
    summary: job.route.summary,
    tag: source.name,
    body: body instanceof z.ZodObject ? body.extend({ ...notifyDoc, ...runOptionsDoc }).extend(connectionDoc) : body,
    responses: {
      200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
      400: {
        description: 'Invalid input (or a connectionId that is not a connection of the source); nothing was queued',
        schema: errorSchema,
      },
    },
    async handle(input, deps) {
      const { connectionId, rest: withoutConnection } = takeConnection(input.body);
      const { notify, rest } = takeNotify(withoutConnection, deps);
      const { options, rest: own } = takeRunOptions(rest);
      const params = parseOr400(body, own ?? {});
      const { runId } = await startRun(deps, source.name, jobName, params, { ...options, notify, connectionId });
      return { body: { status: 'ok', parser_uuid: runId } };
    },
  };
}

/** The `syncRoute` of every job of `source` that declares a route. */
export function syncRoutes(source: { name: string; jobs: Readonly<Record<string, JobDeclaration>> }): Route[] {
  return Object.entries(source.jobs).flatMap(([name, job]) => (job.route ? [syncRoute(source, name, { ...job, route: job.route })] : []));
}
