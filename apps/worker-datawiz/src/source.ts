import { z } from 'zod';
import { defineSource, type HandlersOf, type SourceRuntime } from '@datasync/runs';
import { datawizConfig } from './config';
import { datawizConnection } from './connection';
import { postDatawizSales } from './routes/post-datawiz-sales';

import type { DatawizConfig } from './config';

export { datawizConfig, type DatawizConfig } from './config';

const jobs = {
  'datawiz.sync': {
    params: z.object({}),
    summary: 'Promotions, shops and products',
    route: { path: '/api/datawiz/sync', summary: 'Sync Datawiz promotions, shops and products (follow the run with GET /api/runs/{id})' },
  },
};
export type DatawizHandlers = HandlersOf<typeof jobs>;
export type DatawizRuntime = SourceRuntime<typeof jobs, DatawizConfig>;

/** Datawiz (retail analytics): its promotions, shops and products; promotions are also created through the gateway. */
export const datawiz = defineSource({
  name: 'datawiz',
  jobs,
  config: datawizConfig,
  credentials: [
    { env: 'DATAWIZ_CLIENT_ID', secret: false },
    { env: 'DATAWIZ_CLIENT_SECRET', secret: true },
    { env: 'DATAWIZ_USERNAME', secret: false },
    { env: 'DATAWIZ_PASSWORD', secret: true },
  ],
  connection: datawizConnection,
  sandbox: {
    upstreams: { DATAWIZ_BASE_URL: '/datawiz' },
    credentials: [
      {
        upstream: 'DATAWIZ_BASE_URL',
        path: '/datawiz/_control/credentials',
        env: {
          DATAWIZ_CLIENT_ID: 'client_id',
          DATAWIZ_CLIENT_SECRET: 'client_secret',
          DATAWIZ_USERNAME: 'username',
          DATAWIZ_PASSWORD: 'password',
        },
      },
    ],
  },
  handlers: () => import('./handlers'),
  routes: [postDatawizSales],
});
