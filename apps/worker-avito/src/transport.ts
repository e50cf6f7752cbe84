import type { AxiosResponse } from 'axios';
import { HttpClient, safePath, UpstreamBlockedError, type UpstreamConnection, UpstreamDataError } from '@datasync/connector-kit';

/** Anti-bot answers of the unofficial surface (reference §6): retried with backoff, then a block. */
const BLOCK_STATUSES = [403, 429, 439];

export interface MobilePage {
  items: unknown[];
  /** The upstream's total for the whole result set. */
  total: number | undefined;
  lastStamp: number | undefined;
}

export interface AvitoTransportOptions extends UpstreamConnection {
  mobileKey: string;
  pageSize: number;
}

/** A 200 that is not listing JSON: a challenge page, or the throttle/internal-error envelope. */
function inspect(res: AxiosResponse): string | undefined {
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('text/html')) return 'answered an HTML challenge page instead of listings';
  const status = (res.data as { status?: unknown } | null)?.status;
  if (status === 'too-many-requests') return 'answered too-many-requests';
  if (status === 'internal-error') return 'answered internal-error';
  return undefined;
}

/**
 * The unofficial JSON endpoints behind one interface (reference §3), so a transport can be swapped
 * when Avito changes its surface: `sellerPage` (/api/1/user/profile/items) and `searchPage`
 * (/api/11/items with a frozen lastStamp).
 */
export class AvitoTransport {
  private readonly http: HttpClient;

  constructor(private readonly options: AvitoTransportOptions) {
    this.http = new HttpClient({
      upstream: 'avito',
      baseURL: options.baseURL,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      limiter: options.limiter,
      log: options.log,
      retryStatuses: BLOCK_STATUSES,
      inspect,
      onRequest: options.onRequest,
      classify: (err) => {
        const status = err.response?.status;
        if ((status !== undefined && BLOCK_STATUSES.includes(status)) || err.code === 'ERR_UPSTREAM_CHALLENGE') {
          return new UpstreamBlockedError(
            `blocked by upstream: avito ${safePath(err.config?.url)} ${status === 200 ? err.message : `answered ${status}`} after ${options.retry.retries} retries with backoff`,
            status,
          );
        }
        return undefined;
      },
    });
  }

  get pageSize(): number {
    return this.options.pageSize;
  }

  async sellerPage(sellerHash: string, page: number): Promise<MobilePage> {
    const body = await this.http.get<{ status?: string; result?: { count?: number; items?: unknown[] } }>('/api/1/user/profile/items', {
      params: { sellerId: sellerHash, page, limit: this.options.pageSize, display: 'grid' },
    });
    if (!Array.isArray(body?.result?.items)) throw new UpstreamDataError('avito seller listings answered without result.items');
    return { items: body.result.items, total: body.result.count, lastStamp: undefined };
  }

  async searchPage(
    params: { query: string; locationId: number; categoryId: number },
    page: number,
    lastStamp: number,
  ): Promise<MobilePage> {
    const body = await this.http.get<{
      status?: string;
      result?: { items?: unknown[]; totalCount?: number; mainCount?: number; lastStamp?: number };
    }>('/api/11/items', {
      params: {
        key: this.options.mobileKey,
        query: params.query,
        locationId: params.locationId,
        categoryId: params.categoryId,
        page,
        limit: this.options.pageSize,
        lastStamp,
        sort: 'date',
        display: 'list',
        presentationType: 'serp',
      },
    });
    if (!Array.isArray(body?.result?.items)) throw new UpstreamDataError('avito search answered without result.items');
    return { items: body.result.items, total: body.result.totalCount ?? body.result.mainCount, lastStamp: body.result.lastStamp };
  }
}
