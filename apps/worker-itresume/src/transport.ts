import { HttpClient, type UpstreamConnection, UpstreamDataError } from '@datasync/connector-kit';

export interface ItResumeTransportOptions extends UpstreamConnection {
  client: string;
  clientKey: string;
}

/**
 * `GET /api/statistics` (reference §1): the whole window in one JSON array. The key travels in the
 * query string, which connector-kit strips from every log line and error (only `url` is reported,
 * the parameters live in `params`).
 */
export class ItResumeTransport {
  private readonly http: HttpClient;

  constructor(private readonly options: ItResumeTransportOptions) {
    this.http = new HttpClient({
      upstream: 'itresume',
      baseURL: options.baseURL,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      log: options.log,
    });
  }

  /** Every attempt with `start <= created_at <= end` (UTC, `YYYY-MM-DD HH:MM:SS.ffffff`). */
  async attempts(start: string, end: string): Promise<unknown[]> {
    const body = await this.http.get<unknown>('/api/statistics', {
      params: { client: this.options.client, client_key: this.options.clientKey, start, end },
    });
    if (!Array.isArray(body)) throw new UpstreamDataError('itresume /api/statistics answered something other than a JSON array');
    return body;
  }
}
