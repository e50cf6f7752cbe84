import { createHash } from 'node:crypto';
import { UpstreamAuthError } from '@datasync/connector-kit';
import { ENV_CONNECTION_ID, ENV_CONNECTION_NAME } from './connection-ref';

/**
 * The connection (account) one run uses, as its handler sees it. Resolved by the worker for each
 * run from the id in the job envelope: the environment connection from the source's config, a
 * stored one opened from `connections` with the key ring (DATASYNC_KEYS). Held in memory for the
 * run only; never logged, never written anywhere.
 */
export interface RunConnection {
  id: string;
  name: string;
  /** Non-secret settings of the connection (base URL override, rate limits, account ids …). */
  settings: Record<string, unknown>;
  /** The opened credentials; undefined for the environment connection (the source reads its config). */
  credentials: Record<string, string> | undefined;
  /**
   * Changes whenever the connection's settings or credentials change: a per-connection client
   * cache keyed by (id, version) never serves an edited connection's old client. A digest, not the values.
   */
  version: string;
}

/** Opens the connection a run names. Throws `ConnectionGone` when it no longer exists. */
export type ConnectionResolver = (args: { source: string; connectionId: string; runId: string }) => Promise<RunConnection>;

/** A run names a connection that was deleted after the run was queued (or never existed). */
export class ConnectionGone extends Error {
  constructor(connectionId: string, source: string) {
    super(`connection ${connectionId} of ${source} no longer exists (deleted after the run was queued); start the run again with an existing connection`);
    this.name = 'ConnectionGone';
  }
}

export const envConnection: RunConnection = Object.freeze({
  id: ENV_CONNECTION_ID,
  name: ENV_CONNECTION_NAME,
  settings: {},
  credentials: undefined,
  version: 'env',
});

/** A digest of what a connection holds, for `RunConnection.version`. */
export function connectionVersion(settings: unknown, credentials: unknown): string {
  return createHash('sha256').update(JSON.stringify([settings, credentials])).digest('base64url').slice(0, 22);
}

/** Only the environment connection: a worker without a key ring cannot open a stored connection. */
export const envOnlyResolver: ConnectionResolver = ({ connectionId }) => {
  if (connectionId === ENV_CONNECTION_ID) return Promise.resolve(envConnection);
  return Promise.reject(new Error(`this worker cannot open stored connections: DATASYNC_KEYS is not set (run names connection ${connectionId})`));
};

/** Whether a run's error says the upstream refused the connection's credentials (the connection is then marked failing). */
export const isAuthFailure = (err: unknown): boolean => err instanceof UpstreamAuthError;

/**
 * Per-connection clients (transports with their own credentials and rate limits), built once per
 * connection and version and reused by every run of that connection in this process.
 */
export class ConnectionClients<T> {
  private readonly clients = new Map<string, { version: string; client: T }>();

  constructor(private readonly build: (connection: RunConnection) => T) {}

  for(connection: RunConnection): T {
    const held = this.clients.get(connection.id);
    if (held && held.version === connection.version) return held.client;
    const client = this.build(connection);
    this.clients.set(connection.id, { version: connection.version, client });
    return client;
  }
}
