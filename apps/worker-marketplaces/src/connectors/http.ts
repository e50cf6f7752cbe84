import { createHash } from 'node:crypto';
import { HttpClient, UpstreamAuthError, type RequestLimiter, type UpstreamConnection } from '@datasync/connector-kit';

export interface MarketplaceConnection extends Omit<UpstreamConnection, 'limiter' | 'baseURL'> {
  /** Per-method budgets of this marketplace (MethodLimiter, shared through Redis); none in unit tests. */
  limiter?: RequestLimiter;
}

/** Names a seller account in Redis keys without the secret: a short hash of its credentials. */
export const accountKey = (...credentials: (string | undefined)[]): string =>
  createHash('sha256').update(credentials.join('\0')).digest('hex').slice(0, 16);

/**
 * One HTTP client of a marketplace connector, for one API host. `headers` answers the auth headers,
 * or undefined when the credentials are not configured (the request then fails with `missing`,
 * never reaching the API).
 */
export function marketplaceClient(
  upstream: string,
  baseURL: string,
  options: MarketplaceConnection,
  headers: () => Record<string, string> | undefined,
  missing: string,
): HttpClient {
  return new HttpClient({
    upstream,
    baseURL,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    limiter: options.limiter,
    log: options.log,
    onRequest: options.onRequest,
    auth: {
      apply: (config) => {
        const auth = headers();
        if (!auth) throw new UpstreamAuthError(`${upstream}: ${missing}`);
        config.headers = { ...(config.headers as Record<string, string> | undefined), ...auth };
      },
    },
  });
}
