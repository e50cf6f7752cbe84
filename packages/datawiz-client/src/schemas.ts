import { z } from 'zod';

/** Datawiz ids are strings; a number is read as its decimal text. */
const id = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));
const nullableId = z
  .union([id, z.null()])
  .optional()
  .transform((v) => v ?? null);
const nullableText = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const shopSchema = z.object({
  shop_id: id,
  format_id: nullableId,
  group_id: nullableId,
  name: z.string(),
  address: nullableText,
  open_date: nullableText,
  latitude: z
    .union([z.string(), z.number()])
    .nullable()
    .optional()
    .transform((v) => (v == null ? null : String(v))),
  longitude: z
    .union([z.string(), z.number()])
    .nullable()
    .optional()
    .transform((v) => (v == null ? null : String(v))),
});
export type Shop = z.infer<typeof shopSchema>;

const dimension = z
  .union([z.string(), z.number()])
  .nullable()
  .optional()
  .transform((v) => (v == null ? null : String(v)));
export const productSchema = z.object({
  product_id: id,
  name: z.string(),
  article: nullableText,
  barcode: nullableText,
  category_id: nullableId,
  brand_id: nullableId,
  producer_id: nullableId,
  unit_id: nullableId,
  active: z
    .boolean()
    .nullable()
    .optional()
    .transform((v) => v ?? null),
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

/** What DataSync answers for a create: how many promotions Datawiz updated and inserted. */
export const saleCounts = z.object({ updated: z.number().int(), inserted: z.number().int() });
export type SaleCounts = z.infer<typeof saleCounts>;

const count = z.number().int().nonnegative();
/**
 * What POST sale/ answers on success, in either form: the documented
 * `{"results": {"updated": n, "created": m}}` (pythonAPI docs, every resource; reference §5.1) or
 * the brief's `{"updated": n, "inserted": m}` (found in no Datawiz source). Read as SaleCounts.
 */
export const saleCreateAnswer = z.union([
  z
    .object({ results: z.object({ updated: count, created: count }) })
    .transform((a) => ({ updated: a.results.updated, inserted: a.results.created })),
  z.object({ updated: count, inserted: count }).transform((a) => ({ updated: a.updated, inserted: a.inserted })),
]);
