import { EventEmitter } from 'node:events';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import axiosRetry, { isNetworkError, retryAfter } from 'axios-retry';
import type { Logger } from '@datasync/logger';
import { safePath, UpstreamAuthError, UpstreamError, UpstreamRequestError, UpstreamUnavailableError } from './errors';
import type { LimitedRequest, RequestLimiter } from './method-limits';

/** Statuses that mean "later may work": rate limits (YM answers 420), timeouts, server trouble. */
const TRANSIENT_STATUSES = new Set([408, 420, 425, 429, 500, 502, 503, 504]);

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
}

export interface RequestEvent {
  upstream: string;
  method: string;
  path: string;
  /** HTTP status, or the error code when no response came. */
  status: number | string;
  durationMs: number;
  retry: number;
}

export interface UpstreamAuth {
  /** Adds credentials to a request. */
  apply(config: AxiosRequestConfig): Promise<void> | void;
  /** Gets fresh credentials (a new login) after a 401; called at most once per request. */
  refresh?(): Promise<void>;
}

export interface HttpClientOptions {
  /** Names the upstream in logs, metrics and error messages. */
  upstream: string;
  baseURL: string;
  timeoutMs: number;
  retry: RetryPolicy;
  headers?: Record<string, string>;
  /** A shared request budget (UpstreamRateLimiter), or per-method budgets (MethodLimiter). */
  limiter?: RequestLimiter;
  auth?: UpstreamAuth;
  log?: Logger;
  /** More statuses worth retrying with backoff (an anti-bot 403 that passes after a pause, for one). */
  retryStatuses?: number[];
  /** Looks at a 2xx answer; an error returned here is retried like a 5xx (e.g. an HTML challenge page). */
  inspect?: (res: AxiosResponse) => string | undefined;
  /** Maps a final failure to a source-specific error (e.g. a block); undefined keeps the default. */
  classify?: (err: AxiosError) => UpstreamError | undefined;
  onRequest?: (event: RequestEvent) => void;
  onRetry?: (event: RequestEvent & { delayMs: number }) => void;
}

/**
 * Every HttpClient of the process also announces its requests here (`request`, `retry`, with a
 * RequestEvent), whatever connector built it: @datasync/runs counts them for `/metrics`, so a new
 * source is counted without wiring anything.
 */
export const upstreamEvents = new EventEmitter<{ request: [RequestEvent]; retry: [RequestEvent & { delayMs: number }] }>();
upstreamEvents.setMaxListeners(50);

/**
 * How long the upstream asked us to wait, in ms: `Retry-After` (seconds or a date), Wildberries'
 * `X-Ratelimit-Retry` (seconds), Yandex Market's `X-RateLimit-Resource-Until` (a date, on its 420).
 */
export function retryAfterMs(error?: AxiosError, now = Date.now()): number {
  const headers = error?.response?.headers as Record<string, unknown> | undefined;
  let wait = retryAfter(error);
  const wb = Number(headers?.['x-ratelimit-retry']);
  if (Number.isFinite(wb) && wb > 0) wait = Math.max(wait, wb * 1000);
  const until = headers?.['x-ratelimit-resource-until'];
  if (error?.response?.status === 420 && typeof until === 'string') {
    const at = Date.parse(until);
    if (Number.isFinite(at)) wait = Math.max(wait, at - now);
  }
  return Math.max(0, wait);
}

/** Full-jitter exponential backoff, at least what the upstream's rate-limit headers ask, capped. */
export function backoffDelay(retry: number, policy: RetryPolicy, error?: AxiosError): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.min(policy.maxMs, Math.max(jittered, retryAfterMs(error)));
}

/** The status a failure is counted under: the HTTP status, or the error code when the answer was unusable. */
function failureStatus(err: AxiosError): number | string {
  // axios also says ERR_BAD_RESPONSE for any 5xx; an unreadable body is one on a 2xx.
  const unreadable = err.code === 'ERR_BAD_RESPONSE' && (err.response?.status ?? 200) < 300;
  if (unreadable || err.code === 'ERR_UPSTREAM_CHALLENGE') return err.code!;
  return err.response?.status ?? err.code ?? 'error';
}

/** The request as a limiter sees it: method, path relative to the base URL, body. */
const limited = (config: AxiosRequestConfig): LimitedRequest => ({
  method: (config.method ?? 'get').toUpperCase(),
  url: config.url ?? '',
  data: config.data as unknown,
});

const START = Symbol('start');
type Timed = AxiosRequestConfig & { [START]?: number; 'axios-retry'?: { retryCount?: number } };

/**
 * The HTTP client every connector uses: axios with timeouts, retries with exponential backoff and
 * jitter that honour Retry-After (axios-retry), a shared per-upstream rate limit, one fresh login on
 * 401, and failures mapped to the UpstreamError kinds the worker understands.
 */
export class HttpClient {
  readonly axios: AxiosInstance;

