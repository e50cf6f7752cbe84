import { httpSettings, UpstreamRateLimiter } from '@datasync/connector-kit';
import { ConnectionClients, ENV_CONNECTION_ID, type RunConnection, type SourceWorkerContext } from '@datasync/runs';
import { UnrecoverableError } from 'bullmq';
import type { Ctx } from './context';
import type { YclientsConfig, YclientsRuntime } from './source';
import { yclientsHandlers } from './sync';
import { YclientsTransport, type YclientsCredentials } from './transport';

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/**
 * Loaded by the worker only: one transport per connection (the environment's from the config, a
 * stored one from its credentials and settings), each with its own rate limit shared by every
 * worker process through Redis, so one login's 429s and budget never slow another's runs.
 */
export default async function createYclientsRuntime({ config, log, redis }: SourceWorkerContext<YclientsConfig>): Promise<YclientsRuntime> {
  const build = (connection: RunConnection) => {
    const stored = connection.credentials;
    const credentials: YclientsCredentials = stored
      ? { partnerToken: stored.partnerToken, userToken: stored.userToken, login: stored.login, password: stored.password }
      : {
          partnerToken: config.YCLIENTS_PARTNER_TOKEN,
          userToken: config.YCLIENTS_USER_TOKEN,
          login: config.YCLIENTS_LOGIN,
          password: config.YCLIENTS_PASSWORD,
        };
    const s = connection.settings;
    return new YclientsTransport({
      baseURL: typeof s.baseUrl === 'string' ? s.baseUrl : config.YCLIENTS_BASE_URL,
      credentials,
      pageSize: config.YCLIENTS_PAGE_SIZE,
      ...httpSettings(config),
      // The environment connection keeps the key it always had; a stored one has its own budget.
      limiter: new UpstreamRateLimiter(
        connection.id === ENV_CONNECTION_ID ? 'yclients' : `yclients:${connection.id}`,
        [
          { points: positive(s.requestsPerSecond) ?? config.YCLIENTS_REQUESTS_PER_SECOND, durationSeconds: 1 },
          { points: positive(s.requestsPerMinute) ?? config.YCLIENTS_REQUESTS_PER_MINUTE, durationSeconds: 60 },
        ],
        { redis, prefix: `${config.REDIS_PREFIX}:yclients` },
      ),
      log,
    });
  };
  const transports = new ConnectionClients(build);
  const transportFor = (ctx: Ctx) => {
    // A connection limited to some companies syncs no other (settings.companyIds).
    const allowed = ctx.connection.settings.companyIds;
    if (Array.isArray(allowed) && !allowed.includes(ctx.params.companyId))
      throw new UnrecoverableError(
        `connection ${ctx.connection.name} may not sync company ${ctx.params.companyId} (its companyIds: ${allowed.join(', ')})`,
      );
    return transports.for(ctx.connection);
  };
  return { handlers: yclientsHandlers(transportFor), describe: { upstream: config.YCLIENTS_BASE_URL } };
}
