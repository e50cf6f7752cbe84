import type { Response } from 'express';
import { z } from 'zod';
import type { Company } from './company';
import type { Json } from './layout';
import { fail, MESSAGES, ok } from './envelope';
import type { Quirks } from './state';

const PAGE_SIZE_DEFAULT = 25;
const PAGE_SIZE_MAX = 200;

/** Documented `fields` (§6.1) plus surname and patronymic, which production reads successfully. */
const DOCUMENTED_FIELDS = [
  'id',
  'name',
  'surname',
  'patronymic',
  'phone',
  'email',
  'discount',
  'first_visit_date',
  'last_visit_date',
  'sold_amount',
  'visits_count',
  'passteam_card_id',
];
/** Further client-object fields the search answers when not strict (unconfirmed, §12.3). */
const EXTRA_FIELDS = [
  'display_name',
  'card',
  'birth_date',
  'comment',
  'sex_id',
  'sex',
  'sms_check',
  'sms_bot',
  'sms_not',
  'balance',
  'importance_id',
  'importance',
  'categories',
  'last_change_date',
  'custom_fields',
  'spent',
  'paid',
  'visits',
];
const ORDER_BY = [
  'id',
  'name',
  'phone',
  'email',
  'discount',
  'first_visit_date',
  'last_visit_date',
  'sold_amount',
  'visits_count',
] as const;

const bodySchema = z.object({
  page: z.coerce.number().int().optional(),
  page_size: z.coerce.number().int().optional(),
  fields: z.array(z.string()).optional(),
  order_by: z.enum(ORDER_BY).default('id'),
  order_by_direction: z
    .string()
    .default('ASC')
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(['ASC', 'DESC'])),
  operation: z
    .string()
    .default('AND')
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(['AND', 'OR'])),
  filters: z.array(z.object({ type: z.string(), state: z.record(z.string(), z.unknown()).default({}) })).default([]),
});

const value = (row: Json, field: string): unknown => {
  if (field === 'sold_amount') return row.spent;
  if (field === 'visits_count') return row.visits;
  return row[field];
};

type Predicate = (row: Json) => boolean;

const numbers = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.every((x) => Number.isFinite(Number(x))) ? v.map(Number) : undefined;

/** One filter of §6.1 as a predicate, or undefined when its type or state is not understood. */
function predicate(type: string, state: Record<string, unknown>): Predicate | undefined {
  const invert = state.invert === true;
  const wrap = (p: Predicate): Predicate => (invert ? (row) => !p(row) : p);
  switch (type) {
    case 'id': {
      const ids = numbers(state.value);
      return ids && wrap((row) => ids.includes(Number(row.id)));
    }
    case 'quick_search': {
      if (typeof state.value !== 'string') return undefined;
      const text = state.value.toLowerCase();
      const digits = text.replace(/\D/g, '');
      return wrap(
        (row) =>
          `${String(row.name)} ${String(row.surname ?? '')} ${String(row.patronymic ?? '')}`.toLowerCase().includes(text) ||
          (digits !== '' && String(row.phone).replace(/\D/g, '').includes(digits)) ||
          (row.card !== '' && String(row.card).includes(text)),
      );
    }
    case 'category': {
      const ids = numbers(state.value);
      return ids && wrap((row) => (row.categories as { id: number }[]).some((c) => ids.includes(c.id)));
    }
    case 'gender': {
      const ids = numbers(state.value);
      return ids && wrap((row) => ids.includes(Number(row.sex_id)));
    }
    case 'importance': {
      const ids = numbers(state.value);
      return ids && wrap((row) => ids.includes(Number(row.importance_id)));
    }
    case 'sold_amount': {
      const from = state.from === undefined ? -Infinity : Number(state.from);
      const to = state.to === undefined ? Infinity : Number(state.to);
      return wrap((row) => Number(row.spent) >= from && Number(row.spent) <= to);
    }
    case 'birthday': {
      const from = typeof state.from === 'string' ? state.from : '0000';
      const to = typeof state.to === 'string' ? state.to : '9999';
      return wrap((row) => row.birth_date !== '' && String(row.birth_date) >= from && String(row.birth_date) <= to);
    }
    case 'client': {
      const parts = Object.entries(state).map(([t, s]) => predicate(t, (s ?? {}) as Record<string, unknown>));
      if (parts.some((p) => p === undefined)) return undefined;
      return (row) => parts.every((p) => p!(row));
    }
    default:
      return undefined;
  }
}

