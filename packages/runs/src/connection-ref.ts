import { z } from 'zod';
import type { Queryable } from '@datasync/connector-kit';
import { ENV_CONNECTION_ID } from '@datasync/connections';

export { ENV_CONNECTION_ID, ENV_CONNECTION_NAME } from '@datasync/connections';

/**
 * Which connection (account) a run uses. A run names it by id only: the id travels in the job
 * envelope and `sync_runs.connection_id`, the credentials stay sealed in `connections` and are opened
 * by the worker for the run. Without one a run uses the implicit environment connection (the
 * all-zero id), so deployments configured by environment variables change nothing.
 */

/** The optional `connectionId` of every sync request (body field; `connection=` in a query). */
export const connectionIdField = z.uuid({ error: 'must be a connection id (a uuid, see GET /api/connections)' }).optional();

/** The connection a run names is not a connection of its source (unknown, deleted, or another source's). */
export class UnknownConnectionError extends Error {
  readonly code = 'unknown_connection';
  constructor(
    readonly connectionId: string,
    readonly source: string,
    /** The request field that named it (`connectionId`, or `connection` in a query). */
    readonly field = 'connectionId',
  ) {
    super(`is not a connection of ${source} (unknown or deleted): ${connectionId}`);
    this.name = 'UnknownConnectionError';
  }
}

/** The id a run is stored and queued with: the environment connection when none is named. */
export const connectionOrEnv = (connectionId: string | undefined): string => connectionId ?? ENV_CONNECTION_ID;

/**
 * Checks, in the caller's transaction, that `connectionId` names a stored connection of `source`,
 * and holds a share lock on its row until the transaction ends: a concurrent delete waits for the
 * run row, then sees the run (and refuses, 409), instead of leaving a run whose connection is gone.
 */
export async function assertConnectionOf(tx: Queryable, source: string, connectionId: string, field?: string): Promise<void> {
  if (connectionId === ENV_CONNECTION_ID) return;
  const { rowCount } = await tx.query({
    text: 'SELECT 1 FROM connections WHERE id = $1 AND source = $2 FOR KEY SHARE',
    values: [connectionId, source],
  });
  if (rowCount !== 1) throw new UnknownConnectionError(connectionId, source, field);
}
