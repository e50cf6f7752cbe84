import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import { parseOr400 } from '../errors';
import type { Route } from '../route';
import { errorSchema, submittedSchema } from './schemas';

const body = z.object({}).strict();

export const postDatawizSync: Route = {
  method: 'post',
  path: '/api/datawiz/sync',
  summary: 'Sync Datawiz promotions, shops and products (follow the run with GET /api/runs/{id})',
  tag: 'datawiz',
  body,
  responses: {
    200: { description: 'Run queued (or the sync already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    parseOr400(body, input.body ?? {});
    const { runId } = await submitRun(deps, 'datawiz', 'datawiz.sync', {});
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
