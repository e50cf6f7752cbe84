import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate, type AllocationInput, type WarehouseAllocationInput } from '../src/allocate';

const warehouse = fc.record({
  warehouseId: fc.string({ minLength: 1, maxLength: 6 }),
  // Small weights too, so equal remainders (the tie-break) come up often.
  weight: fc.option(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1_000_000 })), { nil: null }),
  cap: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
  excluded: fc.boolean(),
});
const warehouses = fc.uniqueArray(warehouse, { minLength: 0, maxLength: 8, selector: (w) => w.warehouseId });
const buffer = fc.oneof(
  fc.constant(null),
  fc.record({ units: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ percent: fc.integer({ min: 0, max: 100 }) }),
);
const input = fc.record({ available: fc.integer({ min: -1000, max: 2_147_483_647 }), buffer, warehouses });
/** Weighted inputs: at least one warehouse that takes stock has a weight. */
const weighted = input.filter((i) => i.warehouses.some((w) => !w.excluded && w.weight !== null));
const noCaps = (ws: WarehouseAllocationInput[]) => ws.map((w) => ({ ...w, cap: null }));
const sum = (values: Record<string, number>) => Object.values(values).reduce((s, v) => s + v, 0);
/** The buffer worked out independently of the code under test. */
const keptBack = (i: AllocationInput) => {
  const a = Math.max(0, i.available);
  if (!i.buffer) return 0;
  const units = i.buffer.units ?? (i.buffer.percent != null ? Math.ceil((a * i.buffer.percent) / 100) : 0);
  return Math.min(a, units);
};

describe('allocate: properties', () => {
  it('never gives a negative or fractional value, and names every warehouse', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { values } = allocate(i);
        expect(Object.keys(values).sort()).toEqual(i.warehouses.map((w) => w.warehouseId).sort());
        for (const v of Object.values(values)) expect(Number.isInteger(v) && v >= 0).toBe(true);
      }),
    );
  });

  it('when weights split the pool, the sum pushed never exceeds available', () => {
    fc.assert(
      fc.property(weighted, (i) => {
        expect(sum(allocate(i).values)).toBeLessThanOrEqual(Math.max(0, i.available));
      }),
    );
  });

  it('at or under the buffer every warehouse gets 0', () => {
    const atOrUnder = fc
      .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), warehouses)
      .map(([units, less, ws]) => ({ available: Math.max(0, units - less), buffer: { units }, warehouses: ws }));
    fc.assert(
      fc.property(atOrUnder, (i) => {
        expect(Object.values(allocate(i).values).every((v) => v === 0)).toBe(true);
      }),
    );
    // A 100 % buffer keeps everything back.
    fc.assert(
      fc.property(input, (i) => {
        expect(sum(allocate({ ...i, buffer: { percent: 100 } }).values)).toBe(0);
      }),
    );
  });

  it('without caps, weights split exactly the pool after the buffer (or nothing when every weight is 0)', () => {
    fc.assert(
      fc.property(weighted, (i) => {
        const ws = noCaps(i.warehouses);
        const { values, pool } = allocate({ ...i, warehouses: ws });
        expect(pool).toBe(Math.max(0, i.available) - keptBack(i));
        const anyWeight = ws.some((w) => !w.excluded && (w.weight ?? 0) > 0);
        expect(sum(values)).toBe(anyWeight ? pool : 0);
        // Each share is within one unit of its exact proportion.
        const total = ws.filter((w) => !w.excluded).reduce((s, w) => s + (w.weight ?? 0), 0);
        for (const w of ws.filter((x) => !x.excluded && total > 0)) {
          const exact = (pool * (w.weight ?? 0)) / total;
          expect(values[w.warehouseId]!).toBeGreaterThanOrEqual(Math.floor(exact));
          expect(values[w.warehouseId]!).toBeLessThanOrEqual(Math.ceil(exact));
        }
      }),
    );
  });

  it('is deterministic: the same input gives the same output whatever the order of the warehouses', () => {
    fc.assert(
      fc.property(
        input.chain((i) => fc.tuple(fc.constant(i), fc.shuffledSubarray(i.warehouses, { minLength: i.warehouses.length }))),
        ([i, shuffled]) => {
          expect(allocate({ ...i, warehouses: shuffled })).toEqual(allocate(i));
          expect(allocate(i)).toEqual(allocate(structuredClone(i)));
        },
      ),
    );
  });

  it('breaks ties in remainders by warehouse id, not by the order the warehouses come in', () => {
    // Few small weights and little stock: equal remainders on nearly every run.
    const ties = fc.record({
      available: fc.integer({ min: 0, max: 50 }),
      warehouses: fc.uniqueArray(
        fc.record({ warehouseId: fc.string({ minLength: 1, maxLength: 3 }), weight: fc.integer({ min: 1, max: 2 }) }),
        {
          minLength: 2,
          maxLength: 6,
          selector: (w) => w.warehouseId,
        },
      ),
    });
    fc.assert(
      fc.property(
        ties.chain((i) => fc.tuple(fc.constant(i), fc.shuffledSubarray(i.warehouses, { minLength: i.warehouses.length }))),
        ([i, shuffled]) => {
          expect(allocate({ ...i, warehouses: shuffled }).values).toEqual(allocate(i).values);
        },
      ),
    );
  });

  it('gives excluded warehouses nothing', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { values } = allocate(i);
        for (const w of i.warehouses.filter((x) => x.excluded)) expect(values[w.warehouseId]).toBe(0);
      }),
    );
  });

  it('respects caps, and a cap never raises another warehouse (overflow is not redistributed)', () => {
    fc.assert(
      fc.property(input, (i) => {
        const capped = allocate(i).values;
        const uncapped = allocate({ ...i, warehouses: noCaps(i.warehouses) }).values;
        for (const w of i.warehouses) {
          if (w.cap !== null) expect(capped[w.warehouseId]!).toBeLessThanOrEqual(w.cap);
          expect(capped[w.warehouseId]).toBe(Math.min(uncapped[w.warehouseId]!, w.cap ?? Infinity));
        }
      }),
    );
  });

  it('with no weights, every warehouse not excluded gets the whole pool (what DataSync pushed before rules)', () => {
    fc.assert(
      fc.property(input, (i) => {
        const ws = i.warehouses.map((w) => ({ warehouseId: w.warehouseId }));
        const { values, weighted: w } = allocate({ available: i.available, warehouses: ws });
        expect(w).toBe(false);
        for (const x of ws) expect(values[x.warehouseId]).toBe(Math.max(0, i.available));
      }),
    );
  });
});

