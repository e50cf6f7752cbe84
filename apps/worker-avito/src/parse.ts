import { z } from 'zod';

/** A listing as DataSync stores it, whatever surface it came from. */
export interface Listing {
  avitoId: bigint;
  title: string;
  price: string | null;
  priceText: string | null;
  url: string | null;
  categoryId: number | null;
  categoryName: string | null;
  locationName: string | null;
  address: string | null;
  publishedAt: Date | null;
  raw: unknown;
}

export const AVITO_WEB = 'https://www.avito.ru';

const id = z.union([z.number().int().positive(), z.string().regex(/^\d{1,19}$/)]).transform((v) => BigInt(v));
const mobileValue = z.object({
  id,
  title: z.string().min(1),
  price: z.union([z.string(), z.object({ current: z.string() }), z.null()]).optional(),
  time: z.number().optional(),
  location: z.string().optional(),
  address: z.string().optional(),
  category: z.object({ id: z.number().int(), name: z.string().optional() }).optional(),
  uri_mweb: z.string().optional(),
});

/** Roubles from a display price ("350 000 ₽ в месяц" → "350000"); null when it has no digits. */
export function parsePrice(text: string | null | undefined): string | null {
  if (!text) return null;
  const digits = text.replace(/[^\d]/g, '');
  return digits ? digits : null;
}

function fromMobile(value: unknown): Listing | { skipped: string } {
  const parsed = mobileValue.safeParse(value);
  if (!parsed.success) return { skipped: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const v = parsed.data;
  const priceText = typeof v.price === 'string' ? v.price : (v.price?.current ?? null);
  return {
    avitoId: v.id,
    title: v.title,
    price: parsePrice(priceText),
    priceText,
    url: v.uri_mweb ? AVITO_WEB + v.uri_mweb.split('?')[0] : null,
    categoryId: v.category?.id ?? null,
    categoryName: v.category?.name ?? null,
    locationName: v.location ?? null,
    address: v.address ?? null,
    publishedAt: v.time ? new Date(v.time > 1e10 ? v.time : v.time * 1000) : null,
    raw: value,
  };
}

export interface ParsedPage {
  listings: Listing[];
  /** Top-level `item`/`xlItem` wrappers: what "a full page" is counted in. */
  itemCount: number;
  skipped: string[];
}

/**
 * The mobile surface's wrappers: keep `item`/`xlItem`, unwrap `vip` blocks (their listings repeat
 * ones from other pages), drop separators and banners. Malformed listings are skipped with a reason.
 */
export function parseMobileItems(items: unknown[]): ParsedPage {
  const page: ParsedPage = { listings: [], itemCount: 0, skipped: [] };
  const take = (value: unknown) => {
    const l = fromMobile(value);
    if ('skipped' in l) page.skipped.push(l.skipped);
    else page.listings.push(l);
  };
  for (const wrapper of items) {
    if (!wrapper || typeof wrapper !== 'object') continue;
    const { type, value } = wrapper as { type?: unknown; value?: unknown };
    if (type === 'item' || type === 'xlItem') {
      page.itemCount += 1;
      take(value);
    } else if (type === 'vip') {
      const list = (value as { list?: unknown } | undefined)?.list;
      for (const inner of Array.isArray(list) ? list : []) {
        const t = (inner as { type?: unknown })?.type;
        if (t === 'item' || t === 'xlItem') take((inner as { value?: unknown }).value);
      }
    }
  }
  return page;
}
