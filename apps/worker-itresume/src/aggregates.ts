import type pg from 'pg';

/** One day's figures, by UTC day of `created_at` (reference §4). */
export interface DailyStats {
  date: string;
  attempts: number;
  successful: number;
  uniqueUsers: number;
  runAttempts: number;
  submitAttempts: number;
  uniqueUsersRun: number;
  uniqueUsersSubmit: number;
  /** correct submits / all submits, 0..1 (null without submits). */
  successRate: number | null;
}

/**
 * The aggregates of [start, end] (dates, both included) of one connection's attempts (the
 * environment connection by default: one IT Resume client's report never counts another's), computed from the database.
 */
export async function dailyStats(
  pool: Pick<pg.Pool, 'query'>,
  start: string,
  end: string,
  connectionId = '00000000-0000-0000-0000-000000000000',
): Promise<DailyStats[]> {
  const { rows } = await pool.query<{
    date: string;
    attempts: string;
    successful: string;
    unique_users: string;
    run_attempts: string;
    submit_attempts: string;
    unique_users_run: string;
    unique_users_submit: string;
  }>({
    text: `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS date,
                    count(*) AS attempts,
                    count(*) FILTER (WHERE is_correct) AS successful,
                    count(DISTINCT lti_user_id) AS unique_users,
                    count(*) FILTER (WHERE attempt_type = 'run') AS run_attempts,
                    count(*) FILTER (WHERE attempt_type = 'submit') AS submit_attempts,
                    count(DISTINCT lti_user_id) FILTER (WHERE attempt_type = 'run') AS unique_users_run,
                    count(DISTINCT lti_user_id) FILTER (WHERE attempt_type = 'submit') AS unique_users_submit
               FROM itresume_attempts
              WHERE created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'
                AND created_at < (($2::date) + 1)::timestamp AT TIME ZONE 'UTC'
                AND connection_id = $3
              GROUP BY 1 ORDER BY 1`,
    values: [start, end, connectionId],
  });
  return rows.map((r) => {
    const submit = Number(r.submit_attempts);
    return {
      date: r.date,
      attempts: Number(r.attempts),
      successful: Number(r.successful),
      uniqueUsers: Number(r.unique_users),
      runAttempts: Number(r.run_attempts),
      submitAttempts: submit,
      uniqueUsersRun: Number(r.unique_users_run),
      uniqueUsersSubmit: Number(r.unique_users_submit),
      successRate: submit > 0 ? Number(r.successful) / submit : null,
    };
  });
}
