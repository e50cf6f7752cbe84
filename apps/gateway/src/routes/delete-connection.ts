import { z } from 'zod';
import { deleteConnection, ENV_CONNECTION_ID } from '@datasync/connections';
import { actorOf, ApiError, errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { connectionIdParams } from './connection-schemas';

export const deleteConnectionRoute: Route = {
  method: 'delete',
  path: '/api/connections/:id',
  summary: 'Remove a connection and its sealed credentials (refused while a queued or running run or a schedule uses it)',
  tag: 'connections',
  params: connectionIdParams,
  responses: {
    200: { description: 'Removed', schema: z.object({ status: z.literal('deleted'), id: z.string().uuid() }) },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such connection', schema: errorSchema },
    409: {
      description: 'A queued or running run or a schedule uses it (the message names them), or the env connection',
      schema: errorSchema,
    },
  },
  async handle(input, deps) {
    const { id } = parseOr400(connectionIdParams, input.params);
    if (id === ENV_CONNECTION_ID)
      throw new ApiError(409, 'conflict', 'the env connection is read-only: unset its environment variables', undefined, 'conflict');
    await deleteConnection(deps.pool, id, actorOf(deps));
    deps.log.info({ connectionId: id }, 'connection deleted');
    return { body: { status: 'deleted', id } };
  },
};
