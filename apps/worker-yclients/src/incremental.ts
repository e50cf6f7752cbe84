import { z } from 'zod';
import { generationSchema } from '@datasync/runs';
import { id, type Row } from './parse';

/**
 * The decisions of YClients' incremental sync of a paginated entity (README "Paginated
 * entities"), as pure functions: where a pass starts, what committing a page means, when paging
 * ends and whether the result holds. `syncPaged` (sync.ts) does the requests and writes around them.
 */

/**
 * An entity's stream state (`stream_state`): the ordinal of the last stored row and that row's id
 * (text: a bigint); `generation` while a complete pass (one from page 1) is under way, so an attempt
 * resuming it after a kill keeps stamping the same generation (README "Deletes").
 */
export const entityState = z.object({ ordinal: z.number().int(), lastId: z.string(), generation: generationSchema.optional() });
export type EntityState = z.infer<typeof entityState>;

/** How a pass begins: from page 1 with nothing saved, after the saved row, or over again (rows moved before it). */
export type PassStart = { kind: 'fresh' } | { kind: 'resume'; page: number } | { kind: 'reset' };

/** The page that holds the saved ordinal: the only request a pass with no change makes. */
export const pageOfOrdinal = (ordinal: number, size: number): number => Math.ceil(ordinal / size);

/** The row at the saved ordinal on the page that holds it (undefined when that page is shorter now). */
export function rowAtOrdinal(state: EntityState, size: number, pageRows: readonly Row[]): Row | undefined {
  return pageRows[(state.ordinal - 1) % size];
}

/** Whether the row at the saved ordinal is still the saved row. */
export function isSavedRow(state: EntityState, at: Row | undefined): boolean {
  return at !== undefined && String(id(at.id) ?? 0n) === state.lastId;
}

/**
 * Where a pass starts. With a saved state, `pageRows` is the page holding the saved ordinal: if the
 * row there is still the saved one (or, under unstable paging, `sameTie`: another row of its tie
 * group that we hold), the pass continues from that page; otherwise rows were inserted or deleted
 * before it and the entity is read again from page 1.
 */
export function planStart(state: EntityState | undefined, size: number, pageRows: readonly Row[] | undefined, sameTie = false): PassStart {
  if (!state || state.ordinal <= 0 || !pageRows) return { kind: 'fresh' };
  const at = rowAtOrdinal(state, size, pageRows);
  if (at && (isSavedRow(state, at) || sameTie)) return { kind: 'resume', page: pageOfOrdinal(state.ordinal, size) };
  return { kind: 'reset' };
}

/** The first page a pass asks for. */
export const firstPage = (start: PassStart): number => (start.kind === 'resume' ? start.page : 1);

/** Rows before the first page asked for (already stored by earlier passes). */
export const rowsBefore = (start: PassStart, size: number): number => (start.kind === 'resume' ? (start.page - 1) * size : 0);

/** What committing page `n` (with `rowsOnPage` rows) of a pass means. */
export interface PageStep {
  /** The ordinal of the page's last row: the state saved with it. */
  ordinal: number;
  /** The resumed page holds exactly what was saved: nothing new; the saved state is kept as it is. */
  unchanged: boolean;
  /** Rows the run counts for this page: past the saved ordinal only on the resumed page (read before). */
  added: number;
}

export function pageStep(start: PassStart, state: EntityState | undefined, n: number, size: number, rowsOnPage: number): PageStep {
  const ordinal = (n - 1) * size + rowsOnPage;
  const resumedPage = start.kind === 'resume' && state !== undefined && n === start.page;
  return {
    ordinal,
    unchanged: resumedPage && ordinal === state.ordinal,
    added: resumedPage ? ordinal - state.ordinal : rowsOnPage,
  };
}

/** Paging ends at a short page, or when the source's count says page `n` was the last. */
export const isLastPage = (rowsOnPage: number, n: number, size: number, total: number | undefined): boolean =>
  rowsOnPage < size || (total !== undefined && n * size >= total);

/** After a pass: the rows stored must be the source's count (else the entity starts over next attempt). */
export const storedMatchesSource = (stored: number, total: number | undefined): boolean => total === undefined || stored === total;

/**
 * The generation a soft-deleting entity's pass stamps: a pass from page 1 (fresh or reset) is
 * complete and gets one — the saved one when a complete pass was started and not finished (a kill
 * before its first page, a count check that asked for one), a new one for a reset; a resumed pass
 * keeps the saved one (a complete pass continued) or has none (an incremental pass never deletes).
 */
export function passGenerationOf(start: PassStart, state: EntityState | undefined, fresh: () => string): string | undefined {
  if (start.kind === 'resume') return state?.generation;
  if (start.kind === 'reset') return fresh();
  return state?.generation ?? fresh();
}

/** A complete pass closes only when it read as many rows as the source counts (a short page stops it short: nothing deleted). */
export const passReadAll = (rowsSeen: number, total: number | undefined): boolean => total === undefined || rowsSeen >= total;
