import { createHash } from 'node:crypto';
import { ConnectionNotFound, ENV_CONNECTION_ID, resolveConnection } from '@datasync/connections';
import { DatawizClient, datawizOptionsFromConfig } from '@datasync/datawiz-client';
import { InvalidRequestError, keyRingOf, type GatewayDeps } from '@datasync/api-kit';
import { datawizConfig } from '../config';

/**
 * The Datawiz client a gateway request uses: the environment's (DATAWIZ_* of the gateway's config)
 * when no connection is named, else the stored connection's credentials and base URL, opened with
 * the gateway's key ring (DATASYNC_KEYS) — audited as a `credentials.read` like a run's. Clients are
 * kept between requests (each holds its OAuth token); a stored connection's by id and a digest of
 * its credentials and settings, so a PATCH of either gets a fresh client.
 */

const envClients = new WeakMap<GatewayDeps['config'], DatawizClient>();
const storedClients = new Map<string, DatawizClient>();
function baseOptions(deps: GatewayDeps) {
  return datawizOptionsFromConfig({ ...deps.config, ...datawizConfig.parse(deps.config) }, deps.log);
}

export interface ConnectionClient {
  client: DatawizClient;
  /** The stored connection's id; undefined for the environment connection. */
  connectionId?: string;
  connectionName?: string;
}

/** `connectionId` unknown, deleted or another source's → 400 naming connectionId; no key ring → 503 (KeyRingMissing). */
export async function clientForConnection(deps: GatewayDeps, connectionId: string | undefined, actor: string): Promise<ConnectionClient> {
  if (connectionId === undefined || connectionId === ENV_CONNECTION_ID) {
    let client = envClients.get(deps.config);
    if (!client) {
      client = new DatawizClient(baseOptions(deps));
      envClients.set(deps.config, client);
    }
    return { client };
  }
  let resolved;
  try {
    resolved = await resolveConnection(deps.pool, keyRingOf(deps), { source: 'datawiz', connectionId, actor });
  } catch (err) {
    if (err instanceof ConnectionNotFound)
      throw new InvalidRequestError(
        [{ field: 'connectionId', message: `is not a connection of datawiz (unknown or deleted): ${connectionId}` }],
        'connectionId is not a connection of datawiz; nothing was sent to Datawiz',
      );
    throw err;
  }
  const { credentials: c, settings } = resolved;
  const digest = createHash('sha256')
    .update(JSON.stringify([c, settings]))
    .digest('hex');
  const key = `${resolved.id}:${digest}`;
  let client = storedClients.get(key);
  if (!client) {
    for (const k of storedClients.keys()) if (k.startsWith(`${resolved.id}:`)) storedClients.delete(k);
    const base = baseOptions(deps);
    client = new DatawizClient({
      ...base,
      baseURL: typeof settings.baseUrl === 'string' ? settings.baseUrl.replace(/\/+$/, '') : base.baseURL,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      username: c.username,
      password: c.password,
    });
    storedClients.set(key, client);
  }
  return { client, connectionId: resolved.id, connectionName: resolved.name };
}
