import type { z } from 'zod';
import type { Queryable, Statement } from '@datasync/connector-kit';
import { ENV_CONNECTION_ID } from './connection-ref';

/**
 * Where an incremental stream stands between runs (`stream_state`): one row per source, stream,
 * scope (a company id, a marketplace; '' when the stream has a single state) and connection (the
 * account that read it: two accounts' streams never share a cursor). Saved in the
 * transaction of the page it describes, so it is never ahead of the data.
 *
 * A run's own resume point is not this: `sync_runs.checkpoint` (RunContext `checkpoint`) belongs to
 * one run and its retries — the next page of that run's search, the next day of its window — and
 * is dropped with the run; a stream's state outlives every run and is what the next run starts from.
 */
export interface StreamKey {
  source: string;
  stream: string;
  scope: string;
  /** The connection the stream is read through; the environment connection when left out. */
  connectionId?: string;
}

const conn = (key: StreamKey): string => key.connectionId ?? ENV_CONNECTION_ID;

export class StreamStateError extends Error {
  constructor(key: StreamKey, detail: string) {
    super(`stream state of ${key.source}/${key.stream}/${key.scope} (connection ${conn(key)}) is not valid: ${detail}`);
    this.name = 'StreamStateError';
  }
}

/** The stream's saved state, checked by its schema; undefined when the stream has none yet. */
export async function readStreamState<S>(db: Queryable, key: StreamKey, schema: z.ZodType<S>): Promise<S | undefined> {
  const { rows } = await db.query<{ state: unknown }>(
    'SELECT state FROM stream_state WHERE source = $1 AND stream = $2 AND scope = $3 AND connection_id = $4',
    [key.source, key.stream, key.scope, conn(key)],
  );
  if (!rows[0]) return undefined;
  const parsed = schema.safeParse(rows[0].state);
  if (!parsed.success) throw new StreamStateError(key, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Saves the stream's state in the caller's transaction; an unchanged state is not written again (no new row version). */
export async function saveStreamState<S>(tx: Queryable, key: StreamKey, state: S): Promise<void> {
  const { text, values } = streamStateStatement(key, state);
  await tx.query(text, [...values]);
}

/** The statement `saveStreamState` runs, to send with a page's own writes (`oneStatement`: one round trip). */
export function streamStateStatement<S>(key: StreamKey, state: S): Statement {
  return {
    text: `INSERT INTO stream_state (source, stream, scope, connection_id, state, updated_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (source, stream, scope, connection_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()
     WHERE stream_state.state IS DISTINCT FROM EXCLUDED.state`,
    values: [key.source, key.stream, key.scope, conn(key), JSON.stringify(state)],
  };
}

/** Forgets the stream's state (the next read starts from the beginning). */
export async function deleteStreamState(tx: Queryable, key: StreamKey): Promise<void> {
  await tx.query('DELETE FROM stream_state WHERE source = $1 AND stream = $2 AND scope = $3 AND connection_id = $4', [
    key.source,
    key.stream,
    key.scope,
    conn(key),
  ]);
}
