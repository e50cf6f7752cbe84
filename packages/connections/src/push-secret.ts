import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '@datasync/db';
import { recordAudit, type Actor, type Queryable } from './audit';
import { openCredentials, rewrapDataKey, sealCredentials, type SealedCredentials, type WrappedDataKey } from './envelope';
import { ConnectionNotFound, KeyRingMissing } from './errors';
import type { KeyRing } from './key-ring';
import { isConnectionId } from './store';

/**
 * The secret a third party (a marketplace pushing events) presents to reach one connection: made by
 * DataSync, sealed with the credentials' envelope under its own data key, with additional data of
 * its own (`<id>/push-secret`), so it cannot be swapped with the credentials' columns, and never stored
 * or logged in clear. Shown through authenticated routes only (each reveal audited).
 */
const sealId = (connectionId: string) => `${connectionId}/push-secret`;

interface SecretRow {
  connection_id: string;
  key_id: string;
  wrapped_key: Buffer;
  wrapped_key_iv: Buffer;
  wrapped_key_tag: Buffer;
  secret_iv: Buffer;
  secret_tag: Buffer;
  secret_ciphertext: Buffer;
}

const sealedOf = (row: SecretRow): SealedCredentials => ({
  keyId: row.key_id,
  wrappedKey: row.wrapped_key,
  wrappedKeyIv: row.wrapped_key_iv,
  wrappedKeyTag: row.wrapped_key_tag,
  iv: row.secret_iv,
  tag: row.secret_tag,
  ciphertext: row.secret_ciphertext,
});

const COLUMNS = 'connection_id, key_id, wrapped_key, wrapped_key_iv, wrapped_key_tag, secret_iv, secret_tag, secret_ciphertext';

/** A new secret for the connection (the old one stops working); answered once to the caller. */
export async function createPushSecret(pool: pg.Pool, ring: KeyRing | undefined, connectionId: string, actor: Actor): Promise<string> {
  if (!isConnectionId(connectionId)) throw new ConnectionNotFound(connectionId);
  if (!ring) throw new KeyRingMissing('Storing a push secret');
  // 32 random bytes, URL-safe: it travels in the receiver URL.
  const secret = randomBytes(32).toString('base64url');
  const sealed = sealCredentials(ring, sealId(connectionId), { secret });
  await withTransaction(pool, async (tx) => {
    const { rows } = await tx.query('SELECT 1 FROM connections WHERE id = $1 FOR UPDATE', [connectionId]);
    if (rows.length === 0) throw new ConnectionNotFound(connectionId);
    await tx.query(
      `INSERT INTO connection_push_secrets (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (connection_id) DO UPDATE SET key_id = $2, wrapped_key = $3, wrapped_key_iv = $4, wrapped_key_tag = $5,
         secret_iv = $6, secret_tag = $7, secret_ciphertext = $8, created_at = now()`,
      [connectionId, sealed.keyId, sealed.wrappedKey, sealed.wrappedKeyIv, sealed.wrappedKeyTag, sealed.iv, sealed.tag, sealed.ciphertext],
    );
    await recordAudit(tx, { actor, connectionId, action: 'push_secret.created' });
  });
  return secret;
}

/** The connection's push secret in clear, or undefined when it has none. With `actor`, the reveal is audited. */
export async function readPushSecret(
  db: Queryable,
  ring: KeyRing | undefined,
  connectionId: string,
  actor?: Actor,
): Promise<string | undefined> {
  if (!isConnectionId(connectionId)) return undefined;
  const { rows } = await db.query<SecretRow>(`SELECT ${COLUMNS} FROM connection_push_secrets WHERE connection_id = $1`, [connectionId]);
  const row = rows[0];
  if (!row) return undefined;
  if (!ring) throw new KeyRingMissing('Reading a push secret');
  const { secret } = openCredentials(ring, sealId(connectionId), sealedOf(row));
  if (actor) await recordAudit(db, { actor, connectionId, action: 'push_secret.read' });
  return secret;
}

/** Compares a presented secret with the stored one in constant time (digests, so lengths do not leak). */
export function samePushSecret(presented: string, stored: string): boolean {
  const d = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(presented), d(stored));
}

/** `keys rotate` for push secrets: the data key re-wrapped under the current master key; the secret's ciphertext untouched. */
export async function rotatePushSecrets(
  pool: pg.Pool,
  ring: KeyRing,
): Promise<{ rewrapped: number; failed: { id: string; keyId: string; error: string }[] }> {
  const out = { rewrapped: 0, failed: [] as { id: string; keyId: string; error: string }[] };
  const { rows } = await pool.query<{ id: string }>('SELECT connection_id AS id FROM connection_push_secrets WHERE key_id <> $1', [
    ring.current,
  ]);
  for (const { id } of rows) {
    await withTransaction(pool, async (tx) => {
      const { rows: locked } = await tx.query<SecretRow>(
        `SELECT ${COLUMNS} FROM connection_push_secrets WHERE connection_id = $1 FOR UPDATE`,
        [id],
      );
      const row = locked[0];
      if (!row || row.key_id === ring.current) return;
      let wrapped: WrappedDataKey;
      try {
        wrapped = rewrapDataKey(ring, sealId(id), sealedOf(row));
      } catch (err) {
        out.failed.push({ id, keyId: row.key_id, error: (err as Error).message });
        return;
      }
      await tx.query(
        'UPDATE connection_push_secrets SET key_id = $2, wrapped_key = $3, wrapped_key_iv = $4, wrapped_key_tag = $5 WHERE connection_id = $1',
        [id, wrapped.keyId, wrapped.wrappedKey, wrapped.wrappedKeyIv, wrapped.wrappedKeyTag],
      );
      out.rewrapped++;
    });
  }
  return out;
}
