import { describe, expect, it } from 'vitest';
import { numberedPages } from '../src/paginate';

/** Pages of a 10-page result (the last one short), with the requests made, in order. */
function upstream() {
  const asked: number[] = [];
  const fetchPage = async (n: number) => {
    asked.push(n);
    return { rows: n < 10 ? 200 : 50, total: 9 * 200 + 50 };
  };
  return { asked, fetchPage };
}
const isLast = (p: { rows: number }) => p.rows < 200;

describe('numberedPages', () => {
  it('asks one page ahead by default', async () => {
    const { asked, fetchPage } = upstream();
    const seen: number[] = [];
    for await (const { n } of numberedPages(fetchPage, { first: 1, isLast })) {
      // When page n is handed out, page n+1 (and no further) has been asked for.
      expect(Math.max(...asked)).toBe(Math.min(n + 1, 10));
      seen.push(n);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(asked).toEqual(seen);
  });

  it('asks up to `lookahead` pages ahead, never past the last page the upstream announced', async () => {
    const { asked, fetchPage } = upstream();
    const seen: number[] = [];
    const pages = numberedPages(fetchPage, { first: 1, isLast, lookahead: 4, lastPage: (p) => Math.ceil(p.total / 200) });
    for await (const { n } of pages) {
      expect(Math.max(...asked)).toBe(Math.min(n + 4, 10));
      seen.push(n);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Every page asked for exactly once: no request past the end.
    expect(asked).toEqual(seen);
  });

  it('asks only one page ahead when the upstream gives no count', async () => {
    const { asked, fetchPage } = upstream();
    for await (const { n } of numberedPages(fetchPage, { first: 1, isLast, lookahead: 4, lastPage: () => undefined }))
      expect(Math.max(...asked)).toBe(Math.min(n + 1, 10));
    expect(asked).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
