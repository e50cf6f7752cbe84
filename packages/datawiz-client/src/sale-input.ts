import { z } from 'zod';

/**
 * One promotion to create, checked here with the rules the brief gives for `POST sale/` (its field
 * table and the OPTIONS metadata), so nothing incomplete is sent upstream:
 * - `sale_id` (≤200 characters) and `name` (≤100), non-blank strings, trimmed as DRF's CharField does;
 * - `description` a string, `""` allowed — required by the brief; Datawiz's own docs
 *   (pythonAPI docs/topics/sales.rst, reference datawiz.md §4.1) mark it optional;
 * - `date_from`, `date_to` dates, `date_to` not before `date_from` (see SALE_DATE below);
 * - `shops` a list of shop ids and `products` a list of product ids or `{product_id}` — required by
 *   the brief (Datawiz's docs mark `shops` optional and moved products to `/sale-products/`);
 *   each at most MAX_SALE_LINKS long.
 */

/**
 * Dates Datawiz takes: its docs write `YYYY-MM-DD` (DRF's DateField, whose ISO parser also takes
 * one-digit months and days, `2015-2-2`), and the brief's example writes `2-02-2015`
 * (day-month-year). Both are accepted; what is sent and stored is always `YYYY-MM-DD`.
 */
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DAY_FIRST = /^(\d{1,2})-(\d{1,2})-(\d{4})$/;

/** A calendar date as `YYYY-MM-DD`, or undefined for text that is not one (`2025-02-30`). */
export function saleDate(text: string): string | undefined {
  const iso = ISO_DATE.exec(text);
  const dayFirst = iso ? null : DAY_FIRST.exec(text);
  const parts = iso ? [iso[1], iso[2], iso[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : undefined;
  if (!parts) return undefined;
  const [y, m, d] = parts.map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (y < 1 || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Most shops or products one promotion may name. Datawiz documents no limit; its own client
 * uploads promotion links in chunks of 10 000 (reference §4.2). Checked before anything else, so a
 * huge list is one error, not one per element (a list of 150 000 bad shops once overflowed the stack).
 */
export const MAX_SALE_LINKS = 10_000;
/** Most promotions in one request (sent upstream as one all-or-nothing batch). */
export const MAX_SALES_PER_REQUEST = 1000;

const SALE_DATE_MESSAGE = 'must be a date: YYYY-MM-DD (or D-MM-YYYY)';
const dateField = z
  .string({ error: `is required and ${SALE_DATE_MESSAGE}` })
  .trim()
  .transform((s, ctx) => {
    const iso = saleDate(s);
    if (iso === undefined) ctx.addIssue({ code: 'custom', message: SALE_DATE_MESSAGE });
    return iso ?? s;
  });
const idField = z
  .union([z.string(), z.number().int()], { error: 'must be an id (string)' })
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be blank').max(255, 'must be at most 255 characters'));
const links = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: `is required and must be a list of ${what}` }).max(MAX_SALE_LINKS, `must hold at most ${MAX_SALE_LINKS} ${what}`);

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
    description: z.string({ error: 'is required and must be a string ("" for none)' }).trim(),
    date_from: dateField,
    date_to: dateField,
    shops: links(idField, 'shop ids'),
    products: links(
      z.union([idField, z.object({ product_id: idField })], { error: 'must be a product id or {product_id}' }),
      'products',
    ).transform((list) => list.map((p) => ({ product_id: typeof p === 'string' ? p : p.product_id }))),
  })
  .strict()
  .superRefine((v, ctx) => {
    const valid = saleDate(v.date_from) === v.date_from && saleDate(v.date_to) === v.date_to;
    if (valid && v.date_to < v.date_from)
      ctx.addIssue({ code: 'custom', path: ['date_to'], message: 'must not be earlier than date_from' });
  });
export type SaleInput = z.infer<typeof saleInputSchema>;

export interface SaleIssue {
  field: string;
  message: string;
}

/**
 * Size checks made before the schema runs: the request is one promotion or a list of at most
 * MAX_SALES_PER_REQUEST, and no `shops`/`products` list is longer than MAX_SALE_LINKS. Answers the
 * issues, each naming its field (`3.shops`), or [] when the sizes are fine.
 */
export function saleSizeIssues(body: unknown): SaleIssue[] {
  const list = Array.isArray(body);
  if (list && body.length === 0) return [{ field: '(request)', message: 'must hold at least one promotion' }];
  if (list && body.length > MAX_SALES_PER_REQUEST)
    return [{ field: '(request)', message: `must hold at most ${MAX_SALES_PER_REQUEST} promotions` }];
  const issues: SaleIssue[] = [];
  (list ? body : [body]).forEach((sale: unknown, i) => {
    if (sale === null || typeof sale !== 'object') return;
    for (const key of ['shops', 'products'] as const) {
      const value = (sale as Record<string, unknown>)[key];
      if (Array.isArray(value) && value.length > MAX_SALE_LINKS) {
        issues.push({
          field: list ? `${i}.${key}` : key,
          message: `must hold at most ${MAX_SALE_LINKS} ${key === 'shops' ? 'shop ids' : 'products'} (got ${value.length})`,
        });
      }
    }
  });
  return issues;
}

/** Checks one promotion or a list of them, naming every bad field of every element (`1.sale_id`, `0.shops`). */
export function parseSales(body: unknown): { ok: true; sales: SaleInput[] } | { ok: false; issues: SaleIssue[] } {
  const sized = saleSizeIssues(body);
  if (sized.length > 0) return { ok: false, issues: sized };
  const list = Array.isArray(body);
  const parsed = (list ? z.array(saleInputSchema) : saleInputSchema).safeParse(body);
  if (parsed.success) return { ok: true, sales: list ? (parsed.data as SaleInput[]) : [parsed.data as SaleInput] };
  return { ok: false, issues: parsed.error.issues.flatMap(issueFields) };
}

function issueFields(issue: z.core.$ZodIssue): SaleIssue[] {
  // An unknown field is named itself, not its parent object.
  if (issue.code === 'unrecognized_keys')
    // An empty key is shown as "" so the error still names a field a reader can find.
    return issue.keys.map((key) => ({ field: [...issue.path, key === '' ? '""' : key].join('.'), message: 'is not a known field' }));
  return [{ field: issue.path.join('.') || '(request)', message: issue.message }];
}
