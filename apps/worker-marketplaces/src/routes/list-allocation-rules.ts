import { z } from 'zod';
import { listAllocationRules } from '@datasync/stock-ledger';
import { errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { ruleListQuery, ruleSchema } from './allocation-rule-schemas';

export const listAllocationRulesRoute: Route = {
  method: 'get',
  path: '/api/marketplaces/rules',
  summary: 'Stock allocation rules (buffer, cap, exclusion, weight) per SKU × marketplace × warehouse, with their defaults',
  tag: 'marketplaces',
  query: ruleListQuery,
  responses: {
    200: {
      description: 'Rules by marketplace, SKU and warehouse; null in a scope field means every',
      schema: z.object({ rules: z.array(ruleSchema) }),
    },
    400: { description: 'Invalid filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(ruleListQuery, input.query);
    return { body: { rules: await listAllocationRules(deps.pool, { sku: q.sku ?? undefined, marketplace: q.marketplace }) } };
  },
};
