import { z } from 'zod';
import { MARKETPLACES } from '@datasync/queues';

const marketplace = z.enum(MARKETPLACES, { error: `must be one of: ${MARKETPLACES.join(', ')}` });

export const marketplacePollParams = z.object({
  marketplace,
  /**
   * orders (with reserves), returns, or fbo (only the stock the marketplace holds in its own
   * warehouses, read now); orders and returns when left out, plus the FBO stock when it is due.
   */
  kind: z.enum(['orders', 'returns', 'fbo'], { error: 'must be orders, returns or fbo' }).optional(),
});
export const marketplacePushParams = z.object({
  /** Only this marketplace; every one when left out. */
  marketplace: marketplace.optional(),
});

/** The targeted poll after pushed events: the marketplace whose pending events of the run's connection are read. */
export const marketplacePushedParams = z.object({
  marketplace: z.enum(['ozon', 'ym'], { error: 'must be ozon or ym (the marketplaces that push)' }),
});
