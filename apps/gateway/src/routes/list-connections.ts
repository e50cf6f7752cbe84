import { z } from 'zod';
import { listConnections } from '@datasync/connections';
import { errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { sources } from '@datasync/sources';
import { connectionListSchema, connectionView, envConnectionView, sourceOr400 } from './connection-schemas';

const query = z.strictObject({ source: z.string().optional().describe("Only this source's connections") });

export const listConnectionsRoute: Route = {
  method: 'get',
  path: '/api/connections',
  summary: "Connections (never their credentials), with each source's implicit `env` connection when its environment credentials are set",
  tag: 'connections',
  query,
  responses: {
    200: { description: 'By source, then name; the env connection first', schema: connectionListSchema },
    400: { description: 'Unknown source', schema: errorSchema },
  },
  async handle(input, deps) {
    const { source } = parseOr400(query, input.query);
    const of = source ? [sourceOr400(source)] : sources;
    const stored = await listConnections(deps.pool, { source });
    const connections = of.flatMap((s) => {
      const env = envConnectionView(s, deps.config);
      return [...(env ? [env] : []), ...stored.filter((c) => c.source === s.name).map(connectionView)];
    });
    return { body: { connections } };
  },
};
