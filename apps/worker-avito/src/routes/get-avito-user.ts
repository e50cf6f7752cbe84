import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import {
  errorSchema,
  parseOr400,
  queryConnectionDoc,
  queryNotifyDoc,
  submittedSchema,
  takeQueryConnection,
  takeQueryNotify,
  type Route,
} from '@datasync/api-kit';

const query = z.object({
  user: z
    .string({ error: 'is required' })
    .regex(/^[0-9a-fA-F]{32}$/, 'must be the 32 hex characters of the seller hash from the profile URL'),
});
const queryDoc = query.extend(queryNotifyDoc).extend(queryConnectionDoc);

export const getAvitoUser: Route = {
  method: 'get',
  path: '/api/avito/user',
  summary: "Sync a seller's listings by the user hash of their profile URL",
  tag: 'avito',
  query: queryDoc,
  responses: {
    200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    const { user } = parseOr400(query, input.query);
    const notify = takeQueryNotify(input.query, deps);
    const { runId } = await submitRun(
      deps,
      'avito',
      'avito.user',
      { user: user.toLowerCase() },
      { notify, ...takeQueryConnection(input.query) },
    );
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
