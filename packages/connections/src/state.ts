import type { Queryable } from './audit';
import { isConnectionId } from './store';

/**
 * Records what the upstream last said of a connection's credentials: `ok`, or `failing` with the
 * error and when (a test, or a run refused with 401/403). The error is the upstream's refusal as
 * our code words it, never a credential. Unknown ids (the env connection) change nothing.
 */
export async function markConnectionState(db: Queryable, id: string, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
  if (!isConnectionId(id)) return;
  if (outcome.ok) {
    await db.query(`UPDATE connections SET state = 'ok', last_error = NULL, last_error_at = NULL WHERE id = $1`, [id]);
  } else {
    await db.query(`UPDATE connections SET state = 'failing', last_error = $2, last_error_at = now() WHERE id = $1`, [
      id,
      outcome.error.slice(0, 2000),
    ]);
  }
}
