import axios from 'axios';
import {
  HttpClient,
  httpSettings,
  linkedPages,
  UpstreamAuthError,
  type UpstreamConnection,
  UpstreamDataError,
  UpstreamUnavailableError,
} from '@datasync/connector-kit';
import type { Logger } from '@datasync/logger';
import { DatawizNotConfiguredError } from './errors';
import type { SaleInput } from './sale-input';
import { listPage, saleCreateAnswer, type ListPage, type SaleCounts } from './schemas';

export interface DatawizCredentials {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
}

export interface DatawizClientOptions extends DatawizCredentials, UpstreamConnection {
  pageSize: number;
}

export type DatawizCollection = 'sale' | 'shops' | 'products';

/** The settings as `loadConfig()` names them, for the client built by both the worker and the gateway. */
export function datawizOptionsFromConfig(
  config: {
    DATAWIZ_BASE_URL: string;
    DATAWIZ_CLIENT_ID?: string;
    DATAWIZ_CLIENT_SECRET?: string;
    DATAWIZ_USERNAME?: string;
    DATAWIZ_PASSWORD?: string;
    DATAWIZ_PAGE_SIZE: number;
    HTTP_TIMEOUT_MS: number;
    HTTP_RETRIES: number;
    HTTP_RETRY_BASE_MS: number;
    HTTP_RETRY_MAX_MS: number;
  },
  log?: Logger,
): DatawizClientOptions {
  return {
    baseURL: config.DATAWIZ_BASE_URL.replace(/\/+$/, ''),
    clientId: config.DATAWIZ_CLIENT_ID,
    clientSecret: config.DATAWIZ_CLIENT_SECRET,
    username: config.DATAWIZ_USERNAME,
    password: config.DATAWIZ_PASSWORD,
    pageSize: config.DATAWIZ_PAGE_SIZE,
    ...httpSettings(config),
    log,
  };
}

/**
 * The Datawiz REST API (DRF + django-oauth-toolkit): an OAuth2 password-grant bearer token taken
 * lazily and renewed once on a 401, list collections followed through their absolute `next` links,
 * and POST of promotions. Credentials stay in this object: never logged, never in errors.
 */
export class DatawizClient {
  private readonly http: HttpClient;
  private token: string | undefined;
  private login: Promise<string> | undefined;

  constructor(private readonly options: DatawizClientOptions) {
    this.http = new HttpClient({
      upstream: 'datawiz',
      baseURL: options.baseURL,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      log: options.log,
      onRequest: options.onRequest,
      auth: {
        apply: async (config) => {
          const token = this.token ?? (await this.getToken());
          config.headers = config.headers ?? {};
          (config.headers as Record<string, string>).authorization = `Bearer ${token}`;
        },
        refresh: async () => {
          this.token = undefined;
          await this.getToken();
        },
      },
    });
  }

  get pageSize(): number {
    return this.options.pageSize;
  }

  /** Throws DatawizNotConfiguredError naming the first missing credential. */
  assertConfigured(): void {
    const missing = (
      [
        ['DATAWIZ_CLIENT_ID', this.options.clientId],
        ['DATAWIZ_CLIENT_SECRET', this.options.clientSecret],
        ['DATAWIZ_USERNAME', this.options.username],
        ['DATAWIZ_PASSWORD', this.options.password],
      ] as const
    ).find(([, v]) => !v);
    if (missing) throw new DatawizNotConfiguredError(missing[0]);
  }

  /** One login at a time; concurrent requests share it. */
  private getToken(): Promise<string> {
    this.login ??= this.passwordGrant().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async passwordGrant(): Promise<string> {
    this.assertConfigured();
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: this.options.clientId ?? '',
      client_secret: this.options.clientSecret ?? '',
      username: this.options.username ?? '',
      password: this.options.password ?? '',
    });
    const url = `${this.options.baseURL}/api/o/token/`;
    let res;
    try {
      res = await axios.post<unknown>(url, form.toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'DataSync/1.0' },
        timeout: this.options.timeoutMs,
        validateStatus: () => true,
      });
    } catch (err) {
      throw new UpstreamUnavailableError(`datawiz POST /api/o/token/ failed (${(err as { code?: string }).code ?? 'network error'})`);
    }
    if (res.status >= 500 || res.status === 429)
      throw new UpstreamUnavailableError(`datawiz POST /api/o/token/ answered ${res.status}`, res.status);
    const body = (res.data ?? {}) as { access_token?: unknown; error?: unknown };
    if (res.status !== 200 || typeof body.access_token !== 'string') {
      const reason = typeof body.error === 'string' ? body.error : `status ${res.status}`;
      throw new UpstreamAuthError(
        `datawiz login refused (${reason}): check DATAWIZ_CLIENT_ID/SECRET and DATAWIZ_USERNAME/PASSWORD`,
        res.status,
      );
    }
    this.token = body.access_token;
    return body.access_token;
  }

  /** The first page's absolute URL of a collection. */
  firstPageUrl(collection: DatawizCollection): string {
    return `${this.options.baseURL}/api/v1/${collection}/?page_size=${this.options.pageSize}`;
  }

  /** One list page by absolute URL (a `next` link is followed exactly as given). */
  async page(url: string): Promise<ListPage> {
    const body = await this.http.get<unknown>(url);
    const parsed = listPage.safeParse(body);
    if (!parsed.success) throw new UpstreamDataError(`datawiz list page is not {count, next, results}`);
    return parsed.data;
  }

  /** Every page of a collection from `from` (default: its first page), one page of lookahead. */
  pages(collection: DatawizCollection, from?: string) {
    return linkedPages(
      (url) => this.page(url),
      from ?? this.firstPageUrl(collection),
      (p) => p.next,
    );
  }

  /**
   * POSTs promotions as one JSON array: `{updated, inserted}` read from either success form
   * (saleCreateAnswer), or UpstreamRequestError with DRF errors.
   */
  async createSales(sales: SaleInput[]): Promise<SaleCounts> {
    this.assertConfigured();
    const body = await this.http.post<unknown>('/api/v1/sale/', sales, { headers: { 'content-type': 'application/json' } });
    const parsed = saleCreateAnswer.safeParse(body);
    if (!parsed.success)
      throw new UpstreamDataError('datawiz POST sale/ answered neither {results: {updated, created}} nor {updated, inserted}');
    return parsed.data;
  }
}
