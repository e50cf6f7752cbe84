import type pg from 'pg';
import { expect } from 'vitest';

/**
 * "The database equals the source": the one comparison engine. Whole tables, every stored column,
 * compared as multisets of rows; each source's test area builds its expected rows from the
 * sandbox's own data (never from the worker's parse code, so a parse bug cannot agree with itself).
 */

/** A row as read back from Postgres or built from the fake's data. */
export type Row = Record<string, unknown>;
export type Queryable = Pick<pg.Pool, 'query'>;

/** JSON with object keys sorted at every depth (jsonb does not keep the source's key order). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Row)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * Stored rows equal expected rows as multisets: order-free, and a row stored twice, missing or extra
 * shows by name (the first few of each, not a diff of thousands of rows).
 */
export function expectSameRows(what: string, stored: readonly object[], expected: readonly object[]): void {
  const count = (rows: readonly object[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(canonical(r), (m.get(canonical(r)) ?? 0) + 1);
    return m;
  };
  const have = count(stored);
  const want = count(expected);
  const diff = (a: Map<string, number>, b: Map<string, number>) => [...a].filter(([k, n]) => (b.get(k) ?? 0) < n).map(([k]) => k);
  expect(
    { rows: stored.length, missing: diff(want, have).slice(0, 3), extra: diff(have, want).slice(0, 3) },
    `${what} equals the source`,
  ).toEqual({ rows: expected.length, missing: [], extra: [] });
}

/** One table's stored rows (`sql` reads every stored column) equal `expected`, as sets. */
export async function expectTable(db: Queryable, what: string, sql: string, params: unknown[], expected: readonly Row[]): Promise<void> {
  expectSameRows(what, (await db.query<Row>(sql, params)).rows, expected);
}

/** The rows of a query, typed as the caller says (the SQL names the columns). */
export async function rowsOf<T extends Row = Row>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query<T>(sql, params)).rows;
}
