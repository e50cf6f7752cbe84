import { httpSettings } from '@datasync/connector-kit';
import { ConnectionClients, type SourceWorkerContext } from '@datasync/runs';
import { ensureDailySchedule } from './schedule';
import type { ItResumeConfig, ItResumeRuntime } from './source';
import { itresumeHandlers } from './sync';
import { ItResumeTransport } from './transport';
import { reportersOf } from './worker';

/** Loaded by the worker only: the transports (per connection), the optional reporters, the handler; then the daily schedule. */
export default async function createItResumeRuntime({ config, log }: SourceWorkerContext<ItResumeConfig>): Promise<ItResumeRuntime> {
  // One transport per connection: the environment's from the config, a stored one from its credentials and settings.
  const transports = new ConnectionClients(({ credentials, settings }) => {
    return new ItResumeTransport({
      baseURL: typeof settings.baseUrl === 'string' ? settings.baseUrl : config.ITRESUME_BASE_URL,
      client: credentials
        ? (credentials.client ?? (typeof settings.client === 'string' ? settings.client : config.ITRESUME_CLIENT))
        : config.ITRESUME_CLIENT,
      clientKey: credentials ? (credentials.clientKey ?? '') : (config.ITRESUME_CLIENT_KEY ?? ''),
      ...httpSettings(config),
      log,
    });
  });
  if (!config.ITRESUME_CLIENT_KEY) log.warn('ITRESUME_CLIENT_KEY is not set: IT Resume will refuse the requests');
  return {
    handlers: itresumeHandlers((ctx) => transports.for(ctx.connection), reportersOf(config)),
    describe: { upstream: config.ITRESUME_BASE_URL },
    async started({ redis, pool }) {
      await ensureDailySchedule({
        connection: redis,
        prefix: config.REDIS_PREFIX,
        dailyAt: config.ITRESUME_DAILY_AT,
        timeZone: config.ITRESUME_TIMEZONE,
        pool,
        log,
      });
    },
  };
}
