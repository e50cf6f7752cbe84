import express, { type Request, type Response, type Router } from 'express';
import type { CatalogItem } from './marketplace-catalog';

/**
 * Goods a test took off one marketplace's catalogue (archived, delisted) between runs, and may put
 * back. The catalogue itself is not changed (stocks, orders and returns are built from it); the
 * catalogue routes list `listed(...)` instead. Goods are named by their `code` (the seller's article).
 */
export class CatalogRemovals {
  private readonly codes = new Set<string>();

  listed(catalog: readonly CatalogItem[]): CatalogItem[] {
    return this.codes.size === 0 ? [...catalog] : catalog.filter((c) => !this.codes.has(c.code));
  }

  clear(): void {
    this.codes.clear();
  }

  /**
   * `POST /_control/catalog/remove` and `/restore` with `{"codes": [...]}`, and
   * `GET /_control/catalog/removed` (the codes off the catalogue now, sorted).
   */
  mount(router: Router, catalog: () => readonly CatalogItem[]): void {
    const removed = () => [...this.codes].sort();
    const codesOf = (req: Request, res: Response): string[] | undefined => {
      const codes = (req.body as { codes?: unknown } | undefined)?.codes;
      if (!Array.isArray(codes) || codes.length === 0 || !codes.every((c) => typeof c === 'string')) {
        res.status(400).json({ error: 'expected {"codes": ["<article>", ...]}' });
        return undefined;
      }
      const known = new Set(catalog().map((c) => c.code));
      const unknown = (codes as string[]).filter((c) => !known.has(c));
      if (unknown.length > 0) {
        res.status(404).json({ error: `no good ${unknown.join(', ')}` });
        return undefined;
      }
      return codes as string[];
    };
    router.post('/_control/catalog/remove', express.json(), (req: Request, res: Response) => {
      const codes = codesOf(req, res);
      if (!codes) return;
      for (const c of codes) this.codes.add(c);
      res.json({ removed: removed() });
    });
    router.post('/_control/catalog/restore', express.json(), (req: Request, res: Response) => {
      const codes = codesOf(req, res);
      if (!codes) return;
      for (const c of codes) this.codes.delete(c);
      res.json({ removed: removed() });
    });
    router.get('/_control/catalog/removed', (_req: Request, res: Response) => {
      res.json({ removed: removed() });
    });
  }
}
