/**
 * The shape of a table as `prisma/schema` declares it, emitted per table into `generated/tables.ts`
 * by the `tables` generator (packages/db/generator/tables.ts). Bulk writers take this instead of a
 * hand-typed column list, so the schema is written once.
 */

export interface ColumnMeta {
  /** PostgreSQL type without modifiers, as used to cast a parameter array: `$1::bigint[]`. */
  readonly type: string;
  readonly nullable: boolean;
  /** The database fills it when an insert leaves it out (`@default`, `@updatedAt`). */
  readonly hasDefault: boolean;
}

/** One table: its SQL name, its columns (SQL names, in schema order) and its primary key. */
export interface TableMeta<Row extends object = Record<string, unknown>> {
  readonly name: string;
  readonly columns: { readonly [C in keyof Row & string]: ColumnMeta };
  readonly primaryKey: readonly (keyof Row & string)[];
}

/** The row type a table's metadata was generated with. */
export type RowOf<T> = T extends TableMeta<infer Row> ? Row : never;

/** The SQL names of a table's columns. */
export type ColumnOf<T> = keyof RowOf<T> & string;
