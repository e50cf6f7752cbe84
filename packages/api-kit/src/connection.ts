import { z } from 'zod';
import { connectionIdField } from '@datasync/runs';
import { parseOr400 } from './errors';

/**
 * Every sync request's optional connection (account): `connectionId` in a JSON body, `connection`
 * in a query string (Avito's GET routes). Taken apart from the source's own parameters, so no
 * source declares it; `submitRun` checks it names a connection of the source (400 otherwise).
 */

export const connectionDoc = { connectionId: connectionIdField };
export const queryConnectionDoc = { connection: connectionIdField };

const withConnection = z.object(connectionDoc).loose();
const queryConnection = z.object(queryConnectionDoc).loose();

/** The body's `connectionId` (400 naming it when it is not a uuid) and the rest of the body. */
export function takeConnection(body: unknown): { connectionId?: string; rest: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('connectionId' in body)) return { rest: body };
  const { connectionId, ...rest } = parseOr400(withConnection, body);
  return { connectionId, rest };
}

/** The query's `connection=`; with `connectionField: 'connection'` for submitRun's error. */
export function takeQueryConnection(query: unknown): { connectionId?: string; connectionField: string } {
  return { connectionId: parseOr400(queryConnection, query ?? {}).connection, connectionField: 'connection' };
}
