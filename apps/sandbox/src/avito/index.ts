import express, { type Request, type Response } from 'express';
import type { Fake, FakeContext } from '../fake';
import { seededFaker } from '../random';
import { ALL_RUSSIA, byDateDesc, generateAvitoData, priceText, urlPath, type Listing, type Seller } from './data';

const HASH = /^[0-9a-f]{32}$/;
const SEARCH_LIMIT_MAX = 50;
const WEB_PAGE_SIZE = 50;
const OFFICIAL_PER_MINUTE = 25;
/** Account `a`'s official-API application (the sandbox's historical one). */
export const SANDBOX_CLIENT = { id: 'sandbox-client', secret: 'sandbox-secret' };
/**
 * Every sandbox account: the mobile key its public-route requests carry (any non-empty key is
 * served, as the real app key is not per user; the key names the account for fault rules and the
 * request log), and its official-API application with the seller (by index) it belongs to.
 */
export const AVITO_ACCOUNT_CLIENTS: Record<string, { mobileKey: string; id: string; secret: string; seller: number }> = {
  a: { mobileKey: 'af0deccbgcgidddjgnvljitntccdduijhdinfgjgfjir', ...SANDBOX_CLIENT, seller: 0 },
  b: { mobileKey: 'b7e1fd0a9c3e4b52a8d6c0f1e2d3b4a5c6d7e8f9a0b1', id: 'sandbox-client-b', secret: 'sandbox-secret-b', seller: 1 },
};

interface SearchFilter {
  query?: string;
  locationId?: number;
  categoryId?: number;
  sellerHash?: string;
  lastStamp?: number;
}

const intParam = (v: unknown): number | undefined => {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
};
const strParam = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Avito's unofficial listing endpoints and its official business API, per
 * shared/reference/avito.md §8. Assumed where the reference is unconfirmed (documented in
 * apps/sandbox/README.md): 400 bodies, unknown sellers answering an empty list, POST /token errors.
 */
