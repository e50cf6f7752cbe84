import type pg from 'pg';
import { withTransaction } from '@datasync/db';
import { recordAudit, type Actor } from './audit';
import { rewrapDataKey } from './envelope';
import { rotatePushSecrets } from './push-secret';
import type { KeyRing } from './key-ring';
import { sealedOf, SEALED_COLUMNS } from './resolve';

export interface RotationReport {
  /** The master key every data key is now wrapped with. */
  current: string;
  /** Connections whose data key was re-wrapped (from → current). */
  rewrapped: { id: string; from: string }[];
  /** Connections already under the current key. */
  alreadyCurrent: number;
  /** Connections whose data key could not be opened (their key id is missing, or it was altered): left as they were. */
  failed: { id: string; keyId: string; error: string }[];
  /** Push secrets (connection_push_secrets) whose data key was re-wrapped; their failures are in `failed` too. */
  pushSecretsRewrapped: number;
}

/**
 * `keys rotate`: re-wraps the data key of every connection not yet under the ring's current master
 * key. Only `key_id` and the wrapped key's columns change; the credentials' ciphertext, IV and tag
 * stay byte for byte, so the credentials themselves are never decrypted or rewritten. Each
 * connection is its own transaction (row-locked, with a `rotated` audit event), so a rotation
 * stopped half-way leaves every row readable under the key it names, and running it again finishes.
 */
export async function rotateKeys(pool: pg.Pool, ring: KeyRing, actor: Actor): Promise<RotationReport> {
  const report: RotationReport = { current: ring.current, rewrapped: [], alreadyCurrent: 0, failed: [], pushSecretsRewrapped: 0 };
  const { rows: candidates } = await pool.query<{ id: string; current: boolean }>(
    'SELECT id, key_id = $1 AS current FROM connections ORDER BY id',
    [ring.current],
  );
  for (const candidate of candidates) {
    if (candidate.current) {
      report.alreadyCurrent++;
      continue;
    }
    await withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<Parameters<typeof sealedOf>[0]>(
        `SELECT ${SEALED_COLUMNS} FROM connections WHERE id = $1 FOR UPDATE`,
        [candidate.id],
      );
      const row = rows[0];
      // Deleted meanwhile, or rotated by a concurrent rotation.
      if (!row) return;
      if (row.key_id === ring.current) {
        report.alreadyCurrent++;
        return;
      }
      let wrapped;
      try {
        wrapped = rewrapDataKey(ring, row.id, sealedOf(row));
      } catch (err) {
        report.failed.push({ id: row.id, keyId: row.key_id, error: (err as Error).message });
        return;
      }
      await tx.query('UPDATE connections SET key_id = $2, wrapped_key = $3, wrapped_key_iv = $4, wrapped_key_tag = $5 WHERE id = $1', [
        row.id,
        wrapped.keyId,
        wrapped.wrappedKey,
        wrapped.wrappedKeyIv,
        wrapped.wrappedKeyTag,
      ]);
      await recordAudit(tx, { actor, connectionId: row.id, action: 'rotated', detail: { from: row.key_id, to: wrapped.keyId } });
      report.rewrapped.push({ id: row.id, from: row.key_id });
    });
  }
  // The push secrets have data keys of their own under the same master keys.
  const secrets = await rotatePushSecrets(pool, ring);
  report.pushSecretsRewrapped = secrets.rewrapped;
  report.failed.push(...secrets.failed.map((f) => ({ ...f, error: `push secret: ${f.error}` })));
  return report;
}
