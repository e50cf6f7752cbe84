import type { Request, Response } from 'express';
import { authenticated, type TokenStore } from './auth';
import { describeFields, fromForm, validateObject, type ErrorDetail, type Fields, type ObjectOutcome } from './fields';
import { paginate, order, search } from './listing';
import { negotiate, PARSES, RENDERS, send, type Format } from './render';
import { upsert, type DatawizStore, type Resource } from './resources';
import { API_PATH, apiRoot, PREFIX, queryParam } from './urls';

interface View {
  name: string;
  allow: string[];
}

/** The views of one collection, with the row type hidden so routes can pick one by name. */
interface Collection {
  viewName: string;
  list(req: Request, res: Response, format: Format, view: View): void;
  create(req: Request, res: Response, format: Format, view: View): void;
  detail(req: Request, res: Response, format: Format, view: View, id: string): void;
  postFields(): Record<string, unknown>;
}

type Route =
  | { kind: 'root' }
  | { kind: 'list'; collection: Collection }
  | { kind: 'detail'; collection: Collection; id: string }
  | { kind: 'sale-product'; saleId: string; productId: string };

const LIST_METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS'];
const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'];
const NOT_FOUND = { detail: 'Not found' };

type Body = { ok: true; data: unknown } | { ok: false; status: number; detail: string };

