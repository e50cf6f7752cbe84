import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '@datasync/db';
import { recordAudit, type Actor } from './audit';
import { sealCredentials, type SealedCredentials } from './envelope';
import { ConnectionError, ConnectionNotFound, DuplicateConnectionName, KeyRingMissing } from './errors';
import type { KeyRing } from './key-ring';

export type ConnectionState = 'ok' | 'failing';

/** A connection as anyone may see it: everything but its credentials. */
export interface Connection {
  id: string;
  source: string;
  name: string;
  settings: Record<string, unknown>;
  state: ConnectionState;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** The master key wrapping its data key (a key id, not a secret). */
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
}

/** Columns of the public part; the sealed ones are read by `readSealed` only. */
export const CONNECTION_COLUMNS =
  'id, source, name, settings, state, last_error, last_error_at, key_id, created_at, updated_at, last_used_at';

export interface ConnectionRow {
  id: string;
  source: string;
  name: string;
  settings: Record<string, unknown>;
  state: ConnectionState;
  last_error: string | null;
  last_error_at: Date | null;
  key_id: string;
  created_at: Date;
  updated_at: Date;
  last_used_at: Date | null;
}

export function connectionOf(row: ConnectionRow): Connection {
  return {
    id: row.id,
    source: row.source,
    name: row.name,
    settings: row.settings,
    state: row.state,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    keyId: row.key_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A connection id as text: anything but a uuid is no connection (never a database cast error). */
export const isConnectionId = (id: string) => UUID.test(id);

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

export interface NewConnection {
  source: string;
  name: string;
  /** Validated by the source's declaration before this is called. */
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
  actor: Actor;
}

/** Stores a connection, its credentials sealed, with its `created` audit event in one transaction. */
export async function createConnection(pool: pg.Pool, ring: KeyRing | undefined, input: NewConnection): Promise<Connection> {
  if (!ring) throw new KeyRingMissing('Storing credentials');
  const id = randomUUID();
  const sealed = sealCredentials(ring, id, input.credentials);
  try {
    return await withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<ConnectionRow>(
        `INSERT INTO connections (id, source, name, settings, key_id, wrapped_key, wrapped_key_iv, wrapped_key_tag,
           credentials_iv, credentials_tag, credentials_ciphertext)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${CONNECTION_COLUMNS}`,
        [id, input.source, input.name, JSON.stringify(input.settings), ...sealedValues(sealed)],
      );
      await recordAudit(tx, {
        actor: input.actor,
        connectionId: id,
        action: 'created',
        detail: { source: input.source, name: input.name, credentialFields: Object.keys(input.credentials).sort(), keyId: sealed.keyId },
      });
      return connectionOf(rows[0]!);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateConnectionName(input.source, input.name);
    throw err;
  }
}

function sealedValues(sealed: SealedCredentials): unknown[] {
  return [sealed.keyId, sealed.wrappedKey, sealed.wrappedKeyIv, sealed.wrappedKeyTag, sealed.iv, sealed.tag, sealed.ciphertext];
}

export async function getConnection(pool: pg.Pool, id: string): Promise<Connection> {
  if (!isConnectionId(id)) throw new ConnectionNotFound(id);
  const { rows } = await pool.query<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE id = $1`, [id]);
  if (!rows[0]) throw new ConnectionNotFound(id);
  return connectionOf(rows[0]);
}

/** Every stored connection (of one source), by source then name. */
export async function listConnections(pool: pg.Pool, filter: { source?: string } = {}): Promise<Connection[]> {
  const { rows } = await pool.query<ConnectionRow>(
    `SELECT ${CONNECTION_COLUMNS} FROM connections WHERE ($1::text IS NULL OR source = $1) ORDER BY source, name, id`,
    [filter.source ?? null],
  );
  return rows.map(connectionOf);
}

export interface ConnectionChanges {
  name?: string;
  /** The whole new settings (validated by the declaration), not a patch. */
  settings?: Record<string, unknown>;
  /** The whole new credentials (validated by the declaration), sealed under a fresh data key. */
  credentials?: Record<string, string>;
  actor: Actor;
}

/** Changes a connection; new credentials need the key ring. One `updated` event naming what changed. */
export async function updateConnection(
  pool: pg.Pool,
  ring: KeyRing | undefined,
  id: string,
  changes: ConnectionChanges,
): Promise<Connection> {
  if (!isConnectionId(id)) throw new ConnectionNotFound(id);
  if (changes.credentials && !ring) throw new KeyRingMissing('Storing credentials');
  const sealed = changes.credentials && ring ? sealCredentials(ring, id, changes.credentials) : undefined;
  let source = '';
  try {
    return await withTransaction(pool, async (tx) => {
      const current = await tx.query<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE id = $1 FOR UPDATE`, [id]);
      if (!current.rows[0]) throw new ConnectionNotFound(id);
      source = current.rows[0].source;
      const sets: string[] = [];
      const values: unknown[] = [id];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (changes.name !== undefined) set('name', changes.name);
      if (changes.settings !== undefined) set('settings', JSON.stringify(changes.settings));
      if (sealed) {
        const [keyId, wrappedKey, wrappedKeyIv, wrappedKeyTag, iv, tag, ciphertext] = sealedValues(sealed);
        set('key_id', keyId);
        set('wrapped_key', wrappedKey);
        set('wrapped_key_iv', wrappedKeyIv);
        set('wrapped_key_tag', wrappedKeyTag);
        set('credentials_iv', iv);
        set('credentials_tag', tag);
        set('credentials_ciphertext', ciphertext);
        // New credentials have not been refused yet.
        set('state', 'ok');
        set('last_error', null);
        set('last_error_at', null);
      }
      const { rows } = await tx.query<ConnectionRow>(
        `UPDATE connections SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${CONNECTION_COLUMNS}`,
        values,
      );
      const changed = [
        ...(changes.name !== undefined ? ['name'] : []),
        ...(changes.settings !== undefined ? ['settings'] : []),
        ...(sealed ? ['credentials'] : []),
      ];
      await recordAudit(tx, {
        actor: changes.actor,
        connectionId: id,
        action: 'updated',
        detail: {
          changed,
          ...(changes.name !== undefined && changes.name !== current.rows[0].name
            ? { name: { from: current.rows[0].name, to: changes.name } }
            : {}),
          ...(changes.credentials ? { credentialFields: Object.keys(changes.credentials).sort() } : {}),
        },
      });
      return connectionOf(rows[0]!);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateConnectionName(source, changes.name ?? '');
    throw err;
  }
}

