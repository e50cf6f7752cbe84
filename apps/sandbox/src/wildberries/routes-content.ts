import type { Request, Response, Router } from 'express';
import { brandOf, type CatalogItem } from '../marketplace-catalog';
import { obj, toInt } from '../marketplace-params';
import type { WbState } from './state';

/** One card per `nmId` with its sizes; `updatedAt` an hour apart in catalogue order. */
const cards = (catalog: readonly CatalogItem[]) => {
  const byNm = new Map<number, CatalogItem[]>();
  for (const c of catalog) byNm.set(c.wb.nmId, [...(byNm.get(c.wb.nmId) ?? []), c]);
  return [...byNm.values()].map((sizes, i) => {
    const first = sizes[0]!;
    const updatedAt = new Date(Date.UTC(2025, 11, 6, 11, 17) + i * 3600_000).toISOString();
    return {
      nmID: first.wb.nmId,
      imtID: first.wb.imtId,
      nmUUID: `01bda0b1-0000-4000-8000-${String(first.wb.nmId).padStart(12, '0')}`,
      subjectID: 7771,
      subjectName: first.name.split(',')[0],
      vendorCode: first.wb.vendorCode,
      brand: brandOf(first),
      title: first.name.split(',')[0],
      needKiz: false,
      dimensions: { length: 30, width: 20, height: 10, weightBrutto: 1.2, isValid: true },
      sizes: sizes.map((s) => ({
        chrtID: s.wb.chrtId,
        techSize: s.wb.techSize,
        wbSize: s.wb.techSize === '0' ? '' : s.wb.techSize,
        skus: [s.wb.barcode],
      })),
      createdAt: updatedAt,
      updatedAt,
    };
  });
};

/** content-api: §3.7 product cards, cursor = last card's updatedAt + nmID. */
export function mountContentRoutes(router: Router, state: WbState): void {
  router.post('/content/v2/get/cards/list', (req: Request, res: Response) => {
    const settings = obj(obj(req.body).settings);
    const cursor = obj(settings.cursor);
    const filter = obj(settings.filter);
    const limit = toInt(cursor.limit) ?? 100;
    if (limit < 1 || limit > 100)
      return res.status(400).json({ data: null, error: true, errorText: 'cursor.limit: from 1 to 100', additionalErrors: null });
    const ascending = obj(settings.sort).ascending === true;
    const text = typeof filter.textSearch === 'string' ? filter.textSearch.toLowerCase() : '';
    let list = cards(state.removals.listed(state.catalog))
      .filter(
        (c) =>
          text === '' || c.vendorCode.toLowerCase().includes(text) || String(c.nmID) === text || c.sizes.some((s) => s.skus.includes(text)),
      )
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.nmID - b.nmID);
    if (!ascending) list.reverse();
    if (typeof cursor.updatedAt === 'string' && toInt(cursor.nmID) !== undefined) {
      const at = list.findIndex((c) => c.nmID === toInt(cursor.nmID) && c.updatedAt === cursor.updatedAt);
      list = at >= 0 ? list.slice(at + 1) : [];
    }
    const page = res.locals.sandboxEmptyPage ? [] : list.slice(0, limit);
    const last = page.at(-1);
    res.json({ cards: page, cursor: { updatedAt: last?.updatedAt ?? null, nmID: last?.nmID ?? null, total: page.length } });
    return undefined;
  });
}
