import type pg from 'pg';

export type AuditAction =
  'created' | 'updated' | 'deleted' | 'rotated' | 'credentials.read' | 'tested' | 'push_secret.created' | 'push_secret.read';

/** Who acts: an API key's id, `cli` (the command line on Postgres directly) or `worker`. */
export type Actor = string;

export interface AuditEventInput {
  actor: Actor;
  connectionId: string | null;
  action: AuditAction;
  /** Non-secret particulars (a run id, the fields changed, a test's outcome); never a credential. */
  detail?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  at: Date;
  actor: string;
  connectionId: string | null;
  action: AuditAction;
  detail: Record<string, unknown>;
}

/** Any pool or transaction client: an audit row goes in the transaction of what it records. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export async function recordAudit(db: Queryable, event: AuditEventInput): Promise<void> {
  await db.query('INSERT INTO audit_events (actor, connection_id, action, detail) VALUES ($1, $2, $3, $4)', [
    event.actor,
    event.connectionId,
    event.action,
    JSON.stringify(event.detail ?? {}),
  ]);
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  connection_id: string | null;
  action: AuditAction;
  detail: Record<string, unknown>;
}

/** Events, newest first: of one connection and/or since a time, at most `limit`. */
export async function listAudit(
  db: Queryable,
  filter: { connectionId?: string; since?: Date; limit?: number } = {},
): Promise<AuditEvent[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT id::text, at, actor, connection_id, action, detail FROM audit_events
     WHERE ($1::uuid IS NULL OR connection_id = $1) AND ($2::timestamptz IS NULL OR at >= $2)
     ORDER BY at DESC, id DESC LIMIT $3`,
    [filter.connectionId ?? null, filter.since ?? null, filter.limit ?? 1000],
  );
  return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, connectionId: r.connection_id, action: r.action, detail: r.detail }));
}
