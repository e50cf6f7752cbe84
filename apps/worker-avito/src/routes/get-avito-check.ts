import { z } from 'zod';
import { getRun } from '@datasync/runs';
import { deletedFilter, fieldErrors, includeDeletedQuery, runIdSchema, safeParseInput, type Route } from '@datasync/api-kit';

// Listings a later complete pass of the seller marked deleted are left out unless `includeDeleted=true`.
const query = z.object({ uuid: runIdSchema, includeDeleted: includeDeletedQuery });

const checkSchema = z.object({
  status: z.enum(['In progress', 'Done', 'Failed', 'Bad request']),
  result: z.record(z.string(), z.object({ name: z.string(), avito_id: z.string() })).optional(),
  error: z.string().optional(),
  progress: z.record(z.string(), z.unknown()).optional(),
});

/** Status of an Avito run in the contract existing clients poll. */
export const getAvitoCheck: Route = {
  method: 'get',
  path: '/api/avito/check',
  summary: 'Poll an Avito run: In progress, Done with every listing found, or Failed',
  tag: 'avito',
  query,
  responses: {
    200: { description: 'The run exists', schema: checkSchema },
    400: { description: 'Malformed or unknown uuid', schema: checkSchema },
  },
  async handle(input, deps) {
    const parsed = safeParseInput(query, input.query);
    if (!parsed.success) return { status: 400, body: { status: 'Bad request', errors: fieldErrors(parsed.error) } };
    const run = await getRun(deps.pool, parsed.data.uuid);
    if (!run || run.source !== 'avito') {
      return { status: 400, body: { status: 'Bad request', errors: [{ field: 'uuid', message: 'no Avito run has this id' }] } };
    }
    if (run.state === 'queued' || run.state === 'running') return { body: { status: 'In progress', progress: run.progress } };
    if (run.state === 'failed') return { body: { status: 'Failed', error: run.error ?? 'the run failed' } };
    const { rows } = await deps.pool.query<{ id: string; title: string; avito_id: string }>({
      text: `SELECT i.id, i.title, i.avito_id::text AS avito_id FROM avito_run_items r JOIN avito_items i ON i.id = r.item_id
             WHERE r.run_id = $1 AND ${deletedFilter(parsed.data.includeDeleted, 'i.')} ORDER BY r.position`,
      values: [run.id],
    });
    const result: Record<string, { name: string; avito_id: string }> = {};
    for (const row of rows) result[row.id] = { name: row.title, avito_id: row.avito_id };
    return { body: { status: 'Done', result } };
  },
};
