import { z } from 'zod';
import { submitRun, type JobDeclaration } from '@datasync/runs';
import { parseOr400 } from './errors';
import type { Route } from './route';
import { errorSchema, notifyDoc, submittedSchema, takeNotify } from './schemas';
import { connectionDoc, takeConnection } from './connection';

/**
 * `POST <route.path>` for a job of a source: the body is the job's parameters (unknown fields
 * refused) plus an optional `notify` and an optional `connectionId` (the account to sync); answers `{status: 'ok', parser_uuid}` with the run id (the
 * identical run's, when one is already queued or running).
 */
export function syncRoute(
  source: { name: string },
  jobName: string,
  job: JobDeclaration & { route: NonNullable<JobDeclaration['route']> },
): Route {
  const body = job.params instanceof z.ZodObject ? job.params.strict() : job.params;
  return {
    method: 'post',
    path: job.route.path,
    summary: job.route.summary,
    tag: source.name,
    body: body instanceof z.ZodObject ? body.extend(notifyDoc).extend(connectionDoc) : body,
    responses: {
      200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
      400: { description: 'Invalid input (or a connectionId that is not a connection of the source); nothing was queued', schema: errorSchema },
    },
    async handle(input, deps) {
      const { connectionId, rest: withoutConnection } = takeConnection(input.body);
      const { notify, rest } = takeNotify(withoutConnection, deps);
      const params = parseOr400(body, rest ?? {});
      const { runId } = await submitRun(deps, source.name, jobName, params, { notify, connectionId });
      return { body: { status: 'ok', parser_uuid: runId } };
    },
  };
}

/** The `syncRoute` of every job of `source` that declares a route. */
export function syncRoutes(source: { name: string; jobs: Readonly<Record<string, JobDeclaration>> }): Route[] {
  return Object.entries(source.jobs).flatMap(([name, job]) => (job.route ? [syncRoute(source, name, { ...job, route: job.route })] : []));
}
