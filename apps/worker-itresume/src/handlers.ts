import { httpSettings } from '@datasync/connector-kit';
import type { SourceWorkerContext } from '@datasync/runs';
import { ensureDailySchedule } from './schedule';
import type { ItResumeConfig, ItResumeRuntime } from './source';
import { itresumeHandlers } from './sync';
import { ItResumeTransport } from './transport';
import { reportersOf } from './worker';

/** Loaded by the worker only: the transport, the optional reporters, the handler; then the daily schedule. */
export default async function createItResumeRuntime({ config, log }: SourceWorkerContext<ItResumeConfig>): Promise<ItResumeRuntime> {
  const transport = new ItResumeTransport({
    baseURL: config.ITRESUME_BASE_URL,
    client: config.ITRESUME_CLIENT,
    clientKey: config.ITRESUME_CLIENT_KEY ?? '',
    ...httpSettings(config),
    log,
  });
  if (!config.ITRESUME_CLIENT_KEY) log.warn('ITRESUME_CLIENT_KEY is not set: IT Resume will refuse the requests');
  return {
    handlers: itresumeHandlers(transport, reportersOf(config)),
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
