import { bulkUpsert, type AnyTable, type Queryable } from '@datasync/connector-kit';
import type { RowOf } from '@datasync/db';
import type {
  YclientsClientsRow,
  YclientsRecordsRow,
  YclientsServicesRow,
  YclientsStaffRow,
  YclientsTransactionsRow,
} from '@datasync/db/tables';
import { bool, id, int, num, obj, stamp, str, type Row } from './parse';

/**
 * YClients rows as the generated tables type them (`@datasync/db/tables`), and the writes every
 * company-keyed table shares: upsert leaving unchanged rows alone, and delete what a list no longer holds.
 */

/** Every YClients table: keyed by company_id and the YClients key (its primary key). */
export type Table = AnyTable & { primaryKey: readonly ['company_id', ...string[]] };

export const upsertSpec = <T extends Table>(t: T) => ({ table: t, skipUnchanged: true });

export async function upsert<T extends Table>(tx: Queryable, t: T, rows: readonly RowOf<T>[]): Promise<void> {
  await bulkUpsert(tx, upsertSpec(t), rows);
}

/** Deletes the company's rows of `t` whose key is not among `rows` (a list saved whole). */
export async function deleteMissing<T extends Table>(
  tx: Queryable,
  t: T,
  companyId: number,
  rows: readonly RowOf<T>[],
  scope?: { column: string; ids: bigint[] },
): Promise<void> {
  const { text, params } = deleteMissingSql(t, companyId, rows, scope);
  await tx.query(text, params);
}

export function deleteMissingSql<T extends Table>(
  t: T,
  companyId: number,
  rows: readonly RowOf<T>[],
  scope?: { column: string; ids: bigint[] },
): { text: string; params: unknown[] } {
  const key = t.primaryKey.slice(1);
  const arrays = key.map((k) => rows.map((r) => String((r as Record<string, unknown>)[k] as bigint)));
  const keys = key.map((k) => `"${k}"`).join(', ');
  const params: unknown[] = [companyId, ...arrays];
  const kept = `(SELECT * FROM unnest(${arrays.map((_, i) => `$${i + 2}::bigint[]`).join(', ')}))`;
  if (!scope) return { text: `DELETE FROM ${t.name} WHERE company_id = $1 AND (${keys}) NOT IN ${kept}`, params };
  // Driven by the page's parent ids, one primary-key probe each, deleted by row address: a LATERAL
  // subquery kept from being flattened (OFFSET 0) is a nested loop whatever the statistics say.
  // Written as one filter, Postgres with the statistics of a table that grew since its last ANALYZE
  // (every first big sync) scanned the whole company through another index for every page: 70 ms a
  // page at 300,000 rows, most of a full sync's Postgres time at bench figure 1's size.
  if (scope.column !== key[0]) throw new Error(`${t.name}: a scoped delete needs the key's second column (${key[0]}), not ${scope.column}`);
  params.push(scope.ids.map(String));
  const probe = `SELECT x.ctid FROM unnest($${params.length}::bigint[]) AS p(id)
    CROSS JOIN LATERAL (SELECT ctid, ${keys} FROM ${t.name} WHERE company_id = $1 AND "${scope.column}" = p.id OFFSET 0) x
    WHERE (${key.map((k) => `x."${k}"`).join(', ')}) NOT IN ${kept}`;
  return { text: `DELETE FROM ${t.name} WHERE ctid = ANY (ARRAY(${probe}))`, params };
}

// ---- row mapping ---------------------------------------------------------------------------------

/** The column soft deletes add (README "Deletes"): set by a list's close, never by a row's mapping. */
export type Mapped<R> = Omit<R, 'deleted_at'>;

/** Upserts a soft-deleting list's rows; `deleted_at` is left to the list's close (`markListDeletes`, same transaction). */
export async function upsertListed<T extends Table>(tx: Queryable, t: T, rows: readonly Mapped<RowOf<T>>[]): Promise<void> {
  const columns = Object.keys(t.columns).filter((c) => c !== 'deleted_at');
  await bulkUpsert(tx, { ...upsertSpec(t), columns } as Parameters<typeof bulkUpsert>[1], rows as never);
}

