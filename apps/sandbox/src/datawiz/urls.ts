import type { Request } from 'express';

export const PREFIX = '/datawiz';
export const API_PATH = '/api/v1';
export const TOKEN_PATH = '/api/o/token/';

const first = (v: string | undefined) => v?.split(',')[0]?.trim() || undefined;

/**
 * The origin a client used, as Django's `build_absolute_uri` sees it behind a proxy:
 * `X-Forwarded-Proto`/`X-Forwarded-Host` first, then `Host`.
 */
export function origin(req: Request): string {
  const proto = first(req.header('x-forwarded-proto')) ?? 'http';
  const host = first(req.header('x-forwarded-host')) ?? req.header('host') ?? 'localhost';
  return `${proto}://${host}`;
}

/** Absolute base of the API (`http://<host>/datawiz/api/v1`), for `url`/`*_url` links. */
export const apiRoot = (req: Request): string => `${origin(req)}${PREFIX}${API_PATH}`;

/** The absolute URL of this request (path and query as sent, prefix included). */
export const requestUrl = (req: Request): URL => new URL(req.originalUrl, origin(req));

/**
 * DRF's `replace_query_param` / `remove_query_param`: the same URL with `page` set (or removed for
 * null), query keys sorted, blank values kept.
 */
export function withPage(url: URL, page: number | null): string {
  const params = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) params.set(k, [...(params.get(k) ?? []), v]);
  if (page === null) params.delete('page');
  else params.set('page', [String(page)]);
  const query = new URLSearchParams();
  for (const key of [...params.keys()].sort()) for (const v of params.get(key) ?? []) query.append(key, v);
  const text = query.toString();
  return `${url.origin}${url.pathname}${text ? `?${text}` : ''}`;
}

/** Django's `request.query_params.get(name)`: the last value of a key, strings only. */
export function queryParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return undefined;
}
