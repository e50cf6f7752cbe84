/** The cheap part of a row that ordering and filters need; `sort` then `id` order the table. */
export interface RowKey {
  id: number;
  sort: number;
}

export interface TableSpec<Row, K extends RowKey> {
  /** Rows 0..baseCount-1 come from the generator; their (sort, id) must ascend with the index. */
  baseCount: number;
  baseRow(index: number): Row;
  baseKey(index: number): K;
  /** The base index whose id is `id`, if the generator could have produced it. */
  baseIndexOf(id: number): number | undefined;
  /** The key of a stored (added or changed) row. */
  keyOf(row: Row): K;
}

const VIEW_CACHE = 8;

/**
 * One entity of one company, in the API's order: generated base rows (held as indices, built on
 * demand) plus the rows tests added or changed through control endpoints. `order` holds row
 * handles sorted by (sort, id): offset paging is a slice of it, so "ordinal N is on page
 * ceil(N/size)" holds exactly. Filtered views are cached until the next mutation.
 */
export class Table<Row, K extends RowKey> {
  private order: number[];
  private readonly stored = new Map<number, { row: Row; key: K }>();
  private readonly addedIds = new Map<number, number>();
  private readonly removedBase = new Set<number>();
  private nextHandle: number;
  private version = 0;
  private readonly views = new Map<string, number[]>();

  constructor(private readonly spec: TableSpec<Row, K>) {
    this.order = Array.from({ length: spec.baseCount }, (_, i) => i);
    this.nextHandle = spec.baseCount;
  }

  get size(): number {
    return this.order.length;
  }

  key(handle: number): K {
    return this.stored.get(handle)?.key ?? this.spec.baseKey(handle);
  }

  row(handle: number): Row {
    return this.stored.get(handle)?.row ?? this.spec.baseRow(handle);
  }

  /** All handles in order (do not mutate). */
  all(): readonly number[] {
    return this.order;
  }

  handleOf(id: number): number | undefined {
    const added = this.addedIds.get(id);
    if (added !== undefined) return added;
    const index = this.spec.baseIndexOf(id);
    if (index === undefined || this.removedBase.has(index)) return undefined;
    return index;
  }

  /** First position whose key is not below (sort, id). */
  private lowerBound(sort: number, id: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.key(this.order[mid]!);
      if (k.sort < sort || (k.sort === sort && k.id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position range [from, to) of rows with from <= sort < to, in a sorted list of handles. */
  sortRange(handles: readonly number[], from: number, to: number): [number, number] {
    const bound = (value: number) => {
      let lo = 0;
      let hi = handles.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.key(handles[mid]!).sort < value) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return [bound(from), bound(to)];
  }

  positionOf(handle: number): number {
    const k = this.key(handle);
    const pos = this.lowerBound(k.sort, k.id);
    if (this.order[pos] !== handle) throw new Error(`row ${k.id} is not in its table`);
    return pos;
  }

  insert(row: Row): number {
    const key = this.spec.keyOf(row);
    if (this.handleOf(key.id) !== undefined) throw new Error(`id ${key.id} already exists`);
    const handle = this.nextHandle++;
    this.stored.set(handle, { row, key });
    this.addedIds.set(key.id, handle);
    this.order.splice(this.lowerBound(key.sort, key.id), 0, handle);
    this.changed();
    return handle;
  }

  remove(handle: number): void {
    this.order.splice(this.positionOf(handle), 1);
    if (handle < this.spec.baseCount) this.removedBase.add(handle);
    else this.addedIds.delete(this.key(handle).id);
    this.stored.delete(handle);
    this.changed();
  }

  /** Replaces a row (same id); it moves if its sort key changed. */
  replace(handle: number, row: Row): void {
    const key = this.spec.keyOf(row);
    if (key.id !== this.key(handle).id) throw new Error('a row keeps its id');
    this.order.splice(this.positionOf(handle), 1);
    this.stored.set(handle, { row, key });
    this.order.splice(this.lowerBound(key.sort, key.id), 0, handle);
    this.changed();
  }

  /** Handles passing `keep`, cached under `signature` until the table changes. */
  view(signature: string, build: () => number[]): number[] {
    const cacheKey = `${this.version}|${signature}`;
    const hit = this.views.get(cacheKey);
    if (hit) return hit;
    const built = build();
    if (this.views.size >= VIEW_CACHE) this.views.delete(this.views.keys().next().value!);
    this.views.set(cacheKey, built);
    return built;
  }

  filter(signature: string, keep: (key: K, handle: number) => boolean, from = 0, to = this.order.length): number[] {
    if (signature === '' && from === 0 && to === this.order.length) return this.order;
    return this.view(`${from}:${to}|${signature}`, () => {
      const out: number[] = [];
      for (let i = from; i < to; i++) {
        const h = this.order[i]!;
        if (keep(this.key(h), h)) out.push(h);
      }
      return out;
    });
  }

  private changed(): void {
    this.version += 1;
    this.views.clear();
  }
}
