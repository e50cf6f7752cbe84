import express, { type Request, type Response, type Router } from 'express';
import type { TokenStore } from './auth';
import { validateField, type ErrorDetail } from './fields';
import { upsert, type DatawizStore } from './resources';
import { apiRoot, PREFIX } from './urls';

const COLLECTIONS = ['shops', 'products', 'sales'] as const;
type Collection = (typeof COLLECTIONS)[number];

function removalBody(req: Request, res: Response): { collection: Collection; ids: string[] } | undefined {
  const body = (req.body ?? {}) as { collection?: unknown; ids?: unknown };
  const ok =
    COLLECTIONS.includes(body.collection as Collection) &&
    Array.isArray(body.ids) &&
    body.ids.length > 0 &&
    body.ids.every((x) => typeof x === 'string');
  if (!ok) {
    res.status(400).json({ error: `expected {"collection": "${COLLECTIONS.join('" | "')}", "ids": ["<id>", ...]}` });
    return undefined;
  }
  return { collection: body.collection as Collection, ids: body.ids as string[] };
}

/** Numeric ids in numeric order, others after them in text order. */
const compareKeys = (a: string, b: string) => {
  const [x, y] = [Number(a), Number(b)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
};

const removedIds = (store: DatawizStore) => Object.fromEntries(COLLECTIONS.map((c) => [c, [...store.removed[c].keys()].sort(compareKeys)]));

/** Fields a test may change on a sale with `PATCH /_control/sales/:saleId`. */
const EDITABLE = ['name', 'description', 'date_from', 'date_to'] as const;

/**
 * Test-only endpoints under `/datawiz/_control`: the credentials, a full dump of the source (in
 * the API's own shape, so a test compares it with what a sync stored), and mutations of sales so a
 * re-sync has something to pick up.
 */
export function controlRouter(store: DatawizStore, tokens: TokenStore, reset: () => void): Router {
  const router = express.Router();
  router.use(express.json());

  const sale = (req: Request, res: Response) => {
    const found = store.sales.rows.get(String(req.params.saleId));
    if (!found) res.status(404).json({ error: `no sale ${String(req.params.saleId)}` });
    return found;
  };

  // GET /credentials is answered for every account by the multi-account router (index.ts).

  router.get('/data', (req, res) => {
    const api = apiRoot(req);
    const dump = <T extends object>(r: { rows: Map<string, T>; render(row: T, api: string): Record<string, unknown> }) =>
      [...r.rows.values()].map((row) => r.render(row, api));
    const sales = dump(store.sales);
    const shops = dump(store.shops);
    const products = dump(store.products);
    res.json({ counts: { sales: sales.length, shops: shops.length, products: products.length }, sales, shops, products });
  });

  router.patch('/sales/:saleId', (req, res) => {
    const found = sale(req, res);
    if (!found) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const value: Record<string, unknown> = { sale_id: found.sale_id };
    const errors: Record<string, ErrorDetail> = {};
    for (const name of EDITABLE) {
      if (body[name] === undefined) continue;
      const spec = store.sales.fields[name];
      const outcome = spec ? validateField(spec, body[name]) : { ok: false as const, errors: ['unknown field'] };
      if (outcome.ok) value[name] = outcome.value;
      else errors[name] = outcome.errors;
    }
    if (Object.keys(errors).length > 0) {
      res.status(400).json(errors);
      return;
    }
    upsert(store.sales, value);
    res.json(store.sales.render(store.sales.rows.get(found.sale_id) ?? found, apiRoot(req)));
  });

  router.delete('/sales/:saleId', (req, res) => {
    if (!sale(req, res)) return;
    store.sales.rows.delete(String(req.params.saleId));
    res.status(204).end();
  });

  const unlink = (list: 'shops' | 'products', param: 'shopId' | 'productId') => (req: Request, res: Response) => {
    const found = sale(req, res);
    if (!found) return;
    const id = String(req.params[param]);
    if (!found[list].includes(id)) {
      res.status(404).json({ error: `sale ${found.sale_id} has no ${list === 'shops' ? 'shop' : 'product'} ${id}` });
      return;
    }
    found[list] = found[list].filter((x) => x !== id);
    res.json(store.sales.render(found, apiRoot(req)));
  };
  router.delete('/sales/:saleId/shops/:shopId', unlink('shops', 'shopId'));
  router.delete('/sales/:saleId/products/:productId', unlink('products', 'productId'));

  // Remove shops, products or sales from the collections (deleted upstream) and put them back;
  // `removed` lists what is gone now, per collection.
  router.post('/remove', (req, res) => {
    const body = removalBody(req, res);
    if (!body) return;
    const rows = store[body.collection].rows as Map<string, object>;
    const unknown = body.ids.filter((id) => !rows.has(id));
    if (unknown.length > 0) return void res.status(404).json({ error: `no ${body.collection} ${unknown.join(', ')}` });
    for (const id of body.ids) {
      (store.removed[body.collection] as Map<string, object>).set(id, rows.get(id)!);
      rows.delete(id);
    }
    res.json(removedIds(store));
  });
  router.post('/restore', (req, res) => {
    const body = removalBody(req, res);
    if (!body) return;
    const gone = store.removed[body.collection] as Map<string, object>;
    const unknown = body.ids.filter((id) => !gone.has(id));
    if (unknown.length > 0) return void res.status(404).json({ error: `no removed ${body.collection} ${unknown.join(', ')}` });
    // Listed last again, as a row created anew (a Map lists in insertion order).
    const rows = store[body.collection].rows as Map<string, object>;
    for (const id of body.ids) {
      rows.set(id, gone.get(id)!);
      gone.delete(id);
    }
    res.json(removedIds(store));
  });
  router.get('/removed', (_req, res) => {
    res.json(removedIds(store));
  });

  // The form a successful POST answers in (reset: documented).
  router.post('/create-answer', (req, res) => {
    const form = (req.body as { form?: unknown } | undefined)?.form;
    if (form !== 'documented' && form !== 'brief') {
      res.status(400).json({ error: 'expected {"form": "documented" | "brief"}' });
      return;
    }
    store.createAnswer = form;
    res.json({ form });
  });

  router.post('/expire-tokens', (_req, res) => {
    res.json({ expired: tokens.expireAll() });
  });

  router.post('/reset', (_req, res) => {
    reset();
    res.status(204).end();
  });

  router.use((req, res) => {
    res.status(404).json({ error: `datawiz control: no ${req.method} ${PREFIX}/_control${req.path}` });
  });
  return router;
}
