import { HttpClient, UpstreamAuthError, type UpstreamConnection } from '@datasync/connector-kit';

export interface MarketplaceConnection extends UpstreamConnection {
  /** The push's own budget (the marketplaces limit stock updates apart from reads). */
  pushLimiter?: UpstreamConnection['limiter'];
}

/**
 * The two HTTP clients of a marketplace connector: one for reads under the general budget, one for
 * stock pushes under the push budget. `headers` answers the auth headers, or undefined when the
 * credentials are not configured (the request then fails with `missing`, never reaching the API).
 */
export function marketplaceClients(
  upstream: string,
  options: MarketplaceConnection,
  headers: () => Record<string, string> | undefined,
  missing: string,
): { http: HttpClient; pushHttp: HttpClient } {
  const client = (limiter: UpstreamConnection['limiter']) =>
    new HttpClient({
      upstream,
      baseURL: options.baseURL,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      limiter,
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
  return { http: client(options.limiter), pushHttp: client(options.pushLimiter ?? options.limiter) };
}
