import { describe, expect, it } from 'vitest';
import {
  firstPage,
  isLastPage,
  pageOfOrdinal,
  pageStep,
  passGenerationOf,
  passReadAll,
  planStart,
  rowsBefore,
  storedMatchesSource,
  type EntityState,
} from '../src/incremental';

const SIZE = 200;
/** A source page `n` of an entity whose rows have ids 1..count in order (ids as YClients sends them: numbers). */
const page = (n: number, count: number, shift = 0) =>
  Array.from({ length: Math.max(0, Math.min(SIZE, count - (n - 1) * SIZE)) }, (_, i) => ({ id: (n - 1) * SIZE + i + 1 + shift }));

/** One pass over an entity as syncPaged runs it: the requests it makes and what it commits. */
function pass(state: EntityState | undefined, count: number, shift = 0) {
  const requested: number[] = [];
  const fetch = (n: number) => {
    requested.push(n);
    return page(n, count, shift);
  };
  const start = planStart(state, SIZE, state ? fetch(pageOfOrdinal(state.ordinal, SIZE)) : undefined);
  const commits: { n: number; ordinal: number; unchanged: boolean; added: number }[] = [];
  const first = firstPage(start);
  for (let n = first; ; n++) {
    // The page holding the ordinal was fetched once already for the check; paging reuses it.
    const rows = n === first && start.kind === 'resume' ? page(n, count, shift) : fetch(n);
    if (rows.length === 0) break;
    commits.push({ n, ...pageStep(start, state, n, SIZE, rows.length) });
    if (isLastPage(rows.length, n, SIZE, count)) break;
  }
  return { start, requested, commits, counted: commits.reduce((sum, c) => sum + c.added, 0) };
}

describe('YClients incremental sync of a paginated entity', () => {
  it('a first pass reads every page from page 1 and counts every row', () => {
    const run = pass(undefined, 450);
    expect(run.start).toEqual({ kind: 'fresh' });
    expect(run.requested).toEqual([1, 2, 3]);
    expect(run.commits.map((c) => c.ordinal)).toEqual([200, 400, 450]);
    expect(run.counted).toBe(450);
    expect(run.commits.every((c) => !c.unchanged)).toBe(true);
  });

  it('resumes from the saved checkpoint: continues on the page holding it and counts only the rows past it', () => {
    // 450 rows were stored; 130 were appended since.
    const run = pass({ ordinal: 450, lastId: '450' }, 580);
    expect(run.start).toEqual({ kind: 'resume', page: 3 });
    expect(rowsBefore(run.start, SIZE)).toBe(400);
    expect(run.requested).toEqual([3]);
    expect(run.commits).toEqual([{ n: 3, ordinal: 580, unchanged: false, added: 130 }]);
  });

  it('resumes across pages: the page after a full saved page is read next', () => {
    const run = pass({ ordinal: 400, lastId: '400' }, 650);
    expect(run.start).toEqual({ kind: 'resume', page: 2 });
    expect(run.requested).toEqual([2, 3, 4]);
    expect(run.commits.map((c) => [c.n, c.ordinal, c.added])).toEqual([
      [2, 400, 0],
      [3, 600, 200],
      [4, 650, 50],
    ]);
    expect(run.counted).toBe(250);
  });

  it('resets when the page shifted (a row inserted or deleted before the checkpoint): read again from page 1', () => {
    // One row deleted at the start: the row at ordinal 450 is now the one that had ordinal 451.
    const run = pass({ ordinal: 450, lastId: '450' }, 600, 1);
    expect(run.start).toEqual({ kind: 'reset' });
    expect(firstPage(run.start)).toBe(1);
    expect(rowsBefore(run.start, SIZE)).toBe(0);
    expect(run.requested).toEqual([3, 1, 2, 3]);
    expect(run.counted).toBe(600);
  });

  it('resets when the page holding the checkpoint is now shorter than the saved ordinal', () => {
    const run = pass({ ordinal: 450, lastId: '450' }, 420);
    expect(run.start).toEqual({ kind: 'reset' });
    expect(run.counted).toBe(420);
  });

  it("keeps a resume when another row of the saved row's tie group sits at the ordinal (unstable paging)", () => {
    const rows = page(3, 450, 1);
    expect(planStart({ ordinal: 450, lastId: '450' }, SIZE, rows, false)).toEqual({ kind: 'reset' });
    expect(planStart({ ordinal: 450, lastId: '450' }, SIZE, rows, true)).toEqual({ kind: 'resume', page: 3 });
  });

  it('a pass with no change makes one request, writes no new state and counts nothing', () => {
    const run = pass({ ordinal: 450, lastId: '450' }, 450);
    expect(run.requested).toEqual([3]);
    expect(run.commits).toEqual([{ n: 3, ordinal: 450, unchanged: true, added: 0 }]);
    expect(run.counted).toBe(0);
  });

  it('a pass with no change on a full last page stops by the source count, still one request', () => {
    const run = pass({ ordinal: 400, lastId: '400' }, 400);
    expect(run.requested).toEqual([2]);
    expect(run.commits).toEqual([{ n: 2, ordinal: 400, unchanged: true, added: 0 }]);
  });

  it('the stored rows must equal the source count, when the source gives one', () => {
    expect(storedMatchesSource(450, 450)).toBe(true);
    expect(storedMatchesSource(449, 450)).toBe(false);
    expect(storedMatchesSource(451, undefined)).toBe(true);
  });

  it('a pass from page 1 is a complete pass with a generation; a resumed one keeps the saved generation or has none', () => {
    let made = 0;
    const fresh = () => `new-${++made}`;
    const g = 'saved';
    expect(passGenerationOf({ kind: 'fresh' }, undefined, fresh), 'first pass').toBe('new-1');
    expect(passGenerationOf({ kind: 'fresh' }, { ordinal: 0, lastId: '0', generation: g }, fresh), 'killed before page 1').toBe(g);
    expect(passGenerationOf({ kind: 'reset' }, { ordinal: 400, lastId: '400', generation: g }, fresh), 'reset: a new pass').toBe('new-2');
    expect(passGenerationOf({ kind: 'resume', page: 2 }, { ordinal: 400, lastId: '400', generation: g }, fresh), 'resumed').toBe(g);
    expect(passGenerationOf({ kind: 'resume', page: 2 }, { ordinal: 400, lastId: '400' }, fresh), 'incremental').toBeUndefined();
  });

  it('a complete pass closes only when it read as many rows as the source counts', () => {
    expect(passReadAll(400, 400)).toBe(true);
    expect(passReadAll(350, 400), 'stopped at a short page').toBe(false);
    expect(passReadAll(7, undefined), 'no count given').toBe(true);
  });
});
