import type { FboRead, FboRow } from './types';

/** The numeric fields of a marketplace row, as `details` keeps them. */
export function numbers(row: Record<string, unknown>, keep: (key: string) => boolean): Record<string, number> {
  return Object.fromEntries(Object.entries(row).filter(([k, v]) => keep(k) && typeof v === 'number' && Number.isFinite(v))) as Record<
    string,
    number
  >;
}

/**
 * Rows of one read, one per (warehouse, product): a good the marketplace answers twice on one
 * warehouse (e.g. two FBY campaigns of a cabinet) is summed, figure by figure.
 */
export class FboCollector {
  private readonly byKey = new Map<string, FboRow>();
  unmapped = 0;

  add(row: FboRow | undefined): void {
    if (!row) {
      this.unmapped += 1;
      return;
    }
    const key = `${row.warehouseId}\0${row.productId}`;
    const had = this.byKey.get(key);
    if (!had) return void this.byKey.set(key, { ...row, details: { ...row.details } });
    had.quantity += row.quantity;
    for (const [k, v] of Object.entries(row.details)) had.details[k] = (had.details[k] ?? 0) + v;
  }

  read(): FboRead {
    return { rows: [...this.byKey.values()], unmapped: this.unmapped };
  }
}

/** A listing-key → product id map of the listings that have the key. */
export function productsBy(listings: { productId: number; ids: Record<string, string | null> }[], field: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of listings) {
    const key = l.ids[field];
    if (key) out.set(key, l.productId);
  }
  return out;
}
