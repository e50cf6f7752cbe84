import { createHash } from 'node:crypto';
import type pg from 'pg';
import { UpstreamAuthError } from '@datasync/connector-kit';
import {
  ConnectionNotFound,
  CredentialsUnreadable,
  ENV_CONNECTION_ID,
  ENV_CONNECTION_NAME,
  KeyRingMissing,
  markConnectionState,
  resolveConnection,
  type KeyRing,
} from '@datasync/connections';

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
    super(
      `connection ${connectionId} of ${source} no longer exists (deleted after the run was queued); start the run again with an existing connection`,
    );
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
  return createHash('sha256')
    .update(JSON.stringify([settings, credentials]))
    .digest('base64url')
    .slice(0, 22);
}

/** Only the environment connection: a worker without a key ring cannot open a stored connection. */
export const envOnlyResolver: ConnectionResolver = ({ connectionId }) => {
  if (connectionId === ENV_CONNECTION_ID) return Promise.resolve(envConnection);
  return Promise.reject(new KeyRingMissing(`Opening connection ${connectionId}`));
};

/**
 * The worker's resolver: the environment connection as it is, a stored one opened with the key
 * ring (`resolveConnection`: last_used_at bumped, a `credentials.read` audit event by "worker"
 * with the run id). A deleted connection is `ConnectionGone`.
 */
export function storedConnectionResolver(pool: pg.Pool, ring: KeyRing | undefined): ConnectionResolver {
  return async ({ source, connectionId, runId }) => {
    if (connectionId === ENV_CONNECTION_ID) return envConnection;
    try {
      const c = await resolveConnection(pool, ring, { source, connectionId, actor: 'worker', runId });
      return {
        id: c.id,
        name: c.name,
        settings: c.settings,
        credentials: c.credentials,
        version: connectionVersion(c.settings, c.credentials),
      };
    } catch (err) {
      if (err instanceof ConnectionNotFound) throw new ConnectionGone(connectionId, source);
      throw err;
    }
  };
}

/** What no retry of the run can change: the connection is gone, or its credentials cannot be opened with this key ring. */
export const isFinalConnectionError = (err: unknown): boolean =>
  err instanceof ConnectionGone || err instanceof CredentialsUnreadable || err instanceof KeyRingMissing;

/** `markConnection` for the run worker: the connection's state in `connections`. */
export const connectionStateMarker =
  (pool: pg.Pool) =>
  (connectionId: string, state: { ok: true } | { ok: false; error: string }): Promise<void> =>
    markConnectionState(pool, connectionId, state);

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
