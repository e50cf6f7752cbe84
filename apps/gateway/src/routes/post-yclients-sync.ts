import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import { parseOr400 } from '../errors';
import type { Route } from '../route';
import { errorSchema, notifyDoc, submittedSchema, takeNotify } from './schemas';

const body = z.strictObject({
  companyId: z.number().int('must be an integer').positive('must be positive'),
});

export const postYclientsSync: Route = {
  method: 'post',
  path: '/api/yclients/sync',
  summary: 'Export a YClients company (staff, services, clients, records, transactions) into Postgres, incrementally',
  tag: 'yclients',
  body: body.extend(notifyDoc),
  responses: {
    200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    const { notify, rest } = takeNotify(input.body, deps);
    const { companyId } = parseOr400(body, rest ?? {});
    const { runId } = await submitRun(deps, 'yclients', 'yclients.sync', { companyId }, { notify });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
