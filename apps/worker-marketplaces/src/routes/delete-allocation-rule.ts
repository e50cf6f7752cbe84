import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import { deleteAllocationRule } from '@datasync/stock-ledger';
import { errorSchema, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { ruleScopeQuery } from './allocation-rule-schemas';

export const deleteAllocationRuleRoute: Route = {
  method: 'delete',
  path: '/api/marketplaces/rules',
  summary: 'Remove the stock allocation rule of one scope (query: sku, marketplace, warehouseId; one left out means every)',
  tag: 'marketplaces',
  query: ruleScopeQuery,
  responses: {
    200: {
      description: 'Removed; the next push applies what is left',
      schema: z.object({ status: z.literal('ok'), parser_uuid: z.string().uuid() }),
    },
    400: { description: 'Invalid scope', schema: errorSchema },
    404: { description: 'No rule has that scope', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(ruleScopeQuery, input.query);
    const scope = { sku: q.sku ?? null, marketplace: q.marketplace ?? null, warehouseId: q.warehouseId ?? null };
    if (!(await deleteAllocationRule(deps.pool, scope))) throw new NotFoundError(`no rule for ${JSON.stringify(scope)}`);
    // The rule changes what warehouses should be told: a push applies it now, not at the next interval.
    const { runId } = await submitRun({ pool: deps.pool, queues: deps.queues }, 'marketplaces', 'marketplaces.push', {});
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
