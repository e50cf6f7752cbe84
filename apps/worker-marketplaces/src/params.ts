import { z } from 'zod';
import { MARKETPLACES } from '@datasync/queues';

const marketplace = z.enum(MARKETPLACES, { error: `must be one of: ${MARKETPLACES.join(', ')}` });

export const marketplacePollParams = z.object({
  marketplace,
  /** orders (with reserves) or returns; both when left out. */
  kind: z.enum(['orders', 'returns'], { error: 'must be orders or returns' }).optional(),
});
export const marketplacePushParams = z.object({
  /** Only this marketplace; every one when left out. */
  marketplace: marketplace.optional(),
});

/** The targeted poll after pushed events: the marketplace whose pending events of the run's connection are read. */
export const marketplacePushedParams = z.object({
  marketplace: z.enum(['ozon', 'ym'], { error: 'must be ozon or ym (the marketplaces that push)' }),
});
