import { createHash } from 'node:crypto';
import type pg from 'pg';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface Column {
  name: string;
  /** PostgreSQL type of the column, used to cast the parameter array (`bigint`, `text`, `jsonb` ...). */
  type: string;
}

export interface UpsertSpec {
  table: string;
  columns: Column[];
  /** The unique key the rows conflict on. */
  conflict: string[];
  /** Columns overwritten on conflict; default every non-key column. [] means DO NOTHING. */
  update?: string[];
  /** Leave a row alone when nothing in `update` changed (no dead tuples on an unchanged re-sync). */
  skipUnchanged?: boolean;
  /** Extra assignments on conflict, e.g. `last_seen_at = now()`. */
  alsoSet?: string[];
  returning?: string[];
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlCache = new Map<string, { text: string; name: string }>();

function upsertSql(spec: UpsertSpec): { text: string; name: string } {
  const cacheKey = JSON.stringify(spec);
  const cached = sqlCache.get(cacheKey);
  if (cached) return cached;
  const cols = spec.columns.map((c) => ident(c.name)).join(', ');
  const params = spec.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const update = spec.update ?? spec.columns.map((c) => c.name).filter((c) => !spec.conflict.includes(c));
  const sets = [...update.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`), ...(spec.alsoSet ?? [])];
  let onConflict = `ON CONFLICT (${spec.conflict.map(ident).join(', ')}) `;
  if (sets.length === 0) onConflict += 'DO NOTHING';
  else {
    onConflict += `DO UPDATE SET ${sets.join(', ')}`;
    if (spec.skipUnchanged && update.length > 0) {
      const t = ident(spec.table);
      onConflict += ` WHERE (${update.map((c) => `${t}.${ident(c)}`).join(', ')}) IS DISTINCT FROM (${update
        .map((c) => `EXCLUDED.${ident(c)}`)
        .join(', ')})`;
    }
  }
  const returning = spec.returning?.length ? ` RETURNING ${spec.returning.map(ident).join(', ')}` : '';
  const text = `INSERT INTO ${ident(spec.table)} (${cols}) SELECT * FROM unnest(${params}) ${onConflict}${returning}`;
  const entry = { text, name: `bulk_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` };
  sqlCache.set(cacheKey, entry);
  return entry;
}

/** A Postgres array literal of text elements (`{"a","b",NULL}`), the form `$n::type[]` parses. */
function arrayLiteral(values: unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else {
      const text = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
      out += `"${text.replace(/[\\"]/g, '\\$&')}"`;
    }
  }
  return `${out}}`;
}

/** A bulk upsert with its parameters already serialized: build it while the previous batch is being written. */
export interface PreparedUpsert {
  text: string;
  name: string;
  values: string[];
  rows: number;
}

/**
 * Builds the statement and parameters of a bulk upsert (see `bulkUpsert`) without touching the
 * database: rows folded by key, one array literal per column. Undefined when there are no rows.
 */
export function prepareUpsert(spec: UpsertSpec, rows: readonly (readonly unknown[])[]): PreparedUpsert | undefined {
  if (rows.length === 0) return undefined;
  const keyIdx = spec.conflict.map((k) => spec.columns.findIndex((c) => c.name === k));
  if (keyIdx.some((i) => i < 0)) throw new Error(`conflict columns of ${spec.table} must be among its columns`);
  const byKey = new Map<string, readonly unknown[]>();
  for (const row of rows) byKey.set(keyIdx.length === 1 ? String(row[keyIdx[0]!]) : keyIdx.map((i) => String(row[i])).join('\u0000'), row);
  const unique = byKey.size === rows.length ? rows : [...byKey.values()];
  const values = spec.columns.map((c, ci) => {
    const json = c.type === 'jsonb' || c.type === 'json';
    return arrayLiteral(
      unique.map((row) => {
        const v = row[ci];
        if (v === undefined || v === null) return null;
        return json ? JSON.stringify(v) : v;
      }),
    );
  });
  const { text, name } = upsertSql(spec);
  return { text, name, values, rows: unique.length };
}

/** Runs a prepared bulk upsert (one round trip); the rows RETURNING asked for. */
export async function runUpsert<R extends Record<string, unknown> = Record<string, unknown>>(db: Queryable, prepared: PreparedUpsert | undefined): Promise<R[]> {
  if (!prepared) return [];
  const result = await db.query({ text: prepared.text, name: prepared.name, values: prepared.values });
  return result.rows as R[];
}

/**
 * Writes a batch of rows in one statement: `INSERT … SELECT FROM unnest(arrays) ON CONFLICT …`,
 * one array parameter per column (no parameter-count limit, one round trip, a prepared statement
 * per shape). Rows repeating a key within the batch are folded, the last one winning, so Postgres
 * never sees one row twice. Returns the rows RETURNING asked for (written or updated ones only).
 */
export async function bulkUpsert<R extends Record<string, unknown> = Record<string, unknown>>(
  db: Queryable,
  spec: UpsertSpec,
  rows: readonly (readonly unknown[])[],
): Promise<R[]> {
  return runUpsert<R>(db, prepareUpsert(spec, rows));
}
