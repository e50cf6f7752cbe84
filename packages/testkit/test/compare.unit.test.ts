import { describe, expect, it } from 'vitest';
import { canonical, expectSameRows } from '../src/compare';

describe('the equal-to-source engine', () => {
  it('canonical JSON ignores key order at every depth, keeps array order', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonical({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonical({ a: [1, 2] })).not.toBe(canonical({ a: [2, 1] }));
  });

  it('accepts the same rows in any order', () => {
    expectSameRows(
      't',
      [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ],
      [
        { v: 'b', id: 2 },
        { id: 1, v: 'a' },
      ],
    );
  });

  it('fails on a missing, an extra, a changed and a doubled row', () => {
    const want = [{ id: 1 }, { id: 2 }];
    expect(() => expectSameRows('t', [{ id: 1 }], want)).toThrow(/t equals the source/);
    expect(() => expectSameRows('t', [{ id: 1 }, { id: 2 }, { id: 3 }], want)).toThrow(/t equals the source/);
    expect(() => expectSameRows('t', [{ id: 1 }, { id: 2, extra: true }], want)).toThrow(/t equals the source/);
    expect(() => expectSameRows('t', [{ id: 1 }, { id: 1 }], want)).toThrow(/t equals the source/);
  });
});
