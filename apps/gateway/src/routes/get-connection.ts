import { z } from 'zod';
import { ENV_CONNECTION_ID, getConnection } from '@datasync/connections';
import { errorSchema, InvalidRequestError, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';
import { connectionIdParams, connectionSchema, connectionView, envConnectionView, sourceOr400 } from './connection-schemas';

const query = z.strictObject({
  source: z.string().optional().describe("Which source's env connection (its id is the same for every source)"),
});

export const getConnectionRoute: Route = {
  method: 'get',
  path: '/api/connections/:id',
  summary: 'One connection (never its credentials): settings, state, last error, when created, updated, last used',
  tag: 'connections',
  params: connectionIdParams,
  query,
  responses: {
    200: { description: 'The connection', schema: connectionSchema },
    400: { description: 'Malformed id; the env connection without ?source=', schema: errorSchema },
    404: { description: 'No such connection (or deleted)', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(connectionIdParams, input.params);
    const { source } = parseOr400(query, input.query);
    if (id === ENV_CONNECTION_ID) {
      if (!source)
        throw new InvalidRequestError([{ field: 'source', message: 'is required for the env connection (it is one per source)' }]);
      const env = envConnectionView(sourceOr400(source), deps.config);
      if (!env) throw new NotFoundError(`${source} has no environment credentials set, so no env connection`);
      return { body: env };
    }
    return { body: connectionView(await getConnection(deps.pool, id)) };
  },
};
