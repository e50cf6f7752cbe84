import { describe, expect, it } from 'vitest';
import { resolveAllocation, type AllocationRule } from '../src/allocation-rules';

const rule = (r: Partial<AllocationRule>): AllocationRule => ({
  sku: null,
  marketplace: null,
  warehouseId: null,
  bufferUnits: null,
  bufferPercent: null,
  cap: null,
  excluded: null,
  weight: null,
  updatedAt: '2026-12-07T00:00:00.000Z',
  ...r,
});

describe('resolveAllocation: each setting from the most specific rule that sets it', () => {
  const rules = [
    rule({ bufferUnits: 2, cap: 100 }),
    rule({ marketplace: 'ozon', weight: 1, bufferPercent: 10 }),
    rule({ marketplace: 'ozon', warehouseId: 'w2', excluded: true }),
    rule({ sku: 'A', marketplace: 'ozon', cap: 7 }),
    rule({ sku: 'A', marketplace: 'ozon', warehouseId: 'w1', weight: 3 }),
    rule({ sku: 'A', marketplace: 'ozon', warehouseId: 'w2', excluded: false }),
    rule({ marketplace: 'wb', weight: 5 }),
  ];

  it('takes the SKU rule over the marketplace default over the global one, field by field', () => {
    const a = resolveAllocation(rules, 'A', 'ozon', ['w1', 'w2', 'w3']);
    expect(a.buffer).toEqual({ units: null, percent: 10 });
    expect(a.bufferRule).toEqual({ sku: null, marketplace: 'ozon', warehouseId: null });
    expect(a.warehouses.map(({ rules: _r, ...w }) => w)).toEqual([
      { warehouseId: 'w1', weight: 3, cap: 7, excluded: false },
      // The SKU's own rule un-excludes w2, which the marketplace's warehouse rule excluded.
      { warehouseId: 'w2', weight: 1, cap: 7, excluded: false },
      { warehouseId: 'w3', weight: 1, cap: 7, excluded: false },
    ]);
    expect(a.warehouses[1]!.rules).toEqual([
      { sku: 'A', marketplace: 'ozon', warehouseId: 'w2' },
      { sku: 'A', marketplace: 'ozon', warehouseId: null },
      { sku: null, marketplace: 'ozon', warehouseId: 'w2' },
      { sku: null, marketplace: 'ozon', warehouseId: null },
      { sku: null, marketplace: null, warehouseId: null },
    ]);
  });

  it('falls back to the marketplace and global defaults for another SKU, and never mixes marketplaces', () => {
    const b = resolveAllocation(rules, 'B', 'ozon', ['w1', 'w2']);
    expect(b.warehouses.map(({ rules: _r, ...w }) => w)).toEqual([
      { warehouseId: 'w1', weight: 1, cap: 100, excluded: false },
      { warehouseId: 'w2', weight: 1, cap: 100, excluded: true },
    ]);
    const ym = resolveAllocation(rules, 'A', 'ym', ['y1']);
    expect(ym.buffer).toEqual({ units: 2, percent: null });
    expect(ym.warehouses.map(({ rules: _r, ...w }) => w)).toEqual([{ warehouseId: 'y1', weight: null, cap: 100, excluded: false }]);
  });

  it('with no rules, sets nothing (every warehouse then gets the whole available stock)', () => {
    const none = resolveAllocation([], 'A', 'ozon', ['w1']);
    expect(none).toEqual({
      buffer: { units: null, percent: null },
      bufferRule: null,
      warehouses: [{ warehouseId: 'w1', weight: null, cap: null, excluded: false, rules: [] }],
    });
  });
});
