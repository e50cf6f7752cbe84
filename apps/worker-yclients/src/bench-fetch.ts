import { numberedPages } from '@datasync/connector-kit';
import { pagedEntities } from './paged-entities';
import { pagingOf } from './sync';
import { CLIENT_FIELDS, YclientsTransport } from './transport';

/**
 * The two fetching halves of figure 1's baselines (bench/README.md), loaded by the bench only.
 * Both write nothing: the bench times them against the sync of the same company.
 */

const credentialsOf = (settings: Record<string, string>) => ({
  partnerToken: settings.YCLIENTS_PARTNER_TOKEN,
  userToken: settings.YCLIENTS_USER_TOKEN,
  login: settings.YCLIENTS_LOGIN,
  password: settings.YCLIENTS_PASSWORD,
});

/**
 * The sync's own fetching without its writes: the worker's transport (axios, its JSON parse, the
 * envelope checks), the lists a sync reads, then every page of clients, records and transactions
 * through `numberedPages` with the sync's paging (`pagingOf`: its last-page rule and lookahead), as
 * the stream's `pages()` does. No rate limiter (the bench's worker runs with an unbounded one).
 */
export async function fetchOnly(settings: Record<string, string>, companyId: number): Promise<{ requests: number; items: number }> {
  const t = new YclientsTransport({
    baseURL: settings.YCLIENTS_BASE_URL!,
    credentials: credentialsOf(settings),
    pageSize: Number(settings.YCLIENTS_PAGE_SIZE ?? 200),
    timeoutMs: 30_000,
    retry: { retries: 5, baseMs: 500, maxMs: 10_000 },
  });
  await t.authenticateIfNeeded();
  let requests = 1;
  let items = 0;
  const lists = await Promise.all([t.positions(companyId), t.staff(companyId), t.services(companyId), t.clientCategories(companyId)]);
  const accounts = await t.accounts(companyId);
  for (const l of [...lists, accounts]) items += l.rows.length;
  requests += lists.length + 1;
  for (const e of pagedEntities(t, companyId, () => Promise.resolve([]))) {
    const pages = numberedPages((n) => e.fetch(n), pagingOf(1, t.pageSize));
    for await (const { page } of pages) {
      requests += 1;
      items += page.rows.length;
    }
  }
  return { requests, items };
}

/** A one-off script's GET/POST: global fetch, the body read as text and JSON.parse'd, the list taken out of the envelope. */
async function call(url: string, headers: Record<string, string>, body?: unknown): Promise<{ data?: unknown }> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as { data?: unknown };
}

/**
 * What a one-off script does to get the naive sample's rows of one root entity: log in, then ask
 * for its pages one after another (200 rows each) until `rows` items are in hand.
 */
export async function naiveFetch(
  settings: Record<string, string>,
  companyId: number,
  root: string,
  rows: number,
): Promise<{ requests: number; items: number }> {
  const base = settings.YCLIENTS_BASE_URL!;
  const partner = `Bearer ${settings.YCLIENTS_PARTNER_TOKEN}`;
  const headers = { accept: 'application/vnd.yclients.v2+json', authorization: partner };
  const auth = await call(`${base}/auth`, headers, { login: settings.YCLIENTS_LOGIN, password: settings.YCLIENTS_PASSWORD });
  const user = (auth.data as { user_token: string }).user_token;
  const authorized = { ...headers, authorization: `${partner}, User ${user}` };
  const size = 200;
  let requests = 1;
  let items = 0;
  for (let page = 1; items < rows; page++) {
    const body =
      root === 'clients'
        ? await call(`${base}/company/${companyId}/clients/search`, authorized, {
            page,
            page_size: size,
            fields: CLIENT_FIELDS,
            order_by: 'id',
            order_by_direction: 'asc',
          })
        : await call(`${base}/${root}/${companyId}?page=${page}&count=${size}${root === 'records' ? '&with_deleted=1' : ''}`, authorized);
    requests += 1;
    const got = Array.isArray(body.data) ? body.data.length : 0;
    items += got;
    if (got < size) break;
  }
  return { requests, items };
}
