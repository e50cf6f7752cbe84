/**
 * How one SKU's available stock is split among one marketplace's warehouses: the one pure function
 * behind every pushed value (the push, `GET /api/marketplaces/products` and the tests all call it).
 *
 * Semantics, in this order:
 * 1. **Buffer** (a pool setting): `pool = max(0, available − buffer)`, where the buffer is either
 *    `bufferUnits` or `ceil(available × bufferPercent / 100)` (rounded up: a buffer errs towards
 *    keeping stock back). At or under the buffer the pool is 0 and every warehouse gets 0.
 * 2. **Exclusion**: an excluded warehouse gets 0 and takes no share.
 * 3. **Split**, in one of two modes:
 *    - *No weights* (no non-excluded warehouse has a weight set): every non-excluded warehouse gets
 *      the whole pool. This is what DataSync did before rules existed (the same available figure to
 *      every warehouse), so with no rule at all the result is unchanged. Here the sum over
 *      warehouses may exceed the pool, by design: each warehouse shows all sellable stock.
 *    - *Weighted* (at least one non-excluded warehouse has a weight): the pool is split in proportion
 *      to the weights, and a non-excluded warehouse without a weight counts as weight 0 (weight every
 *      warehouse that should get stock, or put a default weight on the marketplace's rule). Each gets
 *      `floor(pool × w / Σw)`; the units left over go one each to the largest remainders, ties to
 *      the smaller warehouse id (string order), so the same input always gives the same output
 *      whatever order the warehouses come in. The shares add up to exactly the pool (Σw > 0), or
 *      all are 0 when every weight is 0.
 * 4. **Cap**: each warehouse gets at most its cap. What a cap cuts off is NOT given to the other
 *    warehouses: a cap means "never show more than this there", and moving the overflow elsewhere
 *    would make one warehouse's cap change another's figure. The cut units stay unpushed.
 *
 * Values are whole, never negative; in the weighted mode the sum never exceeds `available`.
 */

export interface AllocationBuffer {
  /** Units kept back from the pool. */
  units?: number | null;
  /** Percent (0–100) of available kept back, rounded up to whole units. */
  percent?: number | null;
}

export interface WarehouseAllocationInput {
  warehouseId: string;
  /** Share of the pool; null: not set (see the modes above). */
  weight?: number | null;
  /** At most this many units; null: no cap. */
  cap?: number | null;
  /** True: gets 0. */
  excluded?: boolean | null;
}

export interface AllocationInput {
  /** On hand − reserved for the SKU (a negative value counts as 0). */
  available: number;
  buffer?: AllocationBuffer | null;
  warehouses: readonly WarehouseAllocationInput[];
}

export interface AllocationResult {
  /** What is left to split once the buffer is kept back. */
  pool: number;
  /** Units kept back by the buffer. */
  buffer: number;
  /** Whether the weights split the pool (false: every non-excluded warehouse got the whole pool). */
  weighted: boolean;
  /** Per warehouse id, the units it is told. */
  values: Record<string, number>;
}

/** Units a buffer keeps back from `available`. */
export function bufferUnits(available: number, buffer: AllocationBuffer | null | undefined): number {
  if (!buffer) return 0;
  if (buffer.units != null) return Math.max(0, buffer.units);
  if (buffer.percent != null) return Math.ceil((Math.max(0, available) * Math.max(0, buffer.percent)) / 100);
  return 0;
}

export function allocate(input: AllocationInput): AllocationResult {
  const available = Math.max(0, Math.trunc(input.available));
  const kept = Math.min(available, bufferUnits(available, input.buffer));
  const pool = available - kept;
  const taking = input.warehouses.filter((w) => !w.excluded);
  const weighted = taking.some((w) => w.weight != null);
  const values: Record<string, number> = {};
  for (const w of input.warehouses) values[w.warehouseId] = 0;

  if (!weighted) {
    for (const w of taking) values[w.warehouseId] = pool;
  } else {
    const weightOf = (w: WarehouseAllocationInput) => Math.max(0, w.weight ?? 0);
    const total = taking.reduce((s, w) => s + weightOf(w), 0);
    if (total > 0) {
      // Integer arithmetic: pool ≤ 2^31 and weights ≤ 10^6 keep pool × w below 2^53.
      const shares = taking.map((w) => ({
        id: w.warehouseId,
        units: Math.floor((pool * weightOf(w)) / total),
        remainder: (pool * weightOf(w)) % total,
      }));
      let left = pool - shares.reduce((s, x) => s + x.units, 0);
      const byRemainder = [...shares].sort((a, b) => b.remainder - a.remainder || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const s of byRemainder) {
        if (left === 0) break;
        if (s.remainder === 0) continue;
        s.units += 1;
        left -= 1;
      }
      for (const s of shares) values[s.id] = s.units;
    }
  }

  for (const w of taking) {
    if (w.cap != null) values[w.warehouseId] = Math.min(values[w.warehouseId]!, Math.max(0, w.cap));
  }
  return { pool, buffer: kept, weighted, values };
}
