import { z } from 'zod';
import { listWarehouses } from '@datasync/stock-ledger';
import { type Route } from '@datasync/api-kit';

export const warehouseSchema = z.object({
  marketplace: z.string(),
  /** The seller cabinet (connection name; env for the environment credentials) the warehouse belongs to. */
  connection: z.string().nullable(),
  warehouseId: z.string(),
  name: z.string(),
  active: z.boolean(),
});

export const listMarketplaceWarehouses: Route = {
  method: 'get',
  path: '/api/marketplaces/warehouses',
  summary: 'The marketplace warehouses stock is pushed to (active) or not (inactive), with their names, as read from each marketplace',
  tag: 'marketplaces',
  responses: { 200: { description: 'Warehouses by marketplace', schema: z.object({ warehouses: z.array(warehouseSchema) }) } },
  async handle(_input, deps) {
    return { body: { warehouses: await listWarehouses(deps.pool) } };
  },
};