/** A run queued or running with the connection holds it: deleting it would strand the run. */
export class ConnectionInUse extends ConnectionError {
  constructor(
    readonly connectionId: string,
    readonly runIds: string[],
  ) {
    super(
      `connection ${connectionId} is used by ${runIds.length === 1 ? 'run' : 'runs'} ${runIds.join(', ')} (queued or running); delete it once they end`,
      409,
      'conflict',
    );
  }
}

/** A schedule names the connection: deleting it would leave the schedule's ticks without an account. */
export class ConnectionScheduled extends ConnectionError {
  constructor(
    readonly connectionId: string,
    readonly schedules: { id: string; name: string | null }[],
  ) {
    const named = schedules.map((s) => (s.name ? `${s.id} ("${s.name}")` : s.id)).join(', ');
    super(
      `connection ${connectionId} is used by ${schedules.length === 1 ? 'schedule' : 'schedules'} ${named}; delete ${schedules.length === 1 ? 'it' : 'them'} first (DELETE /api/schedules/:id)`,
      409,
      'conflict',
    );
  }
}

/**
 * Deletes a connection (its sealed credentials with it) unless a queued or running run or a schedule names it.
 * The row is locked first, so a submit that locks it `FOR SHARE` either lands before (and is seen
 * here) or waits and then finds it gone.
 */
export async function deleteConnection(pool: pg.Pool, id: string, actor: Actor): Promise<Connection> {
  if (!isConnectionId(id)) throw new ConnectionNotFound(id);
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE id = $1 FOR UPDATE`, [id]);
    const row = rows[0];
    if (!row) throw new ConnectionNotFound(id);
    const runs = await tx.query<{ id: string }>(
      `SELECT id FROM sync_runs WHERE connection_id = $1 AND state IN ('queued', 'running') ORDER BY created_at LIMIT 20`,
      [id],
    );
    if (runs.rows.length > 0)
      throw new ConnectionInUse(
        id,
        runs.rows.map((r) => r.id),
      );
    // A schedule naming it would tick into runs of a connection that is gone.
    const schedules = await tx.query<{ id: string; name: string | null }>(
      `SELECT id, name FROM schedules WHERE connection_id = $1 ORDER BY created_at, id LIMIT 20`,
      [id],
    );
    if (schedules.rows.length > 0) throw new ConnectionScheduled(id, schedules.rows);
    await tx.query('DELETE FROM connections WHERE id = $1', [id]);
    await recordAudit(tx, { actor, connectionId: id, action: 'deleted', detail: { source: row.source, name: row.name } });
    return connectionOf(row);
  });
}
