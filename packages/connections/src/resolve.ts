import type pg from 'pg';
import { withTransaction } from '@datasync/db';
import { recordAudit, type Actor } from './audit';
import { openCredentials, type SealedCredentials } from './envelope';
import { ConnectionNotFound, KeyRingMissing } from './errors';
import type { KeyRing } from './key-ring';
import { isConnectionId } from './store';

/** A connection ready to use: its settings and its credentials in clear (never logged, never stored elsewhere). */
export interface ResolvedConnection {
  id: string;
  source: string;
  name: string;
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
}

interface SealedRow {
  id: string;
  source: string;
  name: string;
  settings: Record<string, unknown>;
  key_id: string;
  wrapped_key: Buffer;
  wrapped_key_iv: Buffer;
  wrapped_key_tag: Buffer;
  credentials_iv: Buffer;
  credentials_tag: Buffer;
  credentials_ciphertext: Buffer;
}

export function sealedOf(row: SealedRow): SealedCredentials {
  return {
    keyId: row.key_id,
    wrappedKey: row.wrapped_key,
    wrappedKeyIv: row.wrapped_key_iv,
    wrappedKeyTag: row.wrapped_key_tag,
    iv: row.credentials_iv,
    tag: row.credentials_tag,
    ciphertext: row.credentials_ciphertext,
  };
}

export const SEALED_COLUMNS =
  'id, source, name, settings, key_id, wrapped_key, wrapped_key_iv, wrapped_key_tag, credentials_iv, credentials_tag, credentials_ciphertext';

/**
 * Opens a stored connection of `source` for use (a run, a test): its credentials in clear, its
 * `last_used_at` bumped and a `credentials.read` audit event (with the run id) in one transaction.
 * An unknown or deleted id, or one of another source → ConnectionNotFound; credentials that do not
 * open → CredentialsUnreadable. The `env` connection is not a row: the caller builds it from its config.
 */
export async function resolveConnection(
  pool: pg.Pool,
  ring: KeyRing | undefined,
  request: { source: string; connectionId: string; actor: Actor; runId?: string },
): Promise<ResolvedConnection> {
  const { connectionId } = request;
  if (!isConnectionId(connectionId)) throw new ConnectionNotFound(connectionId);
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<SealedRow>(`SELECT ${SEALED_COLUMNS} FROM connections WHERE id = $1 AND source = $2`, [
      connectionId,
      request.source,
    ]);
    const row = rows[0];
    if (!row) throw new ConnectionNotFound(connectionId);
    if (!ring) throw new KeyRingMissing('Reading stored credentials');
    const credentials = openCredentials(ring, row.id, sealedOf(row));
    await tx.query('UPDATE connections SET last_used_at = now() WHERE id = $1', [row.id]);
    await recordAudit(tx, {
      actor: request.actor,
      connectionId: row.id,
      action: 'credentials.read',
      detail: request.runId ? { runId: request.runId } : {},
    });
    return { id: row.id, source: row.source, name: row.name, settings: row.settings, credentials };
  });
}

/**
 * A stored connection of `source` with its credentials in clear, or undefined if there is no such
 * row: for checking what a third party claims (a pushing marketplace's seller id) against the
 * connection, not for using the credentials, so it neither bumps `last_used_at` nor writes an audit
 * event (a push is not a read by a person or a run, and a burst of them would flood the trail).
 */
export async function peekConnection(
  db: Pick<pg.Pool, 'query'>,
  ring: KeyRing | undefined,
  request: { source: string; connectionId: string },
): Promise<ResolvedConnection | undefined> {
  if (!isConnectionId(request.connectionId)) return undefined;
  const { rows } = await db.query<SealedRow>(`SELECT ${SEALED_COLUMNS} FROM connections WHERE id = $1 AND source = $2`, [
    request.connectionId,
    request.source,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  if (!ring) throw new KeyRingMissing('Reading stored credentials');
  return {
    id: row.id,
    source: row.source,
    name: row.name,
    settings: row.settings,
    credentials: openCredentials(ring, row.id, sealedOf(row)),
  };
}
