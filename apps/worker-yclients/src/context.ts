import type pg from 'pg';
import { z } from 'zod';
import type { Statement } from '@datasync/connector-kit';
import type { RunContext } from '@datasync/runs';

/** What every part of a YClients company sync shares: the run context, its checkpoint, progress and page writes. */

export const SOURCE = 'yclients';

/**
 * The run's checkpoint: the entity (and page, ordinal) its last committed write was. A retry does
 * not read it: every entity's place between runs and attempts is its stream state (`incremental.ts`).
 */
export const checkpointSchema = z.object({
  entity: z.string(),
  page: z.number().int().optional(),
  ordinal: z.number().int().optional(),
  /** A page-edge day of transactions read again. */
  repaired: z.string().optional(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;
export type Ctx = RunContext<{ companyId: number }, Checkpoint>;
export type Tx = pg.PoolClient;

/** Entity progress shown in GET /api/runs/:id as `progress.entities`. */
export type EntityProgress = Record<string, { state: 'running' | 'done' | 'reset'; rows: number; page?: number; total?: number | null }>;

/**
 * A page's writes with every parameter built (made while the previous page is being written): the
 * statements to run in order, `also` (its stream state) joined to the last one. One statement is
 * committed with the run's checkpoint as one, without an explicit transaction (`commitStatements`).
 */
export type PageWrite = (also?: Statement) => Statement[];
