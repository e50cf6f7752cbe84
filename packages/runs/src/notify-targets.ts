import type pg from 'pg';
import type { NotifyTarget } from '@datasync/queues';

/**
 * A run's notification targets, one row each in `run_notify_targets` (a webhook URL or an email
 * address), with its delivery state. The `run.finished` event enqueues one delivery job per
 * pending row, with the row's id as job id, so each target is called once however often the event
 * is handled; targets are only ever added while the run's lock row is held (see `submitRun`), so
 * none can arrive after the event read them.
 */
export type NotifyKind = 'webhook' | 'email';
export type NotifyState = 'pending' | 'delivered' | 'failed' | 'refused';

export interface NotifyTargetRow {
  id: string;
  runId: string;
  kind: NotifyKind;
  address: string;
  state: NotifyState;
  attempts: number;
  lastError: string | null;
}

/** Without a setting: at most this many targets per run (NOTIFY_MAX_TARGETS_PER_RUN). */
export const DEFAULT_MAX_NOTIFY_TARGETS = 20;

/** The run already holds as many targets as it may: 429, nothing added. */
export class NotifyQuotaError extends Error {
  readonly status = 429;
  readonly code = 'too_many_targets';
}

type Q = Pick<pg.Pool | pg.PoolClient, 'query'>;

const COLUMNS = `id::text AS id, run_id AS "runId", kind, address, state, attempts, last_error AS "lastError"`;

/** `[{webhookUrl?, email?}]` as distinct (kind, address) pairs. */
export function targetAddresses(targets: readonly NotifyTarget[] = []): { kind: NotifyKind; address: string }[] {
  const out = new Map<string, { kind: NotifyKind; address: string }>();
  for (const t of targets) {
    if (t.webhookUrl) out.set(`webhook ${t.webhookUrl}`, { kind: 'webhook', address: t.webhookUrl });
    if (t.email) out.set(`email ${t.email}`, { kind: 'email', address: t.email });
  }
  return [...out.values()];
}

/**
 * Adds targets to a run, inside the caller's transaction, which must hold the run's lock row (or
 * have just created the run). Targets the run already has are not added twice; beyond `max`
 * distinct targets it throws `NotifyQuotaError` and the caller's transaction adds nothing.
 */
export async function addNotifyTargets(tx: Q, runId: string, targets: readonly NotifyTarget[] | undefined, max: number): Promise<void> {
  const wanted = targetAddresses(targets);
  if (wanted.length === 0) return;
  const inserted = await tx.query({
    text: `INSERT INTO run_notify_targets (run_id, kind, address)
           SELECT $1, kind, address FROM unnest($2::text[], $3::text[]) AS t(kind, address)
           ON CONFLICT (run_id, kind, address) DO NOTHING`,
    values: [runId, wanted.map((w) => w.kind), wanted.map((w) => w.address)],
  });
  if (!inserted.rowCount) return;
  const { rows } = await tx.query({
    text: 'SELECT count(*)::int AS n FROM run_notify_targets WHERE run_id = $1',
    values: [runId],
  });
  const n = (rows[0] as { n: number }).n;
  if (n > max) {
    throw new NotifyQuotaError(
      `run ${runId} already has ${n - inserted.rowCount} notification targets, the most one run may have is ${max} (NOTIFY_MAX_TARGETS_PER_RUN); nothing was added`,
    );
  }
}

/** Every target of a run, oldest first. */
export async function listNotifyTargets(db: Q, runId: string): Promise<NotifyTargetRow[]> {
  const { rows } = await db.query({
    text: `SELECT ${COLUMNS} FROM run_notify_targets WHERE run_id = $1 ORDER BY id`,
    values: [runId],
  });
  return rows as NotifyTargetRow[];
}

export async function getNotifyTarget(db: Q, id: string): Promise<NotifyTargetRow | undefined> {
  const { rows } = await db.query({
    text: `SELECT ${COLUMNS} FROM run_notify_targets WHERE id = $1`,
    values: [id],
  });
  return rows[0] as NotifyTargetRow | undefined;
}

/** Records an attempt's outcome: `delivered`, `refused`, `failed` (the last attempt), or still `pending` with the error. */
export async function recordNotifyAttempt(db: Q, id: string, state: NotifyState, error?: string): Promise<void> {
  await db.query({
    text: `UPDATE run_notify_targets SET state = $2, attempts = attempts + 1, last_error = $3,
             delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
           WHERE id = $1`,
    values: [id, state, error ?? null],
  });
}
