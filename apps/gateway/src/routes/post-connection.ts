import { createConnection } from '@datasync/connections';
import { actorOf, errorSchema, InvalidRequestError, parseOr400, type FieldError, type Route } from '@datasync/api-kit';
import {
  connectionSchema,
  connectionView,
  parseCredentials,
  parseSettings,
  postConnectionBody,
  requireKeyRing,
  sourceOr400,
} from './connection-schemas';

export const postConnection: Route = {
  method: 'post',
  path: '/api/connections',
  summary: "Add a connection: one account of a source, its credentials validated against the source's shape and sealed (never returned)",
  tag: 'connections',
  body: postConnectionBody,
  responses: {
    201: { description: 'Stored (credentials sealed with DATASYNC_KEYS)', schema: connectionSchema },
    400: { description: 'Unknown source, a missing or malformed credential or setting (errors name each field)', schema: errorSchema },
    409: { description: 'The source already has a connection of that name', schema: errorSchema },
    503: { description: 'No key ring (DATASYNC_KEYS): credentials are never stored in clear', schema: errorSchema },
  },
  async handle(input, deps) {
    const body = parseOr400(postConnectionBody, input.body);
    const source = sourceOr400(body.source);
    const errors: FieldError[] = [];
    const settings = parseSettings(source, body.settings, errors);
    // The credentials' shape may depend on the settings (a marketplace's): only checked once they are valid.
    const credentials = settings ? parseCredentials(source, settings, body.credentials, errors) : undefined;
    if (!settings || !credentials) throw new InvalidRequestError(errors);
    // The credential fields' names only: their values go nowhere but the sealing.
    deps.log.debug(
      { source: source.name, name: body.name, settings, credentialFields: Object.keys(credentials) },
      'connection input valid',
    );
    const connection = await createConnection(deps.pool, requireKeyRing(deps), {
      source: source.name,
      name: body.name,
      settings,
      credentials,
      actor: actorOf(deps),
    });
    deps.log.info({ connectionId: connection.id, source: connection.source, name: connection.name }, 'connection created');
    return { status: 201, body: connectionView(connection) };
  },
};
