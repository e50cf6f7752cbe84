import type { Attempt } from './data';

/** One item of the statistics array, as IT Resume writes it (extra or missing keys when malformed). */
export type WireItem = Record<string, unknown>;

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, without the fraction when the microseconds are zero. */
export function formatCreatedAt(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const base = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const fraction = micros % 1_000_000;
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(6, '0')}`;
}

const PARAM = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;

/**
 * Parses `start`/`end` in the formats public clients use: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`,
 * `YYYY-MM-DD HH:MM:SS.f` (1–6 fraction digits). UTC. A date alone means 00:00:00 of that day.
 * Answers microseconds since the epoch, or undefined when the text is not one of those forms.
 */
export function parseWindowParam(text: string): number | undefined {
  const m = PARAM.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  return ms * 1000 + Number(frac.padEnd(6, '0') || '0');
}

/** Python's repr of a str: single quotes unless the text holds a single quote and no double quote. */
export function pyStr(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s.replace(/\\/g, '\\\\')}"`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Python's repr of a dict of strings, e.g. `{'a': '', 'b': 'x'}`. */
export function pyDict(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${pyStr(k)}: ${pyStr(v)}`).join(', ')}}`;
}

export function sourcedId(a: Attempt, userId = a.userId): string {
  return `${a.courseKey}:${a.lmsHost}-${a.taskId}:${userId}`;
}

export function outcomeServiceUrl(a: Attempt): string {
  const course = a.courseKey.slice('course-v1:'.length);
  return `https://${a.lmsHost}/courses/${a.courseKey}/xblock/block-v1:${course}+type@lti+block@${a.taskId}/handler_noauth/grade_handler`;
}

/** Writes one attempt the way the statistics endpoint returns it, breaking it if it carries a defect. */
export function toWire(a: Attempt): WireItem {
  const passback = pyDict([
    ['oauth_consumer_key', a.oauthConsumerKey],
    ['lis_result_sourcedid', sourcedId(a, a.defect === 'user_mismatch' ? a.otherUserId : a.userId)],
    ['lis_outcome_service_url', outcomeServiceUrl(a)],
  ]);
  const isCorrect = a.correct === null ? null : a.booleanCorrect ? a.correct : a.correct ? 1 : 0;
  const item: WireItem = {
    lti_user_id: a.userId,
    passback_params: passback,
    is_correct: isCorrect,
    attempt_type: a.type,
    created_at: formatCreatedAt(a.atMicros),
  };
  switch (a.defect) {
    case null:
      break;
    case 'passback_null':
      item.passback_params = null;
      break;
    case 'passback_unparsable':
      item.passback_params = passback.slice(0, Math.floor(passback.length * 0.6));
      break;
    case 'missing_user_id':
      delete item.lti_user_id;
      break;
    case 'bad_user_id':
      item.lti_user_id = parseInt(a.userId.slice(0, 8), 16);
      break;
    case 'bad_is_correct':
      item.is_correct = a.correct ? '1' : '0';
      break;
    case 'submit_null_correct':
    case 'run_with_correct':
      item.is_correct = a.correct === null ? null : a.correct ? 1 : 0;
      break;
    case 'user_mismatch':
      break;
    case 'impossible_date':
      item.created_at = impossibleCreatedAt(item.created_at as string);
      break;
  }
  return item;
}

/** Days in a month (1-based), Gregorian. */
export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The same time on the day after its month's last (`2026-04-31`); only for months shorter than 31 days. */
export function impossibleCreatedAt(createdAt: string): string {
  const year = Number(createdAt.slice(0, 4));
  const month = Number(createdAt.slice(5, 7));
  return `${createdAt.slice(0, 8)}${String(daysInMonth(year, month) + 1).padStart(2, '0')}${createdAt.slice(10)}`;
}
