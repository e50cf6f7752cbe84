import { DatawizClient, datawizOptionsFromConfig } from '@datasync/datawiz-client';
import { ConnectionClients, type SourceWorkerContext } from '@datasync/runs';
import type { DatawizConfig, DatawizRuntime } from './source';
import { datawizHandlers } from './sync';

/** Loaded by the worker only: one API client per connection (the environment's from the config) and the sync's handler. */
export default async function createDatawizRuntime({ config, log }: SourceWorkerContext<DatawizConfig>): Promise<DatawizRuntime> {
  const clients = new ConnectionClients((connection) => {
    const base = datawizOptionsFromConfig(config, log);
    const c = connection.credentials;
    if (!c) return new DatawizClient(base);
    const baseURL = typeof connection.settings.baseUrl === 'string' ? connection.settings.baseUrl.replace(/\/+$/, '') : base.baseURL;
    const pageSize = typeof connection.settings.pageSize === 'number' ? connection.settings.pageSize : base.pageSize;
    return new DatawizClient({
      ...base,
      baseURL,
      pageSize,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      username: c.username,
      password: c.password,
    });
  });
  if (!config.DATAWIZ_USERNAME || !config.DATAWIZ_PASSWORD || !config.DATAWIZ_CLIENT_ID || !config.DATAWIZ_CLIENT_SECRET) {
    log.warn(
      'Datawiz credentials are not configured: sync runs will fail until DATAWIZ_CLIENT_ID/SECRET and DATAWIZ_USERNAME/PASSWORD are set',
    );
  }
  return { handlers: datawizHandlers((ctx) => clients.for(ctx.connection)), describe: { upstream: config.DATAWIZ_BASE_URL } };
}
