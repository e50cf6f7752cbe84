import { z } from 'zod';
import { listReturns } from '@datasync/stock-ledger';
import { errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { limitSchema, marketplaceSchema, returnSchema, sinceSchema } from './marketplace-schemas';

const query = z.object({
  marketplace: marketplaceSchema.optional(),
  sku: z.string().min(1).max(255).optional(),
  restocked: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  since: sinceSchema.optional(),
  limit: limitSchema(500, 100),
});

export const listMarketplaceReturns: Route = {
  method: 'get',
  path: '/api/marketplaces/returns',
  summary: 'Returned lines from every marketplace, and whether they were restocked',
  tag: 'marketplaces',
  query,
  responses: {
    200: { description: 'Returns', schema: z.object({ returns: z.array(returnSchema) }) },
    400: { description: 'Invalid filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(query, input.query);
    return { body: { returns: await listReturns(deps.pool, q) } };
  },
};
