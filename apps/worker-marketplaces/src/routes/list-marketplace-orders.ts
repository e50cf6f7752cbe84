import { z } from 'zod';
import { listOrders } from '@datasync/stock-ledger';
import { errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { limitSchema, marketplaceSchema, orderSchema, sinceSchema } from './marketplace-schemas';

const STAGES = ['reserved', 'shipped', 'cancelled', 'cancelled_after_ship', 'other'] as const;
const query = z.object({
  marketplace: marketplaceSchema.optional(),
  stage: z.enum(STAGES, { error: `must be one of: ${STAGES.join(', ')}` }).optional(),
  sku: z.string().min(1).max(255).optional(),
  since: sinceSchema.optional(),
  limit: limitSchema(500, 100),
});
const reservesQuery = query.omit({ stage: true });

export const listMarketplaceOrders: Route = {
  method: 'get',
  path: '/api/marketplaces/orders',
  summary: 'Marketplace orders (Ozon postings, WB assembly tasks, YM orders) with their lines, newest change first',
  tag: 'marketplaces',
  query,
  responses: {
    200: { description: 'Orders', schema: z.object({ orders: z.array(orderSchema) }) },
    400: { description: 'Invalid filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(query, input.query);
    return { body: { orders: await listOrders(deps.pool, q) } };
  },
};

export const listMarketplaceReserves: Route = {
  method: 'get',
  path: '/api/marketplaces/reserves',
  summary: 'Reserves: orders waiting to be packed or shipped, whose units are held in the ledger',
  tag: 'marketplaces',
  query: reservesQuery,
  responses: {
    200: { description: 'Open orders', schema: z.object({ orders: z.array(orderSchema) }) },
    400: { description: 'Invalid filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(reservesQuery, input.query);
    return { body: { orders: await listOrders(deps.pool, { ...q, stage: 'reserved' }) } };
  },
};
