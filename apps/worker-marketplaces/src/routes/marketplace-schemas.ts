import { z } from 'zod';
import { MARKETPLACES } from '@datasync/queues';

/** Shared pieces of the marketplaces routes. */
export const marketplaceSchema = z.enum(MARKETPLACES, { error: `must be one of: ${MARKETPLACES.join(', ')}` });

export const limitSchema = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d{1,5}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`))
    .default(dflt);

export const sinceSchema = z.iso.datetime({ offset: true, error: 'must be an ISO date-time' }).transform((v) => new Date(v));

export const skuParam = z.object({ sku: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters') });

const pushState = z.object({
  marketplace: z.string(),
  warehouseId: z.string(),
  pushedValue: z.number().int().nullable(),
  pushedAt: z.string().nullable(),
  clampedFrom: z.number().int().nullable().describe('the wanted stock when it is above what this marketplace takes (it was told its maximum); null otherwise'),
  error: z
    .object({ code: z.string(), message: z.string().nullable(), value: z.number().nullable(), retryable: z.boolean(), attempts: z.number(), nextRetryAt: z.string().nullable() })
    .nullable(),
});

export const productSchema = z.object({
  sku: z.string(),
  name: z.string(),
  barcode: z.string().nullable(),
  ids: z.object({
    ozon: z.object({ offerId: z.string().nullable(), productId: z.string().nullable(), sku: z.string().nullable() }),
    wb: z.object({ nmId: z.string().nullable(), chrtId: z.string().nullable(), barcode: z.string().nullable(), vendorCode: z.string().nullable() }),
    ym: z.object({ offerId: z.string().nullable(), marketSku: z.string().nullable() }),
  }),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  counted: z.boolean(),
  pushes: z.array(pushState),
});

export const orderSchema = z.object({
  marketplace: z.string(),
  orderId: z.string(),
  status: z.string(),
  substatus: z.string().nullable(),
  stage: z.string(),
  warehouseId: z.string().nullable(),
  createdAt: z.string().nullable(),
  changedAt: z.string().nullable(),
  items: z.array(z.object({ lineId: z.string(), sku: z.string().nullable(), marketplaceSku: z.string(), quantity: z.number(), ledgerState: z.string() })),
});

export const returnSchema = z.object({
  marketplace: z.string(),
  returnId: z.string(),
  lineId: z.string(),
  orderId: z.string().nullable(),
  sku: z.string().nullable(),
  marketplaceSku: z.string(),
  quantity: z.number(),
  status: z.string(),
  restocked: z.boolean(),
  createdAt: z.string().nullable(),
  changedAt: z.string().nullable(),
});
