import { z } from 'zod';
import { listProducts, productAllocations } from '@datasync/stock-ledger';
import { errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { productAllocationSchema } from './allocation-rule-schemas';
import { fboStockSchema, productFboStocks } from './fbo-stock-view';
import { includeDeletedSchema, limitSchema, productSchema, presentProduct } from './marketplace-schemas';

const query = z.object({
  search: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  counted: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  includeDeleted: includeDeletedSchema,
  limit: limitSchema(500, 100),
  offset: z
    .string()
    .regex(/^\d{1,7}$/, 'must be a whole number')
    .transform(Number)
    .default(0),
});

export const listMarketplaceProducts: Route = {
  method: 'get',
  path: '/api/marketplaces/products',
  summary: 'Products (internal SKUs) with on-hand, reserved and available stock, and what each marketplace warehouse was last told',
  tag: 'marketplaces',
  query,
  responses: {
    200: {
      description: 'Products by SKU',
      schema: z.object({
        total: z.number(),
        products: z.array(
          productSchema.extend({
            allocation: z.array(productAllocationSchema),
            fbo: z
              .array(fboStockSchema)
              .describe(
                "stock the marketplaces hold in their own warehouses (FBO/FBY), per cabinet and warehouse: shown, never pushed, not in 'available'",
              ),
          }),
        ),
      }),
    },
    400: { description: 'Invalid filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(query, input.query);
    const { total, products } = await listProducts(deps.pool, q);
    // Per marketplace: the pool, the rule that applied and what each warehouse gets (README "Stock allocation rules").
    const allocation = await productAllocations(
      deps.pool,
      products.map((p) => p.sku),
    );
    // Per cabinet and marketplace-held warehouse: what the last FBO read saw (README "FBO stock").
    const fbo = await productFboStocks(
      deps.pool,
      products.map((p) => p.sku),
    );
    return {
      body: {
        total,
        products: products.map((p) => ({ ...presentProduct(p), allocation: allocation.get(p.sku) ?? [], fbo: fbo.get(p.sku) ?? [] })),
      },
    };
  },
};
