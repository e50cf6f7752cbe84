import cronParser from 'cron-parser';

/**
 * Which cron expressions a schedule may use, and how often one fires at the most.
 *
 * Only the standard five fields (minute hour day-of-month month day-of-week) with numbers, names,
 * `*`, ranges, steps and lists. cron-parser (what BullMQ fires with) also takes a sixth, seconds
 * field, Quartz's `L`/`W`/`#`/`?` and fewer fields (`"1"` reads as "every minute of Mondays"); none
 * of those is refused by it, and a seconds field makes fire times one second apart, so they are
 * refused here by name rather than interpreted.
 */

const NAME = '[A-Za-z]{3}';
const VALUE = `(?:\\d{1,2}|${NAME})`;
const ITEM = `(?:\\*|${VALUE}(?:-${VALUE})?)(?:/\\d{1,2})?`;
const FIELD = new RegExp(`^${ITEM}(?:,${ITEM})*$`);
const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];

const MINUTES_A_DAY = 24 * 60;
/** The Gregorian calendar repeats (weekdays, leap years) every 400 years. */
const CYCLE_DAYS = 146_097;
/** The longest month of each month (February may have 29), as cron-parser counts them. */
const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether a day fires, by cron-parser's own rules (BullMQ fires with it), quirks included. */
function dayFires(f: { dayOfMonth: readonly number[]; month: readonly number[]; dayOfWeek: readonly number[] }, date: Date): boolean {
  const weekday = date.getUTCDay();
  const domMatch = f.dayOfMonth.includes(date.getUTCDate());
  const dowMatch = f.dayOfWeek.includes(weekday) || (weekday === 0 && f.dayOfWeek.includes(7));
  const domWildcard = f.dayOfMonth.length >= LONGEST_MONTH[date.getUTCMonth()]!;
  const dowWildcard = f.dayOfWeek.length === 8;
  if (!domMatch && (!dowMatch || dowWildcard)) return false;
  if (domWildcard && !dowWildcard && !dowMatch) return false;
  return f.month.includes(date.getUTCMonth() + 1);
}

/** Why `cron` is not a standard five-field expression, or undefined when it is one. */
export function nonStandardCron(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must have the five standard fields (minute hour day-of-month month day-of-week), not ${fields.length}${fields.length === 6 ? ' (a seconds field is not accepted)' : ''}`;
  }
  const bad = fields.findIndex((f) => !FIELD.test(f));
  if (bad >= 0)
    return `has a ${FIELD_NAMES[bad]} field (${JSON.stringify(fields[bad])}) that is not standard cron (numbers, names, *, -, / and , only)`;
  return undefined;
}

/**
 * The smallest gap (ms) between two consecutive fire times of a five-field expression, on the wall
 * clock, over its whole cycle: the closest two times within a day, and the last time of a fire day
 * to the first of the next fire day. (A daylight-saving change can shorten one gap a year by the
 * clock change; that is not counted.) Throws cron-parser's error when the expression is invalid.
 */
export function smallestCronGapMs(cron: string): number {
  const { fields } = cronParser.parseExpression(cron, { tz: 'UTC' });
  const times = fields.hour.flatMap((h) => fields.minute.map((m) => h * 60 + m)).sort((a, b) => a - b);
  let smallest = Infinity;
  for (let i = 1; i < times.length; i++) smallest = Math.min(smallest, times[i]! - times[i - 1]!);
  const span = times[times.length - 1]! - times[0]!;

  // The two fire days closest together over one whole calendar cycle (consecutive days end the look).
  const dayFields = fields as unknown as { dayOfMonth: number[]; month: number[]; dayOfWeek: number[] };
  const date = new Date(Date.UTC(2000, 0, 1));
  let previous: number | undefined;
  let closestDays = Infinity;
  for (let day = 0; day < CYCLE_DAYS + 366 && closestDays > 1; day++, date.setUTCDate(date.getUTCDate() + 1)) {
    if (!dayFires(dayFields, date)) continue;
    if (previous !== undefined) closestDays = Math.min(closestDays, day - previous);
    previous = day;
  }
  if (previous === undefined) throw new Error('it never fires (no such day)');
  smallest = Math.min(smallest, closestDays * MINUTES_A_DAY - span);
  return smallest * 60_000;
}