/** DRF's request.data: JSON or form bodies; no body or no Content-Type reads as an empty object. */
function parseBody(req: Request, fields: Fields): Body {
  const raw: unknown = req.body;
  const contentType = req.header('content-type');
  if (typeof raw !== 'string' || raw === '' || !contentType) return { ok: true, data: {} };
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    try {
      return { ok: true, data: JSON.parse(raw) as unknown };
    } catch (err) {
      return { ok: false, status: 400, detail: `JSON parse error - ${(err as Error).message}` };
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') return { ok: true, data: fromForm(fields, new URLSearchParams(raw)) };
  return { ok: false, status: 415, detail: `Unsupported media type "${contentType}" in request.` };
}

function collection<T extends object>(store: DatawizStore, resource: Resource<T>): Collection {
  const rowName = (row: T) => String((row as { name?: unknown }).name ?? '');
  const validate = (item: unknown): ObjectOutcome => {
    const outcome = validateObject(resource.fields, item);
    if (!outcome.ok) return outcome;
    const errors = resource.check(outcome.value, resource.rows.get(String(outcome.value[resource.key])));
    return errors.length > 0 ? { ok: false, errors: { non_field_errors: errors } } : outcome;
  };
  return {
    viewName: resource.viewName,
    list(req, res, format, view) {
      const rows = order(resource, search([...resource.rows.values()], queryParam(req, 'search'), rowName), queryParam(req, 'ordering'));
      const page = paginate(req, rows);
      if (!page.ok) return send(res, format, 404, { detail: 'Invalid page.' }, view);
      const api = apiRoot(req);
      const results = res.locals.sandboxEmptyPage === true ? [] : page.rows.map((row) => resource.render(row, api));
      send(res, format, 200, { count: page.count, next: page.next, previous: page.previous, results }, view);
    },
    create(req, res, format, view) {
      const body = parseBody(req, resource.fields);
      if (!body.ok) return send(res, format, body.status, { detail: body.detail }, view);
      const many = Array.isArray(body.data);
      const outcomes = (many ? (body.data as unknown[]) : [body.data]).map(validate);
      if (outcomes.some((o) => !o.ok)) {
        const errors: ErrorDetail[] = outcomes.map((o) => (o.ok ? {} : o.errors));
        return send(res, format, 400, many ? errors : errors[0], view);
      }
      const counts = { updated: 0, inserted: 0 };
      for (const o of outcomes) if (o.ok) counts[upsert(resource, o.value)] += 1;
      if (store.createAnswer === 'brief') send(res, format, 201, counts, view);
      else send(res, format, 200, { results: { updated: counts.updated, created: counts.inserted } }, view);
    },
    detail(req, res, format, view, id) {
      const row = resource.rows.get(id);
      if (!row) return send(res, format, 404, NOT_FOUND, view);
      send(res, format, 200, resource.render(row, apiRoot(req)), view);
    },
    postFields: () => describeFields(resource.fields),
  };
}

/**
 * DRF's URL patterns: `<resource>/`, `<resource>/<id>/` (ids without `/` or `.`), each also with a
 * format suffix (`sale.json`, `sale/713.api`, trailing slash optional then).
 */
function resolve(path: string, collections: Map<string, Collection>): { route: Route; suffix?: string; slash: boolean } | null {
  let p = path.replace(/^\//, '');
  const slash = p.endsWith('/');
  if (slash) p = p.slice(0, -1);
  const segments = p === '' ? [] : p.split('/');
  let suffix: string | undefined;
  const last = segments.at(-1);
  const m = last === undefined ? null : /^([^.]*)\.([a-z0-9]+)$/.exec(last);
  if (m) {
    suffix = m[2];
    if (segments.length === 1 && m[1] === '') segments.pop();
    else segments[segments.length - 1] = m[1] ?? '';
  }
  let decoded: string[];
  try {
    decoded = segments.map(decodeURIComponent);
  } catch {
    return null;
  }
  if (decoded.some((s) => s === '' || s.includes('.') || s.includes('/'))) return null;
  const [name, id, sub, subId, ...rest] = decoded;
  if (rest.length > 0) return null;
  if (name === undefined) return { route: { kind: 'root' }, suffix, slash };
  const found = collections.get(name);
  if (!found) return null;
  if (id === undefined) return { route: { kind: 'list', collection: found }, suffix, slash };
  if (sub === undefined) return { route: { kind: 'detail', collection: found, id }, suffix, slash };
  if ((name === 'sale' || name === 'sales') && sub === 'products' && subId !== undefined) {
    return { route: { kind: 'sale-product', saleId: id, productId: subId }, suffix, slash };
  }
  return null;
}

function viewOf(route: Route): View {
  switch (route.kind) {
    case 'root':
      return { name: 'Api Root', allow: READ_METHODS };
    case 'list':
      return { name: `${route.collection.viewName} List`, allow: LIST_METHODS };
    case 'detail':
      return { name: `${route.collection.viewName} Instance`, allow: READ_METHODS };
    case 'sale-product':
      return { name: 'Sale Product Instance', allow: READ_METHODS };
  }
}

/** Everything under `/api/v1`: routing, negotiation, bearer auth, then the view, as DRF orders them. */
export function apiHandler(store: DatawizStore, tokens: TokenStore) {
  const sales = collection(store, store.sales);
  const collections = new Map<string, Collection>([
    ['sale', sales],
    ['sales', sales],
    ['shops', collection(store, store.shops)],
    ['products', collection(store, store.products)],
  ]);

  return (req: Request, res: Response): void => {
    const resolved = resolve(req.path, collections);
    if (!resolved) {
      res.status(404).json(NOT_FOUND);
      return;
    }
    if (!resolved.slash && resolved.suffix === undefined) {
      // Django's APPEND_SLASH: a GET without the trailing slash is redirected, anything else is lost.
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.status(404).json(NOT_FOUND);
        return;
      }
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      res.redirect(301, `${PREFIX}${API_PATH}${req.path}/${query}`);
      return;
    }
    const { route } = resolved;
    const view = viewOf(route);
    const format = negotiate(req, resolved.suffix);
    if (format === 'unknown-format') return send(res, 'json', 404, NOT_FOUND, view);
    if (format === 'not-acceptable') return send(res, 'json', 406, { detail: 'Could not satisfy the request Accept header.' }, view);
    if (!authenticated(tokens, req)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="api"');
      return send(res, format, 401, { detail: 'Authentication credentials were not provided.' }, view);
    }
    if (!view.allow.includes(req.method)) {
      return send(res, format, 405, { detail: `Method "${req.method}" not allowed.` }, view);
    }
    if (req.method === 'OPTIONS') {
      const metadata: Record<string, unknown> = { name: view.name, description: '', renders: RENDERS, parses: PARSES };
      if (route.kind === 'list') metadata.actions = { POST: route.collection.postFields() };
      return send(res, format, 200, metadata, view);
    }
    switch (route.kind) {
      case 'root': {
        const api = apiRoot(req);
        return send(res, format, 200, { sale: `${api}/sale/`, shops: `${api}/shops/`, products: `${api}/products/` }, view);
      }
      case 'list':
        return req.method === 'POST' ? route.collection.create(req, res, format, view) : route.collection.list(req, res, format, view);
      case 'detail':
        return route.collection.detail(req, res, format, view, route.id);
      case 'sale-product': {
        const sale = store.sales.rows.get(route.saleId);
        if (!sale || !sale.products.includes(route.productId)) return send(res, format, 404, NOT_FOUND, view);
        const item = (store.sales.render(sale, apiRoot(req)).products as { product_id: string }[]).find(
          (p) => p.product_id === route.productId,
        );
        return send(res, format, 200, item, view);
      }
    }
  };
}