describe('allocate: worked examples', () => {
  it('splits 10 after a 20 % buffer of 12 by weights 1:1:1, the odd unit to the smallest id', () => {
    // 20 % of 12 is 2.4, kept back as 3 units: the pool is 9, 3 each, no remainder.
    expect(
      allocate({
        available: 12,
        buffer: { percent: 20 },
        warehouses: [
          { warehouseId: 'b', weight: 1 },
          { warehouseId: 'a', weight: 1 },
          { warehouseId: 'c', weight: 1 },
        ],
      }),
    ).toEqual({
      pool: 9,
      buffer: 3,
      weighted: true,
      values: { a: 3, b: 3, c: 3 },
    });
    // Pool 10 by 1:1:1: 3 each, remainders tie, the extra unit goes to 'a'.
    expect(
      allocate({
        available: 10,
        warehouses: [
          { warehouseId: 'c', weight: 1 },
          { warehouseId: 'b', weight: 1 },
          { warehouseId: 'a', weight: 1 },
        ],
      }).values,
    ).toEqual({
      a: 4,
      b: 3,
      c: 3,
    });
  });

  it('gives the leftover to the largest remainder, caps afterwards, and leaves unweighted warehouses out', () => {
    // Pool 7 by 2:5 → 2, 5; by 1:2 of 7 → 2.33, 4.67 → 2, 5 (the 0.67 remainder wins the last unit).
    const r = allocate({
      available: 7,
      warehouses: [
        { warehouseId: 'x', weight: 1 },
        { warehouseId: 'y', weight: 2, cap: 4 },
        { warehouseId: 'z' },
        { warehouseId: 'q', weight: 9, excluded: true },
      ],
    });
    expect(r.values).toEqual({ x: 2, y: 4, z: 0, q: 0 });
  });
});
