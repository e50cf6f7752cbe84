import { DatawizClient, datawizOptionsFromConfig } from '@datasync/datawiz-client';
import type { SourceWorkerContext } from '@datasync/runs';
import type { DatawizConfig, DatawizRuntime } from './source';
import { datawizHandlers } from './sync';

/** Loaded by the worker only: the API client and the sync's handler. */
export default async function createDatawizRuntime({ config, log }: SourceWorkerContext<DatawizConfig>): Promise<DatawizRuntime> {
  const client = new DatawizClient(datawizOptionsFromConfig(config, log));
  if (!config.DATAWIZ_USERNAME || !config.DATAWIZ_PASSWORD || !config.DATAWIZ_CLIENT_ID || !config.DATAWIZ_CLIENT_SECRET) {
    log.warn(
      'Datawiz credentials are not configured: sync runs will fail until DATAWIZ_CLIENT_ID/SECRET and DATAWIZ_USERNAME/PASSWORD are set',
    );
  }
  return { handlers: datawizHandlers(client), describe: { upstream: config.DATAWIZ_BASE_URL } };
}
