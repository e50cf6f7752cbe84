import express, { type Request, type Response, type Router } from 'express';
import type { TokenStore } from './auth';
import { validateField, type ErrorDetail } from './fields';
import { upsert, type DatawizStore } from './resources';
import { apiRoot, PREFIX } from './urls';

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