export function createAvitoFake(ctx: FakeContext): Fake {
  let sellers: Seller[] = [];
  let listings: Listing[] = [];
  /** Access token → the account whose application got it, and its seller. */
  let tokens = new Map<string, { account: string; seller: Seller }>();
  /** Official API requests of the last minute, per account (25 a minute per application). */
  let officialWindows = new Map<string, number[]>();

  const reset = () => {
    const data = generateAvitoData(seededFaker(ctx.seed));
    sellers = data.sellers;
    listings = data.listings.sort(byDateDesc);
    tokens = new Map();
    officialWindows = new Map();
  };
  reset();

  ctx.faults.registerPreset('avito.soft-throttle', {
    status: 403,
    body: { 'too-many-requests': 'Доступ с вашего IP-адреса временно ограничен' },
  });
  ctx.faults.registerPreset('avito.ip-block', {
    status: 403,
    body: {
      code: 403,
      error: { message: 'Доступ с вашего IP-адреса временно ограничен', link: 'ru.avito://1/info/ipblock/show' },
    },
  });
  ctx.faults.registerPreset('avito.rate-limit', { status: 429, body: { status: 'too-many-requests' } });
  ctx.faults.registerPreset('avito.pow', {
    status: 439,
    body: 'challenge',
    contentType: 'text/html',
    headers: { 'Set-Cookie': 'pow_challenge=sandbox; Path=/' },
  });
  ctx.faults.registerPreset('avito.html-challenge', {
    status: 200,
    body: '<html><body><h1>Доступ ограничен: проблема с IP</h1><p>проверка безопасности</p></body></html>',
    contentType: 'text/html',
  });
  ctx.faults.registerPreset('avito.internal-error', { status: 500, body: { status: 'internal-error' } });

  const search = (f: SearchFilter): Listing[] =>
    listings.filter(
      (l) =>
        l.status === 'active' &&
        (f.sellerHash === undefined || l.sellerHash === f.sellerHash) &&
        (f.locationId === undefined || f.locationId === ALL_RUSSIA || l.locationId === f.locationId) &&
        (f.categoryId === undefined || l.categoryId === f.categoryId) &&
        (f.query === undefined || l.title.toLowerCase().includes(f.query.toLowerCase())) &&
        (f.lastStamp === undefined || l.time <= f.lastStamp),
    );

  const mobileValue = (l: Listing) => ({
    id: l.id,
    title: l.title,
    price: priceText(l),
    time: l.time,
    location: l.locationName,
    address: l.address,
    coords: { lat: l.lat, lng: l.lng },
    category: { id: l.categoryId, name: l.categoryName },
    uri: `ru.avito://1/item/show?itemId=${l.id}`,
    uri_mweb: urlPath(l),
    images: [{ '208x156': `https://00.img.avito.st/208x156/${l.id}.jpg` }],
    geoReferences: [],
  });

  const webItem = (l: Listing) => ({
    id: l.id,
    type: 'item',
    categoryId: l.categoryId,
    locationId: l.locationId,
    title: l.title,
    description: `${l.title}. ${l.address}`,
    urlPath: urlPath(l),
    category: { id: l.categoryId, name: l.categoryName, slug: l.categorySlug, rootId: l.categoryId === 42 ? 4 : 1 },
    location: { id: l.locationId, name: l.locationName, namePrepositional: l.locationName, isCurrent: true, isRegion: false },
    addressDetailed: { locationName: l.locationName },
    geo: { formattedAddress: l.address, geoReferences: [] },
    priceDetailed: {
      value: l.price ?? 0,
      string: priceText(l),
      fullString: priceText(l),
      postfix: l.priceSuffix.trim(),
      hasValue: l.price !== null,
      enabled: true,
      wasLowered: false,
    },
    sortTimeStamp: l.time * 1000,
    images: [{ '208x156': `https://00.img.avito.st/208x156/${l.id}.jpg` }],
    isVerifiedItem: false,
    sellerId: l.sellerHash,
  });

  const badRequest = (res: Response, message: string) => {
    res.status(400).json({ status: 'bad-request', result: { message } });
  };

  const router = express.Router();
  router.use(express.urlencoded({ extended: false }));

  // §4.1 mobile-web search (versions 9, 10, 11 answer alike).
  router.get('/api/:version/items', (req: Request, res: Response) => {
    if (!['9', '10', '11'].includes(String(req.params.version))) return badRequest(res, 'unknown api version');
    if (!strParam(req.query.key)) return badRequest(res, 'key is required');
    const page = intParam(req.query.page) ?? 1;
    const limit = Math.min(intParam(req.query.limit) ?? 30, SEARCH_LIMIT_MAX);
    if (page < 1 || limit < 1) return badRequest(res, 'page and limit must be positive');
    const lastStamp = intParam(req.query.lastStamp) ?? Math.floor(Date.now() / 1000);
    const found = search({
      query: strParam(req.query.query) ?? strParam(req.query.q),
      locationId: intParam(req.query.locationId),
      categoryId: intParam(req.query.categoryId),
      lastStamp,
    });
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice((page - 1) * limit, page * limit);
    const items: unknown[] = slice.map((l) => ({ type: 'item', value: mobileValue(l) }));
    if (page === 1 && found.length > limit) {
      // A promoted block repeats listings from later pages, and a separator closes the page.
      const promoted = found.slice(limit, limit + 2).map((l) => ({ type: 'item', value: mobileValue(l) }));
      items.splice(Math.min(3, items.length), 0, { type: 'vip', value: { list: promoted } });
      items.push({ type: 'groupTitle', value: { title: 'Объявления в других регионах' } });
    }
    res.json({
      status: 'ok',
      result: { items, lastStamp, mainCount: found.length, totalCount: found.length, count: found.length },
    });
  });

  // §4.2 web JSON search: flat items, 50 a page, `p` as the page.
  router.get('/web/1/js/items', (req: Request, res: Response) => {
    const page = intParam(req.query.p) ?? intParam(req.query.page) ?? 1;
    if (page < 1) return badRequest(res, 'p must be positive');
    const found = search({
      query: strParam(req.query.query) ?? strParam(req.query.name),
      locationId: intParam(req.query.locationId),
      categoryId: intParam(req.query.categoryId),
    });
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice((page - 1) * WEB_PAGE_SIZE, page * WEB_PAGE_SIZE);
    const items: unknown[] = slice.map(webItem);
    if (page === 1 && items.length > 0) items.splice(1, 0, { type: 'banner', id: null, bannerId: 'serp-top' });
    res.json({ catalog: { items }, totalCount: found.length });
  });

  // §5.2 seller listings by user hash.
  router.get('/api/1/user/profile/items', (req: Request, res: Response) => {
    const hash = strParam(req.query.sellerId);
    if (!hash || !HASH.test(hash)) return badRequest(res, 'sellerId must be a 32-character hex hash');
    const page = intParam(req.query.page) ?? 1;
    const limit = Math.min(intParam(req.query.limit) ?? 50, SEARCH_LIMIT_MAX);
    if (page < 1 || limit < 1) return badRequest(res, 'page and limit must be positive');
    const found = search({ sellerHash: hash, categoryId: intParam(req.query.categoryId) });
    const slice = res.locals.sandboxEmptyPage ? [] : found.slice((page - 1) * limit, page * limit);
    res.json({
      status: 'ok',
      result: {
        count: found.length,
        items: slice.map((l) => ({
          type: 'item',
          value: {
            id: l.id,
            title: l.title,
            price: priceText(l),
            time: l.time,
            uri: `ru.avito://1/item/show?itemId=${l.id}`,
            uri_mweb: `${urlPath(l)}?context=H4sIAAAAAAAA_sandbox`,
          },
        })),
        categoryTree: { count: found.length },
      },
    });
  });

  // §5.3 the older seller route, paged by offset.
  router.get('/web/1/profile/public/items', (req: Request, res: Response) => {
    const hash = strParam(req.query.hashUserId);
    if (!hash || !HASH.test(hash)) return badRequest(res, 'hashUserId must be a 32-character hex hash');
    const offset = intParam(req.query.offset) ?? 0;
    const limit = Math.min(intParam(req.query.limit) ?? 100, 100);
    const found = search({ sellerHash: hash });
    res.json({
      result: { list: found.slice(offset, offset + limit).map((l) => ({ id: l.id, title: l.title, url: urlPath(l) })) },
    });
  });

  // §2.1 official API token (client_credentials).
  router.post(['/token', '/token/'], (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (body.grant_type !== 'client_credentials' || !body.client_id || !body.client_secret) {
      res.status(400).json({ error: 'invalid_request', error_description: 'grant_type, client_id and client_secret are required' });
      return;
    }
    const client = Object.entries(AVITO_ACCOUNT_CLIENTS).find(([, c]) => c.id === body.client_id && c.secret === body.client_secret);
    if (!client) {
      res.status(401).json({ error: 'invalid_client', error_description: 'unknown client' });
      return;
    }
    const [account, { seller }] = client;
    const token = `sandbox-token-${account === 'a' ? '' : `${account}-`}${tokens.size + 1}-${ctx.seed}`;
    tokens.set(token, { account, seller: sellers[seller]! });
    res.json({ access_token: token, expires_in: 86400, token_type: 'Bearer' });
  });

  const grantOf = (req: Request) => {
    const m = /^Bearer (.+)$/.exec(req.header('authorization') ?? '');
    return m ? tokens.get(m[1]!) : undefined;
  };
  const owner = (req: Request): Seller | undefined => grantOf(req)?.seller;
  ctx.registry.register('/avito', (req) => {
    const key = strParam(req.query.key);
    return key !== undefined ? Object.entries(AVITO_ACCOUNT_CLIENTS).find(([, c]) => c.mobileKey === key)?.[0] : grantOf(req)?.account;
  });

  router.get('/core/v1/accounts/self', (req: Request, res: Response) => {
    const seller = owner(req);
    if (!seller) {
      res.status(401).json({ error: { code: 401, message: 'Unauthorized' } });
      return;
    }
    res.json({
      id: seller.userId,
      name: seller.name,
      email: 'seller@example.com',
      phone: '71112223344',
      phones: ['71112223344'],
      profile_url: `https://avito.ru/user/${seller.hash}/profile`,
    });
  });

  // §2.3 own listings: per_page 1..99, no total, 25 requests a minute.
  router.get('/core/v1/items', (req: Request, res: Response) => {
    const grant = grantOf(req);
    if (!grant) {
      res.status(401).json({ error: { code: 401, message: 'Unauthorized' } });
      return;
    }
    const seller = grant.seller;
    const now = Date.now();
    const officialWindow = (officialWindows.get(grant.account) ?? []).filter((t) => now - t < 60_000);
    officialWindows.set(grant.account, officialWindow);
    res.setHeader('X-RateLimit-Limit', String(OFFICIAL_PER_MINUTE));
    if (officialWindow.length >= OFFICIAL_PER_MINUTE) {
      res.setHeader('X-RateLimit-Remaining', '0');
      res.status(429).json({ code: 'too_many_requests', message: 'Rate limit exceeded' });
      return;
    }
    officialWindow.push(now);
    res.setHeader('X-RateLimit-Remaining', String(OFFICIAL_PER_MINUTE - officialWindow.length));
    const perPage = intParam(req.query.per_page) ?? 25;
    const page = intParam(req.query.page) ?? 1;
    if (perPage < 1 || perPage > 99 || page < 1) {
      res.status(400).json({ code: 'bad_request', message: 'per_page must be greater than 0 and less than 100' });
      return;
    }
    const statuses = (strParam(req.query.status) ?? 'active').split(',');
    const mine = listings.filter((l) => l.sellerHash === seller.hash && statuses.includes(l.status));
    res.json({
      meta: { page, per_page: perPage },
      resources: mine.slice((page - 1) * perPage, page * perPage).map((l) => ({
        id: l.id,
        title: l.title,
        price: l.price,
        status: l.status,
        url: `https://www.avito.ru${urlPath(l)}`,
        address: l.address,
        category: { id: l.categoryId, name: l.categoryName },
      })),
    });
  });

  // Control: what the fake holds, so tests can compare a sync with the source.
  // The public routes need no account; each account is an official-API application of its own seller.
  router.get('/_control/credentials', (_req: Request, res: Response) => {
    res.json({
      client_id: SANDBOX_CLIENT.id,
      client_secret: SANDBOX_CLIENT.secret,
      accounts: Object.entries(AVITO_ACCOUNT_CLIENTS).map(([name, c]) => ({
        name,
        credentials: { mobileKey: c.mobileKey },
        settings: {},
        // Not part of a DataSync connection (its Avito source reads the public routes): the official API's account.
        official: { clientId: c.id, clientSecret: c.secret, sellerHash: sellers[c.seller]!.hash, userId: sellers[c.seller]!.userId },
      })),
    });
  });
  router.get('/_control/sellers', (_req: Request, res: Response) => {
    res.json({
      sellers: sellers.map((s) => ({ hash: s.hash, userId: s.userId, active: search({ sellerHash: s.hash }).length })),
    });
  });
  router.get('/_control/listings', (req: Request, res: Response) => {
    const found = search({
      sellerHash: strParam(req.query.sellerId),
      query: strParam(req.query.query),
      locationId: intParam(req.query.locationId),
      categoryId: intParam(req.query.categoryId),
    });
    res.json({
      total: found.length,
      listings: found.map((l) => ({ ...l, priceText: priceText(l), url: `https://www.avito.ru${urlPath(l)}` })),
    });
  });

  return { name: 'avito', prefix: '/avito', router, reset };
}
