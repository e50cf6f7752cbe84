/**
 * Lenient coercions for YClients values (reference §10): ids as numbers, numeric strings, "" or 0
 * for "none"; money as numbers or strings; flags as 0/1, "0"/"1" or booleans; `[]` for empty objects.
 */

export type Row = Record<string, unknown>;

/** A bigint id; null for null, "", 0, "0", [] and anything not an integer. */
export function id(v: unknown): bigint | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v !== 0 ? BigInt(v) : null;
  if (typeof v === 'string' && /^-?\d{1,19}$/.test(v.trim())) {
    const n = BigInt(v.trim());
    return n === 0n ? null : n;
  }
  if (typeof v === 'bigint') return v === 0n ? null : v;
  return null;
}

/** A decimal as text for a numeric column; null when absent or not a number. */
export function num(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return v.trim();
  return null;
}

export function int(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : null;
}

export function bool(v: unknown): boolean | null {
  if (v === true || v === 1 || v === '1' || v === 'true') return true;
  if (v === false || v === 0 || v === '0' || v === 'false') return false;
  return null;
}

export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return null;
}

/** A timestamp string for Postgres to parse (it reads "+0300" and "+03:00"); null when empty. */
export function stamp(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** An object, or undefined for `[]`, null and scalars. */
export function obj(v: unknown): Row | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
