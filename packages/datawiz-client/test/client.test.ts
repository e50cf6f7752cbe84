import { describe, expect, it } from 'vitest';
import { drfFieldErrors, saleInputSchema } from '../src';

describe('saleInputSchema (the rules Datawiz applies)', () => {
  it('accepts a full promotion, trims strings and normalises products', () => {
    const parsed = saleInputSchema.parse({
      sale_id: ' 42 ',
      name: ' Акция ',
      description: '',
      date_from: '2025-01-01',
      date_to: null,
      shops: ['1', 2],
      products: ['3001', { product_id: '3002' }],
    });
    expect(parsed).toEqual({
      sale_id: '42',
      name: 'Акция',
      description: '',
      date_from: '2025-01-01',
      date_to: null,
      shops: ['1', '2'],
      products: [{ product_id: '3001' }, { product_id: '3002' }],
    });
  });

  it('refuses blank, missing, too long, wrong dates, reversed dates and unknown fields', () => {
    const fields = (v: unknown) => {
      const r = saleInputSchema.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.') || i.code).sort();
    };
    expect(fields({ sale_id: '1', name: '  ' })).toEqual(['name']);
    expect(fields({ name: 'x' })).toEqual(['sale_id']);
    expect(fields({ sale_id: 'x'.repeat(201), name: 'y'.repeat(101) })).toEqual(['name', 'sale_id']);
    expect(fields({ sale_id: '1', name: 'n', date_from: '2025-02-30' })).toEqual(['date_from']);
    expect(fields({ sale_id: '1', name: 'n', date_from: '2025-02-10', date_to: '2025-02-01' })).toEqual(['date_to']);
    expect(fields({ sale_id: '1', name: 'n', shops: '1' })).toEqual(['shops']);
    expect(fields({ sale_id: '1', name: 'n', description: null })).toEqual(['description']);
    expect(fields({ sale_id: '1', name: 'n', colour: 'red' })).toEqual(['unrecognized_keys']);
  });
});

describe('drfFieldErrors', () => {
  it('flattens DRF error bodies into field-level issues', () => {
    expect(drfFieldErrors({ name: ['This field may not be blank.'] })).toEqual([{ field: 'name', message: 'This field may not be blank.' }]);
    expect(
      drfFieldErrors([{}, { shops: ['Object with shop_id=9 does not exist.'], products: [{}, { product_id: ['bad'] }] }]),
    ).toEqual([
      { field: '1.shops', message: 'Object with shop_id=9 does not exist.' },
      { field: '1.products.1.product_id', message: 'bad' },
    ]);
    expect(drfFieldErrors({ detail: 'JSON parse error' })).toEqual([{ field: '(request)', message: 'JSON parse error' }]);
    expect(drfFieldErrors([{ non_field_errors: ['date_to must not be earlier than date_from.'] }])).toEqual([
      { field: '0.non_field_errors', message: 'date_to must not be earlier than date_from.' },
    ]);
  });
});
