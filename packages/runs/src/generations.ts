import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '@datasync/connector-kit';
import type { RunContext } from './worker';

/**
 * Soft deletes from complete passes. A full (non-incremental) pass of a stream gets a generation (a
 * uuid) and stamps every row it writes with it (`seen_generation`). The generation is saved in the
 * run's checkpoint, so an attempt that resumes the pass after a kill keeps counting the rows the
 * pages before the kill stamped. Only once the pass completed (every page read, no short page, no
 * error) does `closePass` mark the rows of the pass's scope that it did not stamp with `deleted_at`,
 * and clear `deleted_at` on the rows it stamped (they came back). A pass that fails or stops short
 * never reaches `closePass`, so it deletes nothing.
 *
 * Tables that take part have two nullable columns: `seen_generation uuid` and `deleted_at timestamptz`.
 */

/** The checkpoint field holding the pass's generation. */
export const generationSchema = z.string().uuid();

/** The generation of a pass: the resumed one's, or a new one for a pass starting from its first page. */
export function passGeneration(resumed: string | null | undefined): string {
  return resumed ?? randomUUID();
}

/** What one complete pass covers: a table and the rows of it the pass reads (all of them when `where` is absent). */
export interface PassScope {
  /** Named in the counts: `deleted_<stream>`, `restored_<stream>`. */
  stream: string;
  table: string;
  /** An SQL condition on the table's columns, its parameters numbered from $2 (`$1` is the generation). */
  where?: string;
  params?: readonly unknown[];
}

export interface PassClosed {
  deleted: number;
  restored: number;
}

/**
 * Ends a complete pass in the caller's transaction: the scope's live rows another generation (or
 * none) stamped are marked deleted, the rows this generation stamped are live again. Running it
 * twice for one generation changes nothing the second time (a retry after a kill mid-close).
 */
export async function markPassDeletes(tx: Queryable, scope: PassScope, generation: string): Promise<PassClosed> {
  const where = scope.where ? ` AND (${scope.where})` : '';
  const params = [generation, ...(scope.params ?? [])];
  const deleted = await tx.query(
    `UPDATE ${scope.table} SET deleted_at = now()
     WHERE deleted_at IS NULL AND seen_generation IS DISTINCT FROM $1::uuid${where}`,
    params,
  );
  const restored = await tx.query(
    `UPDATE ${scope.table} SET deleted_at = NULL WHERE deleted_at IS NOT NULL AND seen_generation = $1::uuid${where}`,
    params,
  );
  return { deleted: deleted.rowCount ?? 0, restored: restored.rowCount ?? 0 };
}

/**
 * Ends a complete pass whose whole result is in hand at once (a list read in one request and saved
 * in one transaction): no stamping is needed, the keys are the pass. The scope's live rows whose
 * `key` is not among `keys` are marked deleted and the deleted ones that are, live again; rows
 * that stay as they were are not written (an unchanged re-sync leaves no new row versions).
 */
export async function markListDeletes(
  tx: Queryable,
  scope: PassScope & { key: string; keyType: 'bigint' | 'text' },
  keys: readonly string[],
): Promise<PassClosed> {
  const where = scope.where ? ` AND (${scope.where})` : '';
  const params = [keys, ...(scope.params ?? [])];
  const deleted = await tx.query(
    `UPDATE ${scope.table} SET deleted_at = now() WHERE deleted_at IS NULL AND NOT (${scope.key} = ANY($1::${scope.keyType}[]))${where}`,
    params,
  );
  const restored = await tx.query(
    `UPDATE ${scope.table} SET deleted_at = NULL WHERE deleted_at IS NOT NULL AND ${scope.key} = ANY($1::${scope.keyType}[])${where}`,
    params,
  );
  return { deleted: deleted.rowCount ?? 0, restored: restored.rowCount ?? 0 };
}

/** The counts a closed pass adds to its run: `deleted` (all streams), `deleted_<stream>` and `restored_<stream>`. */
export function closedCounts(stream: string, closed: PassClosed): Record<string, number> {
  return { deleted: closed.deleted, [`deleted_${stream}`]: closed.deleted, [`restored_${stream}`]: closed.restored };
}

/**
 * Closes a complete pass as one committed step of the run: the deletes and restores, their counts,
 * and `checkpoint` (where the run stands once the pass is closed) in one transaction.
 */
export async function closePass<P, C>(ctx: RunContext<P, C>, scope: PassScope, generation: string, checkpoint: C): Promise<PassClosed> {
  const closed = await ctx.commitPage(
    (tx) => markPassDeletes(tx, scope, generation),
    (c) => ({ checkpoint, added: closedCounts(scope.stream, c) }),
  );
  ctx.log.info({ stream: scope.stream, deleted: closed.deleted, restored: closed.restored }, 'complete pass closed');
  return closed;
}
