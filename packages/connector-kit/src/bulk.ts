import type pg from 'pg';
import type { ColumnOf, RowOf, TableMeta } from '@datasync/db';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Any table's metadata, whatever its row type (a spec's own `T` narrows it). */
export type AnyTable = TableMeta<Record<string, unknown>>;

/** A row carrying exactly the columns `K` of table `T`, typed as the schema declares them. */
export type RowFor<T extends AnyTable, K extends ColumnOf<T>> = { [C in K]: RowOf<T>[C] };

export interface UpsertSpec<T extends AnyTable, K extends ColumnOf<T> = ColumnOf<T>> {
  /** The table's generated metadata (`@datasync/db/tables`). */
  table: T;
  /** The columns the rows carry; default every column of the table. */
  columns?: readonly K[];
  /** The unique key the rows conflict on; default the table's primary key. */
  conflict?: readonly K[];
  /** Columns overwritten on conflict; default every written non-key column. [] means DO NOTHING. */
  update?: readonly K[];
  /** Leave a row alone when nothing in `update` changed (no dead tuples on an unchanged re-sync). */
  skipUnchanged?: boolean;
  /** Extra assignments on conflict, e.g. `last_seen_at = now()`. */
  alsoSet?: readonly string[];
  returning?: readonly ColumnOf<T>[];
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlCache = new Map<string, string>();

const isJsonb = (spec: UpsertSpec<AnyTable, string>, column: string) => spec.table.columns[column]!.type === 'jsonb';
const columnsOf = (spec: UpsertSpec<AnyTable, string>): readonly string[] => spec.columns ?? Object.keys(spec.table.columns);
const conflictOf = (spec: UpsertSpec<AnyTable, string>): readonly string[] => spec.conflict ?? spec.table.primaryKey;

function upsertSql(spec: UpsertSpec<AnyTable, string>): string {
  const columns = columnsOf(spec);
  const conflict = conflictOf(spec);
  const cacheKey = JSON.stringify([spec.table.name, columns, conflict, spec.update, spec.skipUnchanged, spec.alsoSet, spec.returning]);
  const cached = sqlCache.get(cacheKey);
  if (cached) return cached;
  const cols = columns.map(ident).join(', ');
  // A jsonb column travels as ONE JSON array (`jsonb_array_elements`), the others as arrays, zipped
  // by ROWS FROM: no array-literal escaping of every quote of every document on either side (bench
  // figure 1: the worker's CPU for a full sync −25%, Postgres's per row −10%). JSON null is SQL NULL,
  // as a null value always was.
  const params = columns
    .map((c, i) => (isJsonb(spec, c) ? `jsonb_array_elements($${i + 1}::jsonb)` : `unnest($${i + 1}::${spec.table.columns[c]!.type}[])`))
    .join(', ');
  const select = columns.map((c, i) => (isJsonb(spec, c) ? `NULLIF(u.c${i}, 'null'::jsonb)` : `u.c${i}`)).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  const update = spec.update ?? columns.filter((c) => !conflict.includes(c));
  const sets = [...update.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`), ...(spec.alsoSet ?? [])];
  let onConflict = `ON CONFLICT (${conflict.map(ident).join(', ')}) `;
  if (sets.length === 0) onConflict += 'DO NOTHING';
  else {
    onConflict += `DO UPDATE SET ${sets.join(', ')}`;
    if (spec.skipUnchanged && update.length > 0) {
      const t = ident(spec.table.name);
      onConflict += ` WHERE (${update.map((c) => `${t}.${ident(c)}`).join(', ')}) IS DISTINCT FROM (${update
        .map((c) => `EXCLUDED.${ident(c)}`)
        .join(', ')})`;
    }
  }
  const returning = spec.returning?.length ? ` RETURNING ${spec.returning.map(ident).join(', ')}` : '';
  const text = `INSERT INTO ${ident(spec.table.name)} (${cols}) SELECT ${select} FROM ROWS FROM (${params}) AS u(${aliases}) ${onConflict}${returning}`;
  sqlCache.set(cacheKey, text);
  return text;
}

/**
 * One column of the rows as a Postgres array literal of text elements (`{"a","b",NULL}`), the form
 * `$n::type[]` parses; built in one pass (the hot loop of a page write).
 */
function columnLiteral(rows: readonly Record<string, unknown>[], column: string, json: boolean): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) out += ',';
    const v = rows[i]![column];
    if (v === null || v === undefined) out += 'NULL';
    else {
      const text = json ? JSON.stringify(v) : typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
      out += `"${text.replace(/[\\"]/g, '\\$&')}"`;
    }
  }
  return `${out}}`;
}

/** A bulk upsert with its parameters already serialized: build it while the previous batch is being written. */
export interface PreparedUpsert {
  text: string;
  values: string[];
  rows: number;
}

/**
 * Builds the statement and parameters of a bulk upsert (see `bulkUpsert`) without touching the
 * database: rows folded by key, one array literal per column. Undefined when there are no rows.
 */
export function prepareUpsert<T extends AnyTable, K extends ColumnOf<T>>(
  spec: UpsertSpec<T, K>,
  rows: readonly NoInfer<RowFor<T, K>>[],
): PreparedUpsert | undefined {
  if (rows.length === 0) return undefined;
  const general = spec as UpsertSpec<AnyTable, string>;
  const columns = columnsOf(general);
  const conflict = conflictOf(general);
  if (conflict.some((k) => !columns.includes(k)))
    throw new Error(`conflict columns of ${spec.table.name} must be among its written columns`);
  const records = rows as readonly Record<string, unknown>[];
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of records)
    byKey.set(conflict.length === 1 ? String(row[conflict[0]!]) : conflict.map((k) => String(row[k])).join('\u0000'), row);
  const unique = byKey.size === records.length ? records : [...byKey.values()];
  const values = columns.map((c) => {
    const type = spec.table.columns[c]!.type;
    if (type === 'jsonb') return JSON.stringify(unique.map((r) => r[c] ?? null));
    return columnLiteral(unique, c, type === 'json');
  });
  return { text: upsertSql(general), values, rows: unique.length };
}

/** Runs a prepared bulk upsert (one round trip); the rows RETURNING asked for. */
export async function runUpsert<R extends Record<string, unknown> = Record<string, unknown>>(
  db: Queryable,
  prepared: PreparedUpsert | undefined,
): Promise<R[]> {
  if (!prepared) return [];
  // Unnamed: a named statement lives on one server connection, which PgBouncer in transaction mode
  // (before 1.21) does not keep for us between transactions (README "PgBouncer").
  const result = await db.query({ text: prepared.text, values: prepared.values });
  return result.rows as R[];
}

/**
 * Writes a batch of rows in one statement: `INSERT … SELECT FROM ROWS FROM (unnest(arrays), …) ON CONFLICT …`,
 * one array parameter per column (a jsonb column: one JSON array), each cast to the column's type from the generated table
 * metadata (no parameter-count limit, one round trip, one SQL text per shape). Rows
 * repeating a key within the batch are folded, the last one winning, so Postgres never sees one
 * row twice. Returns the rows RETURNING asked for (written or updated ones only).
 */
export async function bulkUpsert<T extends AnyTable, K extends ColumnOf<T>>(
  db: Queryable,
  spec: UpsertSpec<T, K>,
  rows: readonly NoInfer<RowFor<T, K>>[],
): Promise<Record<string, unknown>[]> {
  return runUpsert(db, prepareUpsert(spec, rows));
}
