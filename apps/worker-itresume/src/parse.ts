/**
 * Validation and parsing of IT Resume attempt items (reference §2, sandbox README "Well-formed").
 * Anything that does not pass is skipped with a reason, never stored half-parsed.
 */

export interface Attempt {
  ltiUserId: string;
  oauthConsumerKey: string | null;
  lisResultSourcedid: string;
  lisOutcomeServiceUrl: string | null;
  courseKey: string;
  lmsHost: string;
  taskId: string;
  isCorrect: boolean | null;
  attemptType: 'run' | 'submit';
  /** `YYYY-MM-DD HH:MM:SS[.ffffff]+00`, exactly as sent (microseconds kept), for a timestamptz. */
  createdAt: string;
}

export type SkipReason =
  | 'not_an_object'
  | 'missing_user_id'
  | 'bad_user_id'
  | 'passback_null'
  | 'passback_unparsable'
  | 'bad_sourcedid'
  | 'user_mismatch'
  | 'bad_attempt_type'
  | 'bad_is_correct'
  | 'submit_null_correct'
  | 'run_with_correct'
  | 'bad_created_at'
  | 'impossible_date';

export type ParseResult = { ok: true; attempt: Attempt } | { ok: false; reason: SkipReason; detail: string };

const USER_ID = /^[0-9a-f]{32}$/;
const SOURCEDID = /^course-v1:([^:]+):(.+)-([0-9a-f]{32}):([^:]+)$/;
const CREATED_AT = /^((\d{4})-(\d{2})-(\d{2})) ((\d{2}):(\d{2}):(\d{2}))(\.\d{1,6})?$/;

/**
 * Whether the fields name a real instant. JavaScript's Date.parse is lenient (it takes
 * `2026-11-31` and `2026-02-30`); PostgreSQL refuses them, and one such value would fail the whole
 * day's insert. So the calendar is checked field by field (Gregorian, proleptic).
 */
export function isCalendarDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/**
 * Parses a Python dict literal whose keys are strings and values strings or None, as
 * `ast.literal_eval` would (single or double quotes, backslash escapes). Answers undefined for
 * anything else, so a cut-off or exotic literal is rejected, not guessed.
 */
export function parsePythonDict(text: string): Record<string, string | null> | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string | undefined => {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return undefined;
    i++;
    let out = '';
    while (i < text.length) {
      const c = text[i]!;
      if (c === quote) {
        i++;
        return out;
      }
      if (c === '\\') {
        const n = text[i + 1];
        if (n === undefined) return undefined;
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
        out += map[n] ?? `\\${n}`;
        i += 2;
        continue;
      }
      if (c === '\n') return undefined;
      out += c;
      i++;
    }
    return undefined;
  };
  const result: Record<string, string | null> = {};
  ws();
  if (text[i] !== '{') return undefined;
  i++;
  ws();
  if (text[i] === '}') {
    i++;
  } else {
    for (;;) {
      ws();
      const key = str();
      if (key === undefined) return undefined;
      ws();
      if (text[i] !== ':') return undefined;
      i++;
      ws();
      let value: string | null;
      if (text.startsWith('None', i)) {
        value = null;
        i += 4;
      } else {
        const v = str();
        if (v === undefined) return undefined;
        value = v;
      }
      result[key] = value;
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === '}') {
          i++;
          break;
        }
        continue;
      }
      if (text[i] === '}') {
        i++;
        break;
      }
      return undefined;
    }
  }
  ws();
  return i === text.length ? result : undefined;
}

const fail = (reason: SkipReason, detail: string): ParseResult => ({ ok: false, reason, detail });

export function parseAttempt(item: unknown): ParseResult {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail('not_an_object', 'item is not an object');
  const o = item as Record<string, unknown>;
  if (!('lti_user_id' in o) || o.lti_user_id === null || o.lti_user_id === undefined) return fail('missing_user_id', 'no lti_user_id');
  if (typeof o.lti_user_id !== 'string' || !USER_ID.test(o.lti_user_id)) {
    return fail('bad_user_id', `lti_user_id is not 32 lowercase hex (${typeof o.lti_user_id})`);
  }
  const user = o.lti_user_id;
  if (o.passback_params === null || o.passback_params === undefined || o.passback_params === '')
    return fail('passback_null', 'passback_params is empty');
  if (typeof o.passback_params !== 'string') return fail('passback_unparsable', 'passback_params is not a string');
  const pb = parsePythonDict(o.passback_params);
  if (!pb) return fail('passback_unparsable', 'passback_params is not a Python dict literal of strings');
  const sourcedid = pb.lis_result_sourcedid;
  const m = sourcedid ? SOURCEDID.exec(sourcedid) : null;
  if (!sourcedid || !m) return fail('bad_sourcedid', 'lis_result_sourcedid is missing or does not match course-v1:…');
  if (m[4] !== user) return fail('user_mismatch', 'lis_result_sourcedid names another user than lti_user_id');

  const type = o.attempt_type;
  if (type !== 'run' && type !== 'submit') return fail('bad_attempt_type', `attempt_type is ${JSON.stringify(type)?.slice(0, 20)}`);
  let correct: boolean | null;
  const raw = o.is_correct;
  if (raw === null || raw === undefined) correct = null;
  else if (raw === 1 || raw === true) correct = true;
  else if (raw === 0 || raw === false) correct = false;
  else return fail('bad_is_correct', `is_correct is ${typeof raw}, not null/0/1/false/true`);
  if (type === 'submit' && correct === null) return fail('submit_null_correct', 'a submit without is_correct');
  if (type === 'run' && correct !== null) return fail('run_with_correct', 'a run with is_correct');

  const c = typeof o.created_at === 'string' ? CREATED_AT.exec(o.created_at) : null;
  if (!c) return fail('bad_created_at', 'created_at is not YYYY-MM-DD HH:MM:SS[.ffffff]');
  const [y, mo, d, h, mi, sec] = [c[2], c[3], c[4], c[6], c[7], c[8]].map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDateTime(y, mo, d, h, mi, sec)) return fail('impossible_date', `created_at ${c[1]} ${c[5]} is not a real date and time`);

  return {
    ok: true,
    attempt: {
      ltiUserId: user,
      oauthConsumerKey: pb.oauth_consumer_key ? pb.oauth_consumer_key : null,
      lisResultSourcedid: sourcedid,
      lisOutcomeServiceUrl: pb.lis_outcome_service_url ? pb.lis_outcome_service_url : null,
      courseKey: m[1]!,
      lmsHost: m[2]!,
      taskId: m[3]!,
      isCorrect: correct,
      attemptType: type,
      createdAt: `${c[1]} ${c[5]}${c[9] ?? ''}+00`,
    },
  };
}
