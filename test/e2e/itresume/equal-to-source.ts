import type { SandboxControl as Control } from '@datasync/testkit';
import { expectSameRows, rowsOf, type Queryable as Q } from '@datasync/testkit/vitest';

/**
 * "The database equals the IT Resume source": the expected rows built from the sandbox's own data, compared
 * with the kit's engine (whole tables, every stored column, as sets). Shared by the e2e test and the
 * reliability suite, so every fault test asserts the same thing.
 */

/** An attempt in the fake's own terms (not its wire form): what a row must hold. */
interface ItResumeFakeAttempt {
  lti_user_id: string;
  course_key: string;
  lms_host: string;
  task_id: string;
  oauth_consumer_key: string;
  lis_result_sourcedid: string;
  lis_outcome_service_url: string;
  is_correct: boolean | null;
  attempt_type: string;
  created_at: string;
  defect: string | null;
}

/**
 * The stored attempts of [start, end] are exactly the well-formed ones the fake holds for those days,
 * every column (`runId` given: each written by that run). The expected rows come from the fake's
 * attempts as it generated them, not from parsing the wire items, so the worker's parser is not the oracle.
 */
export async function expectItResumeEqualToSource(db: Q, control: Control, start: string, end: string, runId?: string): Promise<void> {
  const served = await control.get<{ attempts: ItResumeFakeAttempt[] }>(
    `/itresume/_control/attempts?start=${encodeURIComponent(`${start} 00:00:00`)}&end=${encodeURIComponent(`${end} 23:59:59.999999`)}`,
  );
  const expected = served.attempts
    .filter((a) => a.defect === null)
    // An empty consumer key is stored as null (no key), like any absent optional value.
    .map(({ defect: _defect, created_at, ...a }) => ({
      ...a,
      oauth_consumer_key: a.oauth_consumer_key || null,
      created_at: created_at.includes('.') ? created_at : `${created_at}.000000`,
      ...(runId ? { run_id: runId } : {}),
    }));
  const rows = await rowsOf(
    db,
    `SELECT lti_user_id, course_key, lms_host, task_id, oauth_consumer_key, lis_result_sourcedid, lis_outcome_service_url, is_correct, attempt_type,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created_at${runId ? ', run_id::text' : ''}
     FROM itresume_attempts
     WHERE created_at >= ($1 || ' 00:00:00+00')::timestamptz AND created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`,
    [start, end],
  );
  expectSameRows(`itresume_attempts of ${start}..${end}`, rows, expected);
}
