import { describe, expect, it } from 'vitest';
import { parseAttempt, parsePythonDict } from '../src/parse';

const user = '3583bf109f8b458e13ae1ac9d85c396a';
const block = 'ca3ecf8e5f284c329eb7bd529e1a9f7e';
const sourcedid = `course-v1:SkillFactory+DST-3.0+28FEB2021:lms.skillfactory.ru-${block}:${user}`;
const passback = `{'oauth_consumer_key': '', 'lis_result_sourcedid': '${sourcedid}', 'lis_outcome_service_url': 'https://lms.skillfactory.ru/x/grade_handler'}`;
const item = (over: Record<string, unknown> = {}) => ({
  lti_user_id: user,
  passback_params: passback,
  is_correct: null,
  attempt_type: 'run',
  created_at: '2023-05-31 09:16:11.313646',
  ...over,
});

describe('parsePythonDict', () => {
  it('reads single- and double-quoted strings, escapes, None and a trailing comma', () => {
    expect(parsePythonDict(`{'a': 'it\\'s', "b": "say \\"hi\\"", 'c': None,}`)).toEqual({ a: "it's", b: 'say "hi"', c: null });
    expect(parsePythonDict(`{"a": "it's"}`)).toEqual({ a: "it's" });
    expect(parsePythonDict('{}')).toEqual({});
  });
  it('rejects cut-off or non-dict literals', () => {
    expect(parsePythonDict(`{'a': 'b'`)).toBeUndefined();
    expect(parsePythonDict(`{'a': 'b'} extra`)).toBeUndefined();
    expect(parsePythonDict(`{'a': 1}`)).toBeUndefined();
    expect(parsePythonDict(`['a']`)).toBeUndefined();
  });
});

describe('parseAttempt', () => {
  it('parses a well-formed run into columns', () => {
    expect(parseAttempt(item())).toEqual({
      ok: true,
      attempt: {
        ltiUserId: user,
        oauthConsumerKey: null,
        lisResultSourcedid: sourcedid,
        lisOutcomeServiceUrl: 'https://lms.skillfactory.ru/x/grade_handler',
        courseKey: 'SkillFactory+DST-3.0+28FEB2021',
        lmsHost: 'lms.skillfactory.ru',
        taskId: block,
        isCorrect: null,
        attemptType: 'run',
        createdAt: '2023-05-31 09:16:11.313646+00',
      },
    });
  });
  it('accepts 0/1 and false/true for submits and created_at without a fraction', () => {
    const ok = (o: Record<string, unknown>) => {
      const r = parseAttempt(item(o));
      return r.ok ? r.attempt : undefined;
    };
    expect(ok({ attempt_type: 'submit', is_correct: 1 })?.isCorrect).toBe(true);
    expect(ok({ attempt_type: 'submit', is_correct: false })?.isCorrect).toBe(false);
    expect(ok({ created_at: '2023-05-31 09:16:11' })?.createdAt).toBe('2023-05-31 09:16:11+00');
    expect(ok({ created_at: '2024-02-29 23:59:59.999999' })?.createdAt).toBe('2024-02-29 23:59:59.999999+00');
    expect(ok({ created_at: '2000-02-29 00:00:00' })?.createdAt).toBe('2000-02-29 00:00:00+00');
  });
  it.each([
    [{ passback_params: null }, 'passback_null'],
    [{ passback_params: passback.slice(0, -1) }, 'passback_unparsable'],
    [{ lti_user_id: undefined }, 'missing_user_id'],
    [{ lti_user_id: 12345 }, 'bad_user_id'],
    [{ attempt_type: 'submit', is_correct: '1' }, 'bad_is_correct'],
    [{ attempt_type: 'submit', is_correct: null }, 'submit_null_correct'],
    [{ attempt_type: 'run', is_correct: 0 }, 'run_with_correct'],
    [{ lti_user_id: 'a'.repeat(32) }, 'user_mismatch'],
    [{ created_at: '2023-05-31T09:16:11Z' }, 'bad_created_at'],
    // Date.parse takes these; PostgreSQL does not.
    [{ created_at: '2026-11-31 10:00:00' }, 'impossible_date'],
    [{ created_at: '2026-02-29 10:00:00.5' }, 'impossible_date'],
    [{ created_at: '2026-04-10 24:00:00' }, 'impossible_date'],
    [{ created_at: '2026-04-10 10:60:00' }, 'impossible_date'],
    [{ created_at: '2026-13-01 10:00:00' }, 'impossible_date'],
    [{ created_at: '2026-00-10 10:00:00' }, 'impossible_date'],
  ])('skips %o as %s', (over, reason) => {
    const r = parseAttempt(item(over));
    expect(r.ok ? undefined : r.reason).toBe(reason);
  });
});
