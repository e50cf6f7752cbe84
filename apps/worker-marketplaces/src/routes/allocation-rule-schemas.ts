import { z } from 'zod';
import { marketplaceSchema } from './marketplace-schemas';

/** Shared pieces of the allocation rules routes (README "Stock allocation rules"). */

const MAX_UNITS = 1_000_000_000;
/** Weights stay small so pool × weight stays an exact integer in the split (see allocate.ts). */
const MAX_WEIGHT = 1_000_000;

const units = (max: number) =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);

const scopeFields = {
  sku: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters').nullish(),
  marketplace: marketplaceSchema.nullish(),
  warehouseId: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .nullish(),
};

const needsMarketplace = (b: { sku?: string | null; marketplace?: string | null; warehouseId?: string | null }) =>
  b.marketplace != null || (b.sku == null && b.warehouseId == null);
const needsMarketplaceIssue = { message: 'is required when sku or warehouseId is given', path: ['marketplace'] };

/** `PUT /api/marketplaces/rules`: one rule, every setting of its scope (a setting left out is cleared). */
export const ruleBody = z
  .strictObject({
    ...scopeFields,
    bufferUnits: units(MAX_UNITS).nullish(),
    bufferPercent: units(100).nullish(),
    cap: units(MAX_UNITS).nullish(),
    excluded: z.boolean({ error: 'must be true or false' }).nullish(),
    weight: units(MAX_WEIGHT).nullish(),
  })
  .refine(needsMarketplace, needsMarketplaceIssue)
  .refine((b) => b.bufferUnits == null || b.bufferPercent == null, {
    message: 'give at most one of bufferUnits and bufferPercent',
    path: ['bufferPercent'],
  })
  .refine((b) => b.warehouseId == null || (b.bufferUnits == null && b.bufferPercent == null), {
    message: 'a buffer is kept back from the whole pool of a marketplace: set it on a rule without warehouseId',
    path: ['warehouseId'],
  })
  .refine((b) => [b.bufferUnits, b.bufferPercent, b.cap, b.excluded, b.weight].some((v) => v != null), {
    message: 'set at least one of bufferUnits, bufferPercent, cap, excluded, weight',
    path: ['(request)'],
  });

/** `DELETE /api/marketplaces/rules?…`: the scope of the rule to remove (a field left out means "every"). */
export const ruleScopeQuery = z.strictObject(scopeFields).refine(needsMarketplace, needsMarketplaceIssue);

export const ruleListQuery = z.strictObject({ sku: scopeFields.sku, marketplace: marketplaceSchema.optional() });

const scope = z.object({ sku: z.string().nullable(), marketplace: z.string().nullable(), warehouseId: z.string().nullable() });

export const ruleSchema = scope.extend({
  bufferUnits: z.number().int().nullable(),
  bufferPercent: z.number().int().nullable(),
  cap: z.number().int().nullable(),
  excluded: z.boolean().nullable(),
  weight: z.number().int().nullable(),
  updatedAt: z.string(),
});

/** Per marketplace, how a product's available stock is split (`GET /api/marketplaces/products`). */
export const productAllocationSchema = z.object({
  marketplace: z.string(),
  connectionId: z.string().describe('the seller cabinet (connection) whose warehouses share the pool'),
  available: z.number().int(),
  buffer: z.number().int().describe('units kept back from available'),
  pool: z.number().int().describe('available − buffer: what the warehouses share'),
  weighted: z.boolean().describe('true: the pool was split by weight; false: every warehouse not excluded gets the pool'),
  bufferRule: scope.nullable().describe('the rule the buffer came from'),
  warehouses: z.array(
    z.object({
      warehouseId: z.string(),
      value: z.number().int().describe('what this warehouse is told (before the marketplace maximum)'),
      weight: z.number().int().nullable(),
      cap: z.number().int().nullable(),
      excluded: z.boolean(),
      rules: z.array(scope).describe('the rules that apply here, most specific first; each setting comes from the first that sets it'),
    }),
  ),
});
