import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import { parseOr400 } from '../errors';
import type { Route } from '../route';
import { errorSchema, notifyDoc, submittedSchema, takeNotify } from './schemas';

const body = z.object({}).strict();

export const postDatawizSync: Route = {
  method: 'post',
  path: '/api/datawiz/sync',
  summary: 'Sync Datawiz promotions, shops and products (follow the run with GET /api/runs/{id})',
  tag: 'datawiz',
  body: body.extend(notifyDoc),
  responses: {
    200: { description: 'Run queued (or the sync already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    const { notify, rest } = takeNotify(input.body, deps);
    parseOr400(body, rest ?? {});
    const { runId } = await submitRun(deps, 'datawiz', 'datawiz.sync', {}, { notify });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
