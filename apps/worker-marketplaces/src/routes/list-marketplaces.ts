import { z } from 'zod';
import { type Route } from '@datasync/api-kit';
import { MARKETPLACES } from '@datasync/queues';
import { LISTINGS } from '../listings';

export const marketplaceSchema = z.object({ id: z.string(), name: z.string() });

/** The marketplaces DataSync serves, so that readers such as the stock page need no list of their own. */
export const listMarketplaces: Route = {
  method: 'get',
  path: '/api/marketplaces',
  summary: 'The marketplaces stock is pushed to, by id with their display names, in a stable order',
  tag: 'marketplaces',
  responses: { 200: { description: 'Every marketplace', schema: z.object({ marketplaces: z.array(marketplaceSchema) }) } },
  async handle() {
    return { body: { marketplaces: MARKETPLACES.map((id) => ({ id, name: LISTINGS[id].displayName })) } };
  },
};
