import { httpSettings, UpstreamRateLimiter } from '@datasync/connector-kit';
import type { SourceWorkerContext } from '@datasync/runs';
import type { AvitoConfig, AvitoRuntime } from './source';
import { avitoHandlers } from './sync';
import { AvitoTransport } from './transport';

/** Loaded by the worker only: the transport (one shared rate limit) and the handlers of Avito's jobs. */
export default async function createAvitoRuntime({ config, log, redis }: SourceWorkerContext<AvitoConfig>): Promise<AvitoRuntime> {
  const transport = new AvitoTransport({
    baseURL: config.AVITO_BASE_URL,
    mobileKey: config.AVITO_MOBILE_KEY,
    pageSize: config.AVITO_PAGE_SIZE,
    ...httpSettings(config),
    // One budget for every worker process: Avito bans by IP, not by process.
    limiter: new UpstreamRateLimiter('avito', [{ points: config.AVITO_REQUESTS_PER_MINUTE, durationSeconds: 60 }], {
      redis,
      prefix: config.REDIS_PREFIX,
    }),
    log,
  });
  return { handlers: avitoHandlers(transport, config.AVITO_MAX_PAGES), describe: { upstream: config.AVITO_BASE_URL } };
}
