import cronParser from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { nonStandardCron, smallestCronGapMs } from '../src';

/**
 * The smallest gap of a cron expression, checked against an independent oracle: cron-parser's own
 * iteration (what BullMQ fires with), walked over enough of the calendar to cover each expression's
 * cycle (daily patterns: days; weekly: 8 weeks; monthly: a year or two, as cron-parser's own walk is slow).
 */
function iteratedSmallestGap(cron: string, days: number): number {
  const it = cronParser.parseExpression(cron, {
    tz: 'UTC',
    currentDate: new Date(Date.UTC(2026, 0, 1)),
    endDate: new Date(Date.UTC(2026, 0, 1) + days * 86_400_000),
  });
  let previous = it.next().getTime();
  let smallest = Infinity;
  while (it.hasNext()) {
    const next = it.next().getTime();
    smallest = Math.min(smallest, next - previous);
    previous = next;
  }
  return smallest;
}

describe('cron expressions of schedules', () => {
  it.each([
    ['*/7 * * * *', 2],
    ['0 0,1 * * *', 4],
    ['30 0,23 * * 5,6', 56],
    ['15 10 * * 1-5', 56],
    ['0 22 * * 0', 56],
    ['0 0,12 */2 * *', 93],
    ['0 0 1-30 * 1', 400],
    ['45 23 1,15 * 5', 730],
    ['0 6 28-31 * *', 730],
    ['0-29,59 */2 * * *', 1],
  ])('%s: the smallest gap over the cycle equals the iterated one', (cron, days) => {
    expect(nonStandardCron(cron)).toBeUndefined();
    expect(smallestCronGapMs(cron)).toBe(iteratedSmallestGap(cron, days));
  });

  it('refuses what is not the five standard fields, naming why', () => {
    expect(nonStandardCron('0-29,59 */2 * * * *')).toMatch(/not 6 \(a seconds field is not accepted\)/);
    expect(nonStandardCron('1')).toMatch(/five standard fields/);
    expect(nonStandardCron('0 0 ? * MON')).toMatch(/day of month field/);
    expect(nonStandardCron('0 0 * * 5L')).toMatch(/day of week field/);
    expect(nonStandardCron('0 0 * JAN-MAR MON-FRI')).toBeUndefined();
    expect(() => smallestCronGapMs('0 0 31 4,6 *')).toThrow(/never fires/);
  });
});
