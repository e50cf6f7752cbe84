import { z } from 'zod';
import { findProduct, recentMovements } from '@datasync/stock-ledger';
import { errorSchema, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { movementSchema } from './get-marketplace-product';
import { limitSchema, skuParam } from './marketplace-schemas';

const query = z.object({
  limit: limitSchema(500, 100),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a movement id')
    .optional(),
});

export const listMarketplaceMovements: Route = {
  method: 'get',
  path: '/api/marketplaces/products/:sku/movements',
  summary:
    "A SKU's stock movements (the ledger: adjustments with their reason, reserves, releases, shipments, restocks), newest first; `before=<id>` pages back",
  tag: 'marketplaces',
  params: skuParam,
  query,
  responses: {
    200: { description: 'Movements, newest first', schema: z.object({ sku: z.string(), movements: z.array(movementSchema) }) },
    400: { description: 'Invalid filter', schema: errorSchema },
    404: { description: 'No such SKU', schema: errorSchema },
  },
  async handle(input, deps) {
    const { sku } = parseOr400(skuParam, input.params);
    const q = parseOr400(query, input.query);
    const product = await findProduct(deps.pool, sku);
    if (!product) throw new NotFoundError(`no product ${sku}`);
    return { body: { sku, movements: await recentMovements(deps.pool, product.id, q.limit, q.before) } };
  },
};
