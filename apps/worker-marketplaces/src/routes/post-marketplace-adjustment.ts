import { z } from 'zod';
import { requestPushEverywhere } from '../push-everywhere';
import { adjustStock, findProduct, StockAboveLimitError, StockBelowZeroError } from '@datasync/stock-ledger';
import { ApiError, errorSchema, InvalidRequestError, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { productSchema, skuParam, presentProduct } from './marketplace-schemas';

const LIMIT = 1_000_000;
const body = z
  .object({
    delta: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(-LIMIT, `must be at least -${LIMIT}`)
      .max(LIMIT, `must be at most ${LIMIT}`)
      .optional(),
    onHand: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must not be negative')
      .max(LIMIT, `must be at most ${LIMIT}`)
      .optional(),
    reason: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  })
  .refine((b) => (b.delta === undefined) !== (b.onHand === undefined), {
    message: 'give exactly one of delta (units to add or remove) or onHand (the counted stock)',
    path: ['delta'],
  })
  .refine((b) => b.delta !== 0, { message: 'must not be 0', path: ['delta'] });

export const postMarketplaceAdjustment: Route = {
  method: 'post',
  path: '/api/marketplaces/products/:sku/adjustments',
  summary: 'Change on-hand stock by hand (delta, or a counted onHand) with a reason: one ledger movement, then a push to every marketplace',
  tag: 'marketplaces',
  params: skuParam,
  body,
  responses: {
    200: {
      description: 'The product after the movement, and the push run',
      schema: z.object({ status: z.literal('ok'), product: productSchema, parser_uuid: z.string().uuid() }),
    },
    400: { description: 'Invalid input, or a delta that would take on hand past 2,147,483,647; nothing was changed', schema: errorSchema },
    404: { description: 'No such SKU', schema: errorSchema },
    409: { description: 'The change would leave less than nothing on hand; nothing was changed', schema: errorSchema },
  },
  async handle(input, deps) {
    const { sku } = parseOr400(skuParam, input.params);
    const b = parseOr400(body, input.body ?? {});
    const product = await findProduct(deps.pool, sku);
    if (!product) throw new NotFoundError(`no product ${sku}`);
    try {
      await adjustStock(deps.pool, { productId: product.id, delta: b.delta, onHand: b.onHand, reason: b.reason });
    } catch (err) {
      if (err instanceof StockBelowZeroError) throw new ApiError(409, 'stock_below_zero', `${sku}: ${err.message}; nothing was changed`);
      if (err instanceof StockAboveLimitError)
        throw new InvalidRequestError([{ field: 'delta', message: `${err.message}; nothing was changed` }]);
      throw err;
    }
    // The movement is stored: its push is DataSync's own follow-up (as after a poll), not held to the queue quota.
    // Every connected cabinet sells from this one ledger: each is pushed (the environment's run id is answered).
    const [runId] = await requestPushEverywhere({ pool: deps.pool, queues: deps.queues });
    const { id: _id, ...after } = (await findProduct(deps.pool, sku))!;
    return { body: { status: 'ok', product: presentProduct(after), parser_uuid: runId } };
  },
};
