import { describe, expect, it } from 'vitest';
import { splitWindow, windowDays } from '../src/backfill';

describe('a backfill window cut into chunks', () => {
  it('cuts 200 days into 92 + 92 + 16, consecutive, none overlapping, the last ending on the window end', () => {
    const chunks = splitWindow('2026-01-01', '2026-07-19', 92);
    expect(chunks).toEqual([
      { start: '2026-01-01', end: '2026-04-02' },
      { start: '2026-04-03', end: '2026-07-03' },
      { start: '2026-07-04', end: '2026-07-19' },
    ]);
    expect(chunks.map((c) => windowDays(c.start, c.end))).toEqual([92, 92, 16]);
  });

  it('keeps a window that fits as one chunk, and cuts a leap year and a single day right', () => {
    expect(splitWindow('2026-04-01', '2026-04-10', 92)).toEqual([{ start: '2026-04-01', end: '2026-04-10' }]);
    expect(splitWindow('2028-02-27', '2028-03-02', 2)).toEqual([
      { start: '2028-02-27', end: '2028-02-28' },
      { start: '2028-02-29', end: '2028-03-01' },
      { start: '2028-03-02', end: '2028-03-02' },
    ]);
    expect(windowDays('2026-01-01', '2026-07-19')).toBe(200);
    expect(() => splitWindow('2026-01-01', '2026-01-02', 0)).toThrow(/positive whole number/);
  });
});
