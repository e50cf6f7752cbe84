import { z } from 'zod';
import { MARKETPLACES } from '@datasync/queues';
import type { ProductView } from '@datasync/stock-ledger';
import { completeIds, LISTINGS } from '../listings';

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
  connection: z.string().nullable().describe('the seller cabinet (connection name; env for the environment credentials) that said it'),
  warehouseId: z.string(),
  pushedValue: z.number().int().nullable(),
  pushedAt: z.string().nullable(),
  clampedFrom: z
    .number()
    .int()
    .nullable()
    .describe('the wanted stock when it is above what this marketplace takes (it was told its maximum); null otherwise'),
  error: z
    .object({
      code: z.string(),
      message: z.string().nullable(),
      value: z.number().nullable(),
      retryable: z.boolean(),
      attempts: z.number(),
      nextRetryAt: z.string().nullable(),
    })
    .nullable(),
});

export const productSchema = z.object({
  sku: z.string(),
  name: z.string(),
  barcode: z.string().nullable(),
  ids: z
    .object(
      Object.fromEntries(
        MARKETPLACES.map((m) => [m, z.object(Object.fromEntries(LISTINGS[m].fields.map((f) => [f, z.string().nullable()])))]),
      ),
    )
    .describe("each marketplace's ids of the product (its connector's listing fields), null where it has no listing there"),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  counted: z.boolean(),
  pushes: z.array(pushState),
  deletedAt: z
    .string()
    .nullable()
    .describe('when a complete catalogue read left none of its listings live (shown with includeDeleted=true); null: live'),
});

/** `?includeDeleted=true` also shows products a complete catalogue read no longer saw. */
export const includeDeletedSchema = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true')
  .optional();

/**
 * A product as the API shows it: `ids` has every field of every marketplace (its connector's
 * listing fields), null where unknown; each pushed value says `clampedFrom` when the available stock
 * is above what that marketplace takes (it was told its `stockMax`).
 */
export const presentProduct = <P extends Pick<ProductView, 'ids' | 'pushes' | 'available'>>(product: P) => ({
  ...product,
  ids: Object.fromEntries(MARKETPLACES.map((m) => [m, completeIds(LISTINGS[m], product.ids[m])])),
  pushes: product.pushes.map((p) => {
    const max = (LISTINGS as Record<string, { stockMax: number } | undefined>)[p.marketplace]?.stockMax;
    return { ...p, clampedFrom: max !== undefined && product.available > max ? product.available : null };
  }),
});

export const orderSchema = z.object({
  marketplace: z.string(),
  connection: z.string().nullable().describe('the seller cabinet (connection name; env for the environment credentials) that said it'),
  orderId: z.string(),
  status: z.string(),
  substatus: z.string().nullable(),
  stage: z.string(),
  warehouseId: z.string().nullable(),
  createdAt: z.string().nullable(),
  changedAt: z.string().nullable(),
  items: z.array(
    z.object({ lineId: z.string(), sku: z.string().nullable(), marketplaceSku: z.string(), quantity: z.number(), ledgerState: z.string() }),
  ),
});

export const returnSchema = z.object({
  marketplace: z.string(),
  connection: z.string().nullable().describe('the seller cabinet (connection name; env for the environment credentials) that said it'),
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
