import { z } from 'zod';

/**
 * Catalog items a test removed from a company's lists (and may restore), so a sync sees rows
 * deleted upstream between runs. The catalog itself is not changed: records and transactions are
 * generated from it on demand, and removing an item must not reshuffle them. Every list route and
 * the control's source dump leave the removed items out.
 */
export const REMOVABLE = ['staff', 'services', 'client_categories'] as const;
export type Removable = (typeof REMOVABLE)[number];

export const removalSchema = z.object({ ids: z.array(z.number().int()).min(1, 'name at least one id') });

export class CatalogRemovals {
  private readonly removed: Record<Removable, Set<number>> = { staff: new Set(), services: new Set(), client_categories: new Set() };

  /** The items of `list` still listed. */
  keep<T extends { id: number }>(list: Removable, items: readonly T[]): T[] {
    const gone = this.removed[list];
    return gone.size === 0 ? [...items] : items.filter((i) => !gone.has(i.id));
  }

  /** Client labels (entity 1) are the client categories; other labels are never removed. */
  keepLabels<T extends { id: number; entity: number }>(items: readonly T[]): T[] {
    const gone = this.removed.client_categories;
    return items.filter((l) => l.entity !== 1 || !gone.has(l.id));
  }

  has(list: Removable, id: number): boolean {
    return this.removed[list].has(id);
  }

  remove(list: Removable, ids: readonly number[]): void {
    for (const id of ids) this.removed[list].add(id);
  }

  restore(list: Removable, ids: readonly number[]): void {
    for (const id of ids) this.removed[list].delete(id);
  }

  /** What is removed now, per list (ascending ids). */
  snapshot(): Record<Removable, number[]> {
    const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
    return {
      staff: sorted(this.removed.staff),
      services: sorted(this.removed.services),
      client_categories: sorted(this.removed.client_categories),
    };
  }
}
