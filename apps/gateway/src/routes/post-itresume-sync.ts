import { itresumeSyncParams } from '@datasync/queues';
import { submitRun } from '@datasync/runs';
import { parseOr400 } from '../errors';
import type { Route } from '../route';
import { errorSchema, notifyDoc, submittedSchema, takeNotify } from './schemas';

/** Both dates are UTC calendar days, both included; one run loads them day by day. */
const body = itresumeSyncParams;

export const postItResumeSync: Route = {
  method: 'post',
  path: '/api/itresume/sync',
  summary: 'Load IT Resume attempts for a window of days (YYYY-MM-DD, both included, at most 92 days)',
  tag: 'itresume',
  body: body.extend(notifyDoc),
  responses: {
    200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    const { notify, rest } = takeNotify(input.body, deps);
    const params = parseOr400(body, rest ?? {});
    const { runId } = await submitRun(deps, 'itresume', 'itresume.sync', params, { notify });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
