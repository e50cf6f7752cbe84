/** Small parsers shared by the marketplace fakes: query values, int64-as-string, opaque cursors. */

/** An integer from a number or a digit string (Ozon sends int64 either way); undefined otherwise. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A list from `a,b`, repeated parameters (`a&a`), `a[]=` or a JSON array; empty when absent. */
export function listParam(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const raw = Array.isArray(v) ? v : [v];
  return raw
    .flatMap((x) => (typeof x === 'string' ? x.split(',') : typeof x === 'number' ? [String(x)] : []))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** An array of int64 values from a body field (numbers or digit strings); `null` if any is invalid. */
export function intList(v: unknown): number[] | null {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return null;
  const out: number[] = [];
  for (const x of v) {
    const n = toInt(x);
    if (n === undefined) return null;
    out.push(n);
  }
  return out;
}

export function strList(v: unknown): string[] | null {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return null;
  return v as string[];
}

/** Opaque cursor holding an offset (fakes page over a stable, sorted list). */
export function encodeCursor(offset: number, kind = 'o'): string {
  return Buffer.from(JSON.stringify({ [kind]: offset })).toString('base64url');
}

/** The offset in a cursor made by `encodeCursor`; 0 for an empty one; undefined if it is not ours. */
export function decodeCursor(cursor: unknown, kind = 'o'): number | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (typeof cursor !== 'string') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
    const n = parsed[kind];
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds from an RFC3339 / ISO date-time; undefined if absent, NaN-free. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const MSK = 3 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-05-01T10:15:00+03:00`: Moscow time with its offset (YM's ISO dates). */
export function mskIso(ms: number): string {
  const d = new Date(ms + MSK);
  return `${d.toISOString().slice(0, 19)}+03:00`;
}

/** `DD-MM-YYYY` or `DD-MM-YYYY HH:mm:ss` in Moscow time (YM v2 order dates). */
export function mskDmy(ms: number, withTime = false): string {
  const d = new Date(ms + MSK);
  const date = `${pad(d.getUTCDate())}-${pad(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`;
  return withTime ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : date;
}

/** Start of a Moscow day given as `DD-MM-YYYY`, or `YYYY-MM-DD`; undefined if malformed. */
export function mskDayStart(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  let m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(v);
  if (m) return Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1])) - MSK;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - MSK;
  return undefined;
}

export const DAY = 24 * 3600_000;

export type Body = Record<string, unknown>;
/** A JSON body (or nested value) as an object; anything else as an empty one. */
export const obj = (v: unknown): Body => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : {});
