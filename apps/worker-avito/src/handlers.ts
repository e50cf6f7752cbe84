import { httpSettings, UpstreamRateLimiter } from '@datasync/connector-kit';
import { ConnectionClients, ENV_CONNECTION_ID, type SourceWorkerContext } from '@datasync/runs';
import type { AvitoConfig, AvitoRuntime } from './source';
import { avitoHandlers } from './sync';
import { AvitoTransport } from './transport';

/**
 * Loaded by the worker only: one transport per connection (the environment's from the config), each
 * with its own budget shared by every worker process (Avito bans by IP, not by process; a stored
 * connection may go out another way: `settings.baseUrl`), and the handlers of Avito's jobs.
 */
export default async function createAvitoRuntime({ config, log, redis }: SourceWorkerContext<AvitoConfig>): Promise<AvitoRuntime> {
  const transports = new ConnectionClients(({ id, settings, credentials }) => {
    const perMinute = typeof settings.requestsPerMinute === 'number' ? settings.requestsPerMinute : config.AVITO_REQUESTS_PER_MINUTE;
    return new AvitoTransport({
      baseURL: typeof settings.baseUrl === 'string' ? settings.baseUrl : config.AVITO_BASE_URL,
      mobileKey: credentials?.mobileKey ?? config.AVITO_MOBILE_KEY,
      pageSize: config.AVITO_PAGE_SIZE,
      ...httpSettings(config),
      limiter: new UpstreamRateLimiter(id === ENV_CONNECTION_ID ? 'avito' : `avito:${id}`, [{ points: perMinute, durationSeconds: 60 }], {
        redis,
        prefix: config.REDIS_PREFIX,
      }),
      log,
    });
  });
  return {
    handlers: avitoHandlers((ctx) => transports.for(ctx.connection), config.AVITO_MAX_PAGES),
    describe: { upstream: config.AVITO_BASE_URL },
  };
}
