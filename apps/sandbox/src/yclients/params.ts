import type { Response } from 'express';
import { fail, MESSAGES } from './envelope';
import { parseStamp } from './time';

/** Query and body value helpers shared by the routes. */

export const intParam = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v);
};

export const strParam = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const flagParam = (v: unknown): boolean => v === '1' || v === 'true' || v === 1 || v === true;

/** `id`, `id[]`, `id=1,2`: a list of integers. */
export const intList = (v: unknown): number[] | undefined => {
  if (v === undefined) return undefined;
  const items = Array.isArray(v) ? v : String(v).split(',');
  const out = items.map(intParam).filter((x): x is number => x !== undefined);
  return out.length > 0 ? out : undefined;
};

export interface Paging {
  page: number;
  count: number;
}

/**
 * 1-based page (0 and below read as 1, an assumption) and a size that defaults to `def` and above
 * `max` is clamped or rejected with 400 (configurable: the real behaviour is unknown).
 */
export function paging(
  res: Response,
  pageRaw: unknown,
  countRaw: unknown,
  def: number,
  max: number,
  overMax: 'clamp' | 'reject',
  name: string,
): Paging | undefined {
  const page = Math.max(1, intParam(pageRaw) ?? 1);
  let count = intParam(countRaw) ?? def;
  if (count < 1) count = def;
  if (count > max) {
    if (overMax === 'reject') {
      fail(res, 400, MESSAGES.badParameter, { [name]: [`Значение не может быть больше ${max}`] });
      return undefined;
    }
    count = max;
  }
  return { page, count };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Date filters. `YYYY-MM-DD` bounds are company-local days, inclusive; stamps (`changed_after`)
 * are company-local unless they carry an offset. Answers [from, to) in epoch seconds, or false
 * after answering 400 for a malformed value.
 */
export function dayRange(res: Response, name: string, fromRaw: unknown, toRaw: unknown, tz: number): [number, number] | false | undefined {
  const from = strParam(fromRaw);
  const to = strParam(toRaw);
  if (from === undefined && to === undefined) return undefined;
  for (const v of [from, to]) {
    if (v !== undefined && !DAY.test(v)) {
      fail(res, 400, MESSAGES.badParameter, { [name]: ['Неверный формат даты, ожидается YYYY-MM-DD'] });
      return false;
    }
  }
  return [from ? parseStamp(from, tz)! : -Infinity, to ? parseStamp(to, tz)! + 86400 : Infinity];
}

export function stampRange(
  res: Response,
  name: string,
  afterRaw: unknown,
  beforeRaw: unknown,
  tz: number,
): [number, number] | false | undefined {
  const after = strParam(afterRaw);
  const before = strParam(beforeRaw);
  if (after === undefined && before === undefined) return undefined;
  const a = after === undefined ? -Infinity : parseStamp(after, tz);
  const b = before === undefined ? Infinity : parseStamp(before, tz);
  if (a === undefined || b === undefined) {
    fail(res, 400, MESSAGES.badParameter, { [name]: ['Неверный формат даты, ожидается YYYY-MM-DDTHH:MM:SS'] });
    return false;
  }
  return [a, b];
}
