import { z } from 'zod';

/** Datawiz ids are strings; a number is read as its decimal text. */
const id = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));
const nullableId = z.union([id, z.null()]).optional().transform((v) => v ?? null);
const nullableText = z.string().nullable().optional().transform((v) => v ?? null);

export const shopSchema = z.object({
  shop_id: id,
  format_id: nullableId,
  group_id: nullableId,
  name: z.string(),
  address: nullableText,
  open_date: nullableText,
  latitude: z.union([z.string(), z.number()]).nullable().optional().transform((v) => (v == null ? null : String(v))),
  longitude: z.union([z.string(), z.number()]).nullable().optional().transform((v) => (v == null ? null : String(v))),
});
export type Shop = z.infer<typeof shopSchema>;

const dimension = z.union([z.string(), z.number()]).nullable().optional().transform((v) => (v == null ? null : String(v)));
export const productSchema = z.object({
  product_id: id,
  name: z.string(),
  article: nullableText,
  barcode: nullableText,
  category_id: nullableId,
  brand_id: nullableId,
  producer_id: nullableId,
  unit_id: nullableId,
  active: z.boolean().nullable().optional().transform((v) => v ?? null),
  width: dimension,
  height: dimension,
  depth: dimension,
});
export type Product = z.infer<typeof productSchema>;

export const saleSchema = z.object({
  sale_id: id,
  name: z.string(),
  description: nullableText,
  date_from: nullableText,
  date_to: nullableText,
  shops: z.array(id).default([]),
  products: z.array(z.union([id, z.object({ product_id: id })]).transform((p) => (typeof p === 'string' ? p : p.product_id))).default([]),
});
export type Sale = z.infer<typeof saleSchema>;

/** A DRF list page. */
export const listPage = z.object({
  count: z.number().int().nonnegative(),
  next: z.string().nullable(),
  previous: z.string().nullable().optional(),
  results: z.array(z.unknown()),
});
export type ListPage = z.infer<typeof listPage>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isValidDate = (s: string) => {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};
const dateField = z
  .string({ error: 'must be a date (YYYY-MM-DD)' })
  .trim()
  .refine(isValidDate, 'must be a date in the format YYYY-MM-DD')
  .nullable()
  .optional();
const idField = z.union([z.string(), z.number().int()], { error: 'must be an id (string)' }).transform((v) => String(v).trim()).pipe(
  z.string().min(1, 'must not be blank').max(255, 'must be at most 255 characters'),
);

/**
 * One promotion to create, with the rules the Datawiz API applies (its OPTIONS metadata): sale_id
 * and name required strings (≤200 and ≤100 characters, not blank), description a string, dates
 * YYYY-MM-DD or null with date_to not before date_from, shops a list of shop ids, products a list
 * of product ids or `{product_id}` objects. Strings are trimmed as DRF's CharField does.
 */
export const saleInputSchema = z
  .object({
    sale_id: z
      .string({ error: 'is required and must be a string' })
      .trim()
      .min(1, 'must not be blank')
      .max(200, 'must be at most 200 characters'),
    name: z
      .string({ error: 'is required and must be a string' })
      .trim()
      .min(1, 'must not be blank')
      .max(100, 'must be at most 100 characters'),
    description: z.string({ error: 'must be a string' }).trim().optional(),
    date_from: dateField,
    date_to: dateField,
    shops: z.array(idField, { error: 'must be a list of shop ids' }).optional(),
    products: z
      .array(z.union([idField, z.object({ product_id: idField })], { error: 'must be a product id or {product_id}' }), {
        error: 'must be a list of products',
      })
      .optional()
      .transform((list) => list?.map((p) => ({ product_id: typeof p === 'string' ? p : p.product_id }))),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.date_from && v.date_to && v.date_to < v.date_from) {
      ctx.addIssue({ code: 'custom', path: ['date_to'], message: 'must not be earlier than date_from' });
    }
  });
export type SaleInput = z.infer<typeof saleInputSchema>;

/** What POST sale/ answers on success. */
export const saleCounts = z.object({ updated: z.number().int(), inserted: z.number().int() });
export type SaleCounts = z.infer<typeof saleCounts>;
