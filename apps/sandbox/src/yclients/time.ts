/**
 * Time helpers. Internally every instant is UTC epoch seconds; the API shows them in the company's
 * fixed offset (Moscow +03:00 has had no DST since 2014), in the several formats the reference
 * lists (§10.3).
 */

/** "Now" of the seeded data: nothing in the base data changed after it; bookings run 14 days past it. */
export const DATA_NOW = Date.UTC(2026, 10, 1, 9, 0, 0) / 1000; // 2026-11-01 12:00:00 +03:00

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function parts(epoch: number, offsetHours: number) {
  const d = new Date((epoch + offsetHours * 3600) * 1000);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

const offset = (hours: number, colon: boolean) => `${hours < 0 ? '-' : '+'}${pad(Math.abs(hours))}${colon ? ':' : ''}00`;

/** `2025-01-10 10:00:00`: company-local, no offset (record `date`, transaction `date`). */
export const naive = (epoch: number, tz: number) => {
  const p = parts(epoch, tz);
  return `${p.date} ${p.time}`;
};
/** `2025-01-10T10:00:00+03:00` (record `datetime`). */
export const isoColon = (epoch: number, tz: number) => {
  const p = parts(epoch, tz);
  return `${p.date}T${p.time}${offset(tz, true)}`;
};
/** `2025-01-05T14:21:09+0300` (`create_date`, `last_change_date`). */
export const isoCompact = (epoch: number, tz: number) => {
  const p = parts(epoch, tz);
  return `${p.date}T${p.time}${offset(tz, false)}`;
};
/** `2025-01-10` */
export const dateOnly = (epoch: number, tz: number) => parts(epoch, tz).date;

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses any format of §10.3 (and the `YYYY-MM-DDTHH:MM:SS` filters). A value without an offset is
 * company-local time. Answers epoch seconds, or undefined when it is not a date.
 */
export function parseStamp(value: unknown, tz: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = STAMP.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', off] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (Number.isNaN(local)) return undefined;
  if (off === undefined) return local - tz * 3600;
  if (off === 'Z') return local;
  const sign = off.startsWith('-') ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  return local - sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
}

/** Start of the company-local day that contains `epoch`. */
export const localDayStart = (epoch: number, tz: number) => {
  const local = epoch + tz * 3600;
  return local - (((local % 86400) + 86400) % 86400) - tz * 3600;
};