  constructor(private readonly options: HttpClientOptions) {
    const retryStatuses = new Set([...TRANSIENT_STATUSES, ...(options.retryStatuses ?? [])]);
    this.axios = axios.create({
      baseURL: options.baseURL,
      timeout: options.timeoutMs,
      headers: { 'user-agent': 'DataSync/1.0', accept: 'application/json', ...options.headers },
      // Bodies that are not JSON must fail (and be retried), not come back as strings.
      transitional: { silentJSONParsing: false, forcedJSONParsing: true, clarifyTimeoutError: true },
      responseType: 'json',
    });

    this.axios.interceptors.request.use(async (config) => {
      await options.limiter?.acquire(config.signal as AbortSignal | undefined, limited(config));
      await options.auth?.apply(config);
      (config as Timed)[START] = Date.now();
      return config;
    });
    this.axios.interceptors.response.use(
      async (res) => {
        this.report(res.config, res.status);
        await options.limiter?.settle?.(limited(res.config), res.status);
        const problem = options.inspect?.(res);
        if (problem) {
          throw new AxiosError(problem, 'ERR_UPSTREAM_CHALLENGE', res.config, res.request, res);
        }
        return res;
      },
      async (err: AxiosError) => {
        if (err.config) this.report(err.config, failureStatus(err));
        // A limiter may charge an answer (WB counts a 4xx as 10 requests).
        if (err.config && err.response) await options.limiter?.settle?.(limited(err.config), err.response.status).catch(() => undefined);
        throw err;
      },
    );
    axiosRetry(this.axios, {
      retries: options.retry.retries,
      shouldResetTimeout: true,
      retryCondition: (err) =>
        isNetworkError(err) ||
        err.code === 'ECONNABORTED' ||
        err.code === 'ETIMEDOUT' ||
        err.code === 'ERR_BAD_RESPONSE' ||
        err.code === 'ERR_UPSTREAM_CHALLENGE' ||
        (err.response !== undefined && retryStatuses.has(err.response.status)),
      retryDelay: (retry, err) => backoffDelay(retry, options.retry, err),
      onRetry: (retry, err, config) => {
        const event = {
          upstream: options.upstream,
          method: (config.method ?? 'get').toUpperCase(),
          path: safePath(config.url),
          status: failureStatus(err),
          durationMs: 0,
          retry,
        };
        options.onRetry?.({ ...event, delayMs: 0 });
        upstreamEvents.emit('retry', { ...event, delayMs: 0 });
        options.log?.warn({ ...event }, `${options.upstream} request failed, retrying`);
      },
    });
  }

  private report(config: AxiosRequestConfig, status: number | string): void {
    const started = (config as Timed)[START];
    const event: RequestEvent = {
      upstream: this.options.upstream,
      method: (config.method ?? 'get').toUpperCase(),
      path: safePath(config.url),
      status,
      durationMs: started ? Date.now() - started : 0,
      retry: (config as Timed)['axios-retry']?.retryCount ?? 0,
    };
    this.options.onRequest?.(event);
    upstreamEvents.emit('request', event);
    this.options.log?.debug(event, 'upstream request');
  }

  /** Sends a request; answers the response or throws an UpstreamError. */
  async request<T>(config: AxiosRequestConfig): Promise<AxiosResponse<T>> {
    try {
      return await this.axios.request<T>(config);
    } catch (err) {
      const mapped = this.toUpstreamError(err);
      if (mapped instanceof UpstreamAuthError && this.options.auth?.refresh) {
        this.options.log?.info({ upstream: this.options.upstream }, 'upstream refused credentials; logging in again once');
        await this.options.auth.refresh();
        try {
          return await this.axios.request<T>(config);
        } catch (again) {
          throw this.toUpstreamError(again);
        }
      }
      throw mapped;
    }
  }

  async get<T>(url: string, config: AxiosRequestConfig = {}): Promise<T> {
    return (await this.request<T>({ ...config, method: 'GET', url })).data;
  }

  async post<T>(url: string, data?: unknown, config: AxiosRequestConfig = {}): Promise<T> {
    return (await this.request<T>({ ...config, method: 'POST', url, data })).data;
  }

  async put<T>(url: string, data?: unknown, config: AxiosRequestConfig = {}): Promise<T> {
    return (await this.request<T>({ ...config, method: 'PUT', url, data })).data;
  }

  private toUpstreamError(err: unknown): Error {
    if (!(err instanceof AxiosError)) return err instanceof Error ? err : new Error(String(err));
    const custom = this.options.classify?.(err);
    if (custom) return custom;
    const what = `${this.options.upstream} ${(err.config?.method ?? 'get').toUpperCase()} ${safePath(err.config?.url)}`;
    const status = err.response?.status;
    if (err.code === 'ERR_UPSTREAM_CHALLENGE') return new UpstreamUnavailableError(`${what}: ${err.message}`, status);
    if (status === undefined) {
      const reason = err.code === 'ERR_BAD_RESPONSE' ? 'answered a body that is not valid JSON' : `failed (${err.code ?? err.message})`;
      return new UpstreamUnavailableError(`${what} ${reason}`);
    }
    if (status === 401) return new UpstreamAuthError(`${what} refused the credentials (401)`, status);
    if (TRANSIENT_STATUSES.has(status) || (this.options.retryStatuses ?? []).includes(status)) {
      return new UpstreamUnavailableError(`${what} answered ${status} after ${this.options.retry.retries} retries`, status);
    }
    if (err.code === 'ERR_BAD_RESPONSE') return new UpstreamUnavailableError(`${what} answered a body that is not valid JSON`, status);
    return new UpstreamRequestError(`${what} rejected the request (${status})`, status, err.response?.data);
  }
}

/** What a connector's transport takes to reach its upstream; it adds its own options beside these. */
export type UpstreamConnection = Pick<HttpClientOptions, 'baseURL' | 'timeoutMs' | 'retry' | 'limiter' | 'log' | 'onRequest'>;

/** The timeout and retry policy of every upstream, from the HTTP_* settings of the config. */
export function httpSettings(config: {
  HTTP_TIMEOUT_MS: number;
  HTTP_RETRIES: number;
  HTTP_RETRY_BASE_MS: number;
  HTTP_RETRY_MAX_MS: number;
}): Pick<HttpClientOptions, 'timeoutMs' | 'retry'> {
  return {
    timeoutMs: config.HTTP_TIMEOUT_MS,
    retry: { retries: config.HTTP_RETRIES, baseMs: config.HTTP_RETRY_BASE_MS, maxMs: config.HTTP_RETRY_MAX_MS },
  };
}
