import { ENV_CONNECTION_ID, getConnection, updateConnection } from '@datasync/connections';
import { actorOf, keyRingOf, ApiError, errorSchema, InvalidRequestError, parseOr400, type FieldError, type Route } from '@datasync/api-kit';
import {
  connectionIdParams,
  connectionSchema,
  connectionView,
  parseCredentials,
  parseSettings,
  patchConnectionBody,
  requireKeyRing,
  sourceOr400,
} from './connection-schemas';

export const patchConnection: Route = {
  method: 'patch',
  path: '/api/connections/:id',
  summary: 'Rename a connection, replace its settings, or replace its credentials (validated and sealed again)',
  tag: 'connections',
  params: connectionIdParams,
  body: patchConnectionBody,
  responses: {
    200: { description: 'Changed', schema: connectionSchema },
    400: { description: 'A malformed field (errors name each)', schema: errorSchema },
    404: { description: 'No such connection', schema: errorSchema },
    409: { description: 'The env connection (set by environment variables), or a name already taken', schema: errorSchema },
    503: { description: 'New credentials without a key ring (DATASYNC_KEYS)', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(connectionIdParams, input.params);
    const body = parseOr400(patchConnectionBody, input.body);
    if (id === ENV_CONNECTION_ID)
      throw new ApiError(409, 'conflict', 'the env connection is read-only: change its environment variables', undefined, 'conflict');
    const current = await getConnection(deps.pool, id);
    const source = sourceOr400(current.source);
    const errors: FieldError[] = [];
    const settings = body.settings === undefined ? current.settings : parseSettings(source, body.settings, errors);
    let credentials: Record<string, string> | undefined;
    if (settings && body.credentials !== undefined) credentials = parseCredentials(source, settings, body.credentials, errors);
    // Stored credentials are not opened to re-check them: settings that change which shape applies need new ones.
    if (settings && body.credentials === undefined && body.settings !== undefined && source.connection.credentials instanceof Function) {
      const before = source.connection.credentials(current.settings);
      if (before !== source.connection.credentials(settings))
        errors.push({ field: 'credentials', message: 'are required when the settings change which credentials apply' });
    }
    if (errors.length) throw new InvalidRequestError(errors);
    deps.log.debug(
      { connectionId: id, name: body.name, settings: body.settings, credentialFields: credentials && Object.keys(credentials) },
      'connection change valid',
    );
    const connection = await updateConnection(deps.pool, credentials ? requireKeyRing(deps) : keyRingOf(deps), id, {
      name: body.name,
      settings: body.settings === undefined ? undefined : settings,
      credentials,
      actor: actorOf(deps),
    });
    return { body: connectionView(connection) };
  },
};
