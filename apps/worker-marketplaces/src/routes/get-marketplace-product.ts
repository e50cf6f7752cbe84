import { z } from 'zod';
import { findProduct, recentMovements } from '@datasync/stock-ledger';
import { errorSchema, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { includeDeletedSchema, productSchema, skuParam, presentProduct } from './marketplace-schemas';

const query = z.object({ includeDeleted: includeDeletedSchema });

export const movementSchema = z.object({
  id: z.string(),
  kind: z.string(),
  onHandDelta: z.number(),
  reservedDelta: z.number(),
  marketplace: z.string().nullable(),
  orderId: z.string().nullable(),
  returnId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
});

export const getMarketplaceProduct: Route = {
  method: 'get',
  path: '/api/marketplaces/products/:sku',
  summary: 'One product: stock, what each marketplace was last told (with per-item push errors), and its latest ledger movements',
  tag: 'marketplaces',
  params: skuParam,
  query,
  responses: {
    200: { description: 'The product', schema: productSchema.extend({ movements: z.array(movementSchema) }) },
    400: { description: 'Malformed SKU (e.g. a NUL character)', schema: errorSchema },
    404: { description: 'No such SKU (or it is deleted, without includeDeleted=true)', schema: errorSchema },
  },
  async handle(input, deps) {
    const { sku } = parseOr400(skuParam, input.params);
    const { includeDeleted = false } = parseOr400(query, input.query);
    const product = await findProduct(deps.pool, sku, includeDeleted);
    if (!product || (product.deletedAt !== null && !includeDeleted))
      throw new NotFoundError(`no product ${sku}${product ? ' (deleted upstream; includeDeleted=true shows it)' : ''}`);
    const { id, ...shown } = product;
    return { body: { ...presentProduct(shown), movements: await recentMovements(deps.pool, id) } };
  },
};