export const withId = (rows: Row[]) => rows.filter((r) => id(r.id) !== null);

export function staffRow(c: number, r: Row): Mapped<YclientsStaffRow> {
  return {
    company_id: c,
    id: id(r.id)!,
    name: str(r.name) ?? '',
    specialization: str(r.specialization),
    position_id: id(obj(r.position)?.id),
    fired: bool(r.fired) ?? false,
    hidden: bool(r.hidden) ?? false,
    is_deleted: bool(r.is_deleted) ?? false,
    user_id: id(r.user_id),
    raw: r,
  };
}
export function serviceRow(c: number, r: Row): Mapped<YclientsServicesRow> {
  return {
    company_id: c,
    id: id(r.id)!,
    category_id: id(r.category_id),
    title: str(r.title) ?? '',
    price_min: num(r.price_min),
    price_max: num(r.price_max),
    duration: int(r.duration),
    active: bool(r.active) ?? true,
    raw: r,
  };
}
/**
 * The upsert of a soft-deleting paged entity's rows (clients, records): `deleted_at` is left to the
 * pass's close; `seen_generation` is written only by a complete pass (an incremental one leaves the
 * stamp as it was, and an unchanged row unwritten).
 */
export function stampedUpsertSpec<T extends Table>(t: T, generation: string | null) {
  const columns = Object.keys(t.columns).filter((c) => c !== 'deleted_at' && (generation !== null || c !== 'seen_generation'));
  return { ...upsertSpec(t), columns } as unknown as { table: T; skipUnchanged: true };
}

export function clientRow(c: number, r: Row, generation: string | null = null): Mapped<YclientsClientsRow> {
  const custom = obj(r.custom_fields) ?? {};
  return {
    company_id: c,
    id: id(r.id)!,
    name: str(r.name),
    surname: str(r.surname),
    patronymic: str(r.patronymic),
    phone: str(r.phone),
    email: str(r.email),
    card: str(r.card),
    birth_date: stamp(r.birth_date),
    sex_id: int(r.sex_id),
    discount: num(r.discount),
    importance_id: int(r.importance_id),
    balance: num(r.balance),
    spent: num(r.spent),
    paid: num(r.paid),
    visits: int(r.visits),
    sms_check: bool(r.sms_check),
    sms_not: bool(r.sms_not),
    last_change_date: stamp(r.last_change_date),
    custom_fields: custom,
    raw: r,
    seen_generation: generation,
  };
}
export function recordRow(c: number, r: Row, generation: string | null = null): Mapped<YclientsRecordsRow> {
  // Record documents are not stored.
  const { documents: _documents, ...raw } = r;
  void _documents;
  return {
    company_id: c,
    id: id(r.id)!,
    staff_id: id(r.staff_id),
    client_id: id(obj(r.client)?.id),
    datetime: stamp(r.datetime),
    create_date: stamp(r.create_date),
    last_change_date: stamp(r.last_change_date),
    length: int(r.length ?? r.seance_length),
    attendance: int(r.attendance),
    confirmed: int(r.confirmed),
    online: bool(r.online),
    deleted: bool(r.deleted) ?? false,
    visit_id: id(r.visit_id),
    activity_id: id(r.activity_id),
    comment: str(r.comment),
    raw,
    seen_generation: generation,
  };
}
export function transactionRow(c: number, r: Row): YclientsTransactionsRow {
  return {
    company_id: c,
    id: id(r.id)!,
    document_id: id(r.document_id),
    date: stamp(r.date),
    amount: num(r.amount),
    comment: str(r.comment),
    expense_id: id(obj(r.expense)?.id),
    account_id: id(obj(r.account)?.id),
    client_id: id(obj(r.client)?.id),
    master_id: id(obj(r.master)?.id),
    supplier_id: id(obj(r.supplier)?.id),
    record_id: id(r.record_id),
    visit_id: id(r.visit_id),
    sold_item_id: id(r.sold_item_id),
    sold_item_type: str(r.sold_item_type) || null,
    last_change_date: stamp(r.last_change_date),
    raw: r,
  };
}
