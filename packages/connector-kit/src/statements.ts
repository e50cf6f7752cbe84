/** A parameterized SQL statement as pg's `query` takes it. */
export interface Statement {
  text: string;
  values: readonly unknown[];
  /** The statements a `oneStatement` was made of: combining it again combines them (a WITH may not nest one). */
  parts?: readonly Statement[];
}

/**
 * Several data-modifying statements (INSERT, UPDATE, DELETE) run as one: each a CTE of a
 * `WITH … SELECT 1`, its `$n` parameters renumbered after the ones before it. One round trip
 * instead of one per statement — under a busy CPU each round trip waits for the process to be
 * scheduled again while the transaction stays open (bench/README.md, figure 1).
 *
 * They all see the same snapshot and none sees the others' rows, so they must not touch the same
 * rows (an upsert of a page's keys and a delete of the keys not on the page are fine; two inserts
 * of one key are not). Foreign keys are checked at the end of the statement, so a child row may
 * reference a parent inserted by a statement before it. The texts must hold no `$` but their
 * parameters' (generated SQL does not), and none may be a `WITH` itself (Postgres takes
 * data-modifying CTEs at the top level only) — unless it came from `oneStatement`, whose parts are
 * combined instead. Undefined parts are left out; undefined when none is left.
 */
export function oneStatement(parts: readonly (Statement | undefined)[]): Statement | undefined {
  const present = parts.filter((p): p is Statement => p !== undefined).flatMap((p) => p.parts ?? [p]);
  if (present.length <= 1) return present[0];
  const values: unknown[] = [];
  const ctes = present.map((part, i) => {
    const offset = values.length;
    values.push(...part.values);
    return `s${i} AS (${part.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { text: `WITH ${ctes.join(', ')} SELECT 1`, values, parts: present };
}
