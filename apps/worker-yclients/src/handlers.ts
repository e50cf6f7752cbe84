import { httpSettings, UpstreamRateLimiter } from '@datasync/connector-kit';
import type { SourceWorkerContext } from '@datasync/runs';
import type { YclientsConfig, YclientsRuntime } from './source';
import { yclientsHandlers } from './sync';
import { YclientsTransport } from './transport';

/** Loaded by the worker only: the transport (credentials, one shared rate limit) and the sync's handler. */
export default async function createYclientsRuntime({ config, log, redis }: SourceWorkerContext<YclientsConfig>): Promise<YclientsRuntime> {
  const transport = new YclientsTransport({
    baseURL: config.YCLIENTS_BASE_URL,
    credentials: {
      partnerToken: config.YCLIENTS_PARTNER_TOKEN,
      userToken: config.YCLIENTS_USER_TOKEN,
      login: config.YCLIENTS_LOGIN,
      password: config.YCLIENTS_PASSWORD,
    },
    pageSize: config.YCLIENTS_PAGE_SIZE,
    ...httpSettings(config),
    // One budget for every worker process: YClients limits per IP (reference §2.6).
    limiter: new UpstreamRateLimiter(
      'yclients',
      [
        { points: config.YCLIENTS_REQUESTS_PER_SECOND, durationSeconds: 1 },
        { points: config.YCLIENTS_REQUESTS_PER_MINUTE, durationSeconds: 60 },
      ],
      { redis, prefix: `${config.REDIS_PREFIX}:yclients` },
    ),
    log,
  });
  return { handlers: yclientsHandlers(transport), describe: { upstream: config.YCLIENTS_BASE_URL } };
}