/**
 * `POST /company/{id}/clients/search` (§6.1): filters, ordering (ties broken by id), 1-based
 * offset paging with `meta.total_count`, and exactly the requested `fields` in each row.
 */
export function searchClients(company: Company, quirks: Quirks, rawBody: unknown, res: Response): void {
  const parsed = bodySchema.safeParse(rawBody ?? {});
  if (!parsed.success) {
    const path = String(parsed.error.issues[0]?.path[0] ?? 'body');
    if (path === 'filters') return fail(res, 400, MESSAGES.badFilter, { filters: [MESSAGES.badFilterState] });
    return fail(res, 400, MESSAGES.badParameter, { [path]: [parsed.error.issues[0]?.message ?? 'invalid'] });
  }
  const body = parsed.data;
  const page = Math.max(1, body.page ?? 1);
  let size = body.page_size ?? PAGE_SIZE_DEFAULT;
  if (size < 1) size = PAGE_SIZE_DEFAULT;
  if (size > PAGE_SIZE_MAX) {
    if (quirks.overMax === 'reject')
      return fail(res, 400, MESSAGES.badParameter, { page_size: [`Значение не может быть больше ${PAGE_SIZE_MAX}`] });
    size = PAGE_SIZE_MAX;
  }
  const fields = body.fields && body.fields.length > 0 ? body.fields : ['id'];
  const allowed = quirks.strictSearchFields ? DOCUMENTED_FIELDS : [...DOCUMENTED_FIELDS, ...EXTRA_FIELDS];
  const unknown = fields.filter((f) => !allowed.includes(f));
  if (quirks.strictSearchFields && unknown.length > 0)
    return fail(res, 400, MESSAGES.badParameter, { fields: unknown.map((f) => `Недопустимое поле ${f}`) });
  const shown = fields.filter((f) => allowed.includes(f));

  const predicates: Predicate[] = [];
  for (const filter of body.filters) {
    const p = predicate(filter.type, filter.state);
    if (!p) return fail(res, 400, MESSAGES.badFilter, { filters: [MESSAGES.badFilterState] });
    predicates.push(p);
  }
  const table = company.clients;
  const signature = JSON.stringify({ f: body.filters, op: body.operation, o: body.order_by, d: body.order_by_direction });
  const natural = predicates.length === 0 && body.order_by === 'id';
  const found =
    natural && body.order_by_direction === 'ASC'
      ? table.all()
      : table.view(signature, () => {
          const combine =
            body.operation === 'AND' ? (row: Json) => predicates.every((p) => p(row)) : (row: Json) => predicates.some((p) => p(row));
          let handles = predicates.length === 0 ? [...table.all()] : table.all().filter((h) => combine(table.row(h)));
          if (body.order_by !== 'id') {
            const by = body.order_by;
            const keyed = handles.map((h) => ({ h, v: value(table.row(h), by), id: table.key(h).id }));
            keyed.sort((a, b) => compare(a.v, b.v) || a.id - b.id);
            handles = keyed.map((k) => k.h);
          }
          return body.order_by_direction === 'DESC' ? handles.reverse() : handles;
        });
  const rows = res.locals.sandboxEmptyPage === true ? [] : found.slice((page - 1) * size, page * size);
  ok(
    res,
    rows.map((h) => {
      const row = table.row(h);
      return Object.fromEntries(shown.map((f) => [f, value(row, f) ?? null]));
    }),
    { total_count: found.length },
  );
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''), 'ru');
}
