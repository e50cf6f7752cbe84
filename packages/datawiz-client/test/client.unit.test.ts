import { describe, expect, it } from 'vitest';
import { drfFieldErrors, MAX_SALE_LINKS, parseSales, saleCreateAnswer, saleDate, saleInputSchema } from '../src';

describe('saleInputSchema (the rules Datawiz applies)', () => {
  it('accepts a full promotion, trims strings and normalises products', () => {
    const parsed = saleInputSchema.parse({
      sale_id: ' 42 ',
      name: ' Акция ',
      description: '',
      date_from: '2025-01-01',
      date_to: '2-02-2025',
      shops: ['1', 2],
      products: ['3001', { product_id: '3002' }],
    });
    expect(parsed).toEqual({
      sale_id: '42',
      name: 'Акция',
      description: '',
      date_from: '2025-01-01',
      date_to: '2025-02-02',
      shops: ['1', '2'],
      products: [{ product_id: '3001' }, { product_id: '3002' }],
    });
  });

  it('refuses blank, missing, too long, wrong dates, reversed dates and unknown fields', () => {
    const ok = { sale_id: '1', name: 'n', description: '', date_from: '2025-01-01', date_to: '2025-01-02', shops: [], products: [] };
    const fields = (v: unknown) => {
      const r = saleInputSchema.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.') || i.code).sort();
    };
    expect(fields(ok)).toEqual([]);
    expect(fields({ ...ok, name: '  ' })).toEqual(['name']);
    expect(fields({ name: 'x' })).toEqual(['date_from', 'date_to', 'description', 'products', 'sale_id', 'shops']);
    expect(fields({ ...ok, sale_id: 'x'.repeat(201), name: 'y'.repeat(101) })).toEqual(['name', 'sale_id']);
    expect(fields({ ...ok, date_from: '2025-02-30' })).toEqual(['date_from']);
    expect(fields({ ...ok, date_from: null })).toEqual(['date_from']);
    expect(fields({ ...ok, date_from: '2025-02-10', date_to: '2025-02-01' })).toEqual(['date_to']);
    expect(fields({ ...ok, shops: '1' })).toEqual(['shops']);
    expect(fields({ ...ok, products: { product_id: '1' } })).toEqual(['products']);
    expect(fields({ ...ok, description: null })).toEqual(['description']);
    expect(fields({ ...ok, colour: 'red' })).toEqual(['unrecognized_keys']);
  });

  it("reads the documented and the brief's date formats as calendar dates, written ISO", () => {
    expect(saleDate('2015-02-02')).toBe('2015-02-02');
    expect(saleDate('2015-2-2')).toBe('2015-02-02');
    expect(saleDate('2-02-2015')).toBe('2015-02-02');
    expect(saleDate('29-02-2024')).toBe('2024-02-29');
    for (const bad of ['29-02-2025', '2015-02-30', '02/02/2015', '2.02.2015', '15-2-2', '2015-02-02T00:00:00', ''])
      expect(saleDate(bad), bad).toBeUndefined();
  });

  it('names every field of every element of a list, and bounds list sizes before validating', () => {
    const ok = { sale_id: '1', name: 'n', description: '', date_from: '2025-01-01', date_to: '2025-01-02', shops: [], products: [] };
    const r = parseSales([
      ok,
      { ...ok, sale_id: undefined },
      { ...ok, shops: '1', products: { product_id: '2' } },
      { ...ok, name: undefined },
    ]);
    expect(r.ok ? [] : r.issues.map((i) => i.field).sort()).toEqual(['1.sale_id', '2.products', '2.shops', '3.name']);
    const huge = parseSales({ ...ok, shops: Array.from({ length: 150_000 }, () => '') });
    expect(huge).toEqual({ ok: false, issues: [{ field: 'shops', message: `must hold at most ${MAX_SALE_LINKS} shop ids (got 150000)` }] });
  });

  it('reads both success answers of a create', () => {
    expect(saleCreateAnswer.parse({ results: { updated: 2, created: 3 } })).toEqual({ updated: 2, inserted: 3 });
    expect(saleCreateAnswer.parse({ updated: 1, inserted: 0 })).toEqual({ updated: 1, inserted: 0 });
    expect(saleCreateAnswer.safeParse({ results: { updated: 1 } }).success).toBe(false);
  });
});

describe('drfFieldErrors', () => {
  it('flattens DRF error bodies into field-level issues', () => {
    expect(drfFieldErrors({ name: ['This field may not be blank.'] })).toEqual([
      { field: 'name', message: 'This field may not be blank.' },
    ]);
    expect(drfFieldErrors([{}, { shops: ['Object with shop_id=9 does not exist.'], products: [{}, { product_id: ['bad'] }] }])).toEqual([
      { field: '1.shops', message: 'Object with shop_id=9 does not exist.' },
      { field: '1.products.1.product_id', message: 'bad' },
    ]);
    expect(drfFieldErrors({ detail: 'JSON parse error' })).toEqual([{ field: '(request)', message: 'JSON parse error' }]);
    expect(drfFieldErrors([{ non_field_errors: ['date_to must not be earlier than date_from.'] }])).toEqual([
      { field: '0.non_field_errors', message: 'date_to must not be earlier than date_from.' },
    ]);
  });
});
