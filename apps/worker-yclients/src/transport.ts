import {
  HttpClient,
  safePath,
  UpstreamAuthError,
  type UpstreamConnection,
  UpstreamDataError,
  UpstreamRequestError,
} from '@datasync/connector-kit';

/** Credentials from configuration; never logged, never put in job data. */
export interface YclientsCredentials {
  partnerToken?: string;
  userToken?: string;
  login?: string;
  password?: string;
}

export interface YclientsTransportOptions extends UpstreamConnection {
  credentials: YclientsCredentials;
  pageSize: number;
}

/** The v2 envelope (§2.4); `meta` is an object or `[]`. */
interface Envelope {
  success?: boolean;
  data?: unknown;
  meta?: unknown;
}

export interface ListPage {
  rows: Record<string, unknown>[];
  /** meta.total_count where the endpoint gives one. */
  total: number | undefined;
}

function rowsOf(body: Envelope | undefined, what: string): Record<string, unknown>[] {
  if (!body || body.success === false || !Array.isArray(body.data)) {
    throw new UpstreamDataError(`yclients ${what} answered without a data list`);
  }
  return body.data.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && !Array.isArray(r));
}

function totalOf(body: Envelope | undefined): number | undefined {
  const meta = body?.meta;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const t = (meta as { total_count?: unknown }).total_count;
  const n = typeof t === 'string' ? Number(t) : t;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * The YClients REST API (reference §2–§8): partner + user token on every call, a new login after a
 * 401 when a login and password are configured, 429/5xx retried with backoff honouring Retry-After.
 */
export class YclientsTransport {
  private readonly http: HttpClient;
  private userToken: string | undefined;
  private login: Promise<string> | undefined;

  constructor(private readonly options: YclientsTransportOptions) {
    this.userToken = options.credentials.userToken;
    this.http = new HttpClient({
      upstream: 'yclients',
      baseURL: options.baseURL,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      limiter: options.limiter,
      log: options.log,
      onRequest: options.onRequest,
      headers: { accept: 'application/vnd.yclients.v2+json' },
      auth: {
        apply: async (config) => {
          const partner = this.partner();
          const user = (config as { skipUser?: boolean }).skipUser ? undefined : await this.user();
          config.headers = {
            ...(config.headers as Record<string, string> | undefined),
            authorization: user ? `Bearer ${partner}, User ${user}` : `Bearer ${partner}`,
          };
        },
        refresh: async () => {
          const { login, password } = this.options.credentials;
          if (!login || !password) {
            throw new UpstreamAuthError(
              'yclients refused the user token (401) and no YCLIENTS_LOGIN/YCLIENTS_PASSWORD is configured to get a new one',
              401,
            );
          }
          this.userToken = undefined;
          this.login = undefined;
          await this.user();
        },
      },
    });
  }

  get pageSize(): number {
    return this.options.pageSize;
  }

  private partner(): string {
    const token = this.options.credentials.partnerToken;
    if (!token) throw new UpstreamAuthError('YCLIENTS_PARTNER_TOKEN is not configured');
    return token;
  }

  /** Checks the configuration before any request. */
  assertConfigured(): void {
    this.partner();
    const { userToken, login, password } = this.options.credentials;
    if (!userToken && !(login && password)) {
      throw new UpstreamAuthError('neither YCLIENTS_USER_TOKEN nor YCLIENTS_LOGIN + YCLIENTS_PASSWORD is configured');
    }
  }

  private async user(): Promise<string> {
    if (this.userToken) return this.userToken;
    this.login ??= this.authenticate().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  /** POST /auth (§2.3): 201 (or 200) with data.user_token. */
  private async authenticate(): Promise<string> {
    const { login, password } = this.options.credentials;
    if (!login || !password)
      throw new UpstreamAuthError('neither YCLIENTS_USER_TOKEN nor YCLIENTS_LOGIN + YCLIENTS_PASSWORD is configured');
    let body: Envelope;
    try {
      const res = await this.http.axios.request<Envelope>({
        method: 'POST',
        url: '/auth',
        data: { login, password },
        skipUser: true,
      } as never);
      body = res.data;
    } catch (err) {
      const status = (err as { response?: { status?: number } }).response?.status;
      throw new UpstreamAuthError(`yclients POST /auth refused the login${status ? ` (${status})` : ''}`, status);
    }
    const token = (body.data as { user_token?: unknown } | null)?.user_token;
    if (typeof token !== 'string' || !token)
      throw new UpstreamAuthError('yclients POST /auth answered without a user token (two-factor account?)');
    this.userToken = token;
    return token;
  }

  private async list(path: string, params?: Record<string, unknown>): Promise<ListPage> {
    try {
      const body = await this.http.get<Envelope>(path, { params });
      return { rows: rowsOf(body, safePath(path)), total: totalOf(body) };
    } catch (err) {
      throw explain(err);
    }
  }

  /** Makes sure a user token is at hand (the "auth" step of a sync). */
  async authenticateIfNeeded(): Promise<void> {
    this.assertConfigured();
    await this.user();
  }

  staff(companyId: number) {
    return this.list(`/company/${companyId}/staff`);
  }
  positions(companyId: number) {
    return this.list(`/company/${companyId}/staff/positions/`);
  }
  services(companyId: number) {
    return this.list(`/company/${companyId}/services`);
  }
  clientCategories(companyId: number) {
    return this.list(`/labels/${companyId}/1`);
  }
  accounts(companyId: number) {
    return this.list(`/accounts/${companyId}`);
  }

  async clients(companyId: number, page: number): Promise<ListPage> {
    try {
      const body = await this.http.post<Envelope>(`/company/${companyId}/clients/search`, {
        page,
        page_size: this.options.pageSize,
        fields: CLIENT_FIELDS,
        order_by: 'id',
        order_by_direction: 'asc',
      });
      return { rows: rowsOf(body, 'clients search'), total: totalOf(body) };
    } catch (err) {
      throw explain(err);
    }
  }

  records(companyId: number, page: number) {
    return this.list(`/records/${companyId}`, { page, count: this.options.pageSize, with_deleted: 1 });
  }

  /** One day's transactions, optionally narrowed by cash register and sign (§9.2 mitigation); first page only. */
  transactionsOfDay(companyId: number, day: string, filter: { accountId?: string; balanceIs?: 1 | 2 } = {}) {
    return this.list(`/transactions/${companyId}`, {
      page: 1,
      count: this.options.pageSize,
      start_date: day,
      end_date: day,
      ...(filter.accountId ? { account_id: filter.accountId } : {}),
      ...(filter.balanceIs ? { balance_is: filter.balanceIs } : {}),
    });
  }

  transactions(companyId: number, page: number) {
    return this.list(`/transactions/${companyId}`, { page, count: this.options.pageSize });
  }
}

export const CLIENT_FIELDS = [
  'id',
  'name',
  'surname',
  'patronymic',
  'phone',
  'email',
  'card',
  'birth_date',
  'sex_id',
  'discount',
  'importance_id',
  'balance',
  'spent',
  'paid',
  'visits',
  'sms_check',
  'sms_not',
  'categories',
  'last_change_date',
  'custom_fields',
  'comment',
];

/** Adds the upstream's own message (403 "Недостаточно прав", 404 "Филиал не найден.") to a rejection. */
function explain(err: unknown): unknown {
  if (err instanceof UpstreamRequestError) {
    const message = (err.body as { meta?: { message?: unknown } } | undefined)?.meta?.message;
    if (typeof message === 'string') return new UpstreamRequestError(`${err.message}: ${message}`, err.status ?? 400, err.body);
  }
  return err;
}
