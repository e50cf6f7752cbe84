import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import {
  errorSchema,
  parseOr400,
  queryConnectionDoc,
  queryId,
  queryNotifyDoc,
  submittedSchema,
  takeQueryConnection,
  takeQueryNotify,
  type Route,
} from '@datasync/api-kit';

export const ALL_RUSSIA = 621540;
export const COMMERCIAL_REAL_ESTATE = 42;

const query = z
  .object({
    search: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    locationId: queryId('locationId').optional(),
    categoryId: queryId('categoryId').optional(),
    /** The misspelling existing clients send; an alias of categoryId. */
    catedotyId: queryId('catedotyId').optional(),
  })
  .refine((q) => q.categoryId === undefined || q.catedotyId === undefined || q.categoryId === q.catedotyId, {
    message: 'categoryId and its alias catedotyId disagree',
    path: ['categoryId'],
  });

export const getAvitoRegion: Route = {
  method: 'get',
  path: '/api/avito/region',
  summary: 'Sync a region search (text, location, category)',
  tag: 'avito',
  query: z.object({ ...(query as unknown as z.ZodObject).shape, ...queryNotifyDoc, ...queryConnectionDoc }),
  responses: {
    200: { description: 'Run queued (or the identical run already queued or running)', schema: submittedSchema },
    400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(query, input.query);
    const notify = takeQueryNotify(input.query, deps);
    const { runId } = await submitRun(
      deps,
      'avito',
      'avito.region',
      {
        search: q.search,
        locationId: q.locationId ?? ALL_RUSSIA,
        categoryId: q.categoryId ?? q.catedotyId ?? COMMERCIAL_REAL_ESTATE,
      },
      { notify, ...takeQueryConnection(input.query) },
    );
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
