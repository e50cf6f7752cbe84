import { describe, expect, it } from 'vitest';
import { oneStatement } from '../src';

describe('oneStatement', () => {
  it('renumbers each part after the ones before it and leaves undefined parts out', () => {
    const one = oneStatement([
      { text: 'INSERT INTO a VALUES ($1, $2)', values: [1, 2] },
      undefined,
      { text: 'DELETE FROM b WHERE x = $1', values: [3] },
    ]);
    expect(one?.text).toBe('WITH s0 AS (INSERT INTO a VALUES ($1, $2)), s1 AS (DELETE FROM b WHERE x = $3) SELECT 1');
    expect(one?.values).toEqual([1, 2, 3]);
  });

  it('combines a combined statement by its parts (a WITH may not nest a data-modifying one)', () => {
    const inner = oneStatement([
      { text: 'INSERT INTO a VALUES ($1)', values: [1] },
      { text: 'INSERT INTO b VALUES ($1)', values: [2] },
    ]);
    const outer = oneStatement([inner, { text: 'UPDATE c SET y = $1', values: [3] }]);
    expect(outer?.text).toBe(
      'WITH s0 AS (INSERT INTO a VALUES ($1)), s1 AS (INSERT INTO b VALUES ($2)), s2 AS (UPDATE c SET y = $3) SELECT 1',
    );
    expect(outer?.values).toEqual([1, 2, 3]);
  });

  it('answers a single part as it is, and undefined for none', () => {
    const only = { text: 'SELECT $1', values: [1] };
    expect(oneStatement([undefined, only])).toBe(only);
    expect(oneStatement([undefined])).toBeUndefined();
  });
});
