import { expect } from 'vitest';
import { sourceWorker } from '../../helpers';
import type { ReliabilitySource } from '../../reliability/source';
import { expectItResumeEqualToSource } from './equal-to-source';

/** IT Resume in the reliability suite (test/reliability). */
export const reliability: ReliabilitySource = {
  name: 'itresume',
  app: 'worker-itresume',
  start: sourceWorker('itresume'),
  dataPath: '/itresume/api/statistics',
  isPage: (r) => r.path === '/itresume/api/statistics',
  reauth: false,
  detectsEmptyPage: false,
  async env(control, sandboxUrl) {
    const creds = await control.get<{ client: string; client_key: string }>('/itresume/_control/credentials');
    return {
      ITRESUME_BASE_URL: `${sandboxUrl}/itresume`,
      ITRESUME_CLIENT: creds.client,
      ITRESUME_CLIENT_KEY: creds.client_key,
      ITRESUME_DAILY_AT: '',
    };
  },
  secrets: (env) => [env.ITRESUME_CLIENT_KEY!],
  async prepare(control, pool, options) {
    await pool.query('TRUNCATE itresume_attempts');
    // One request per day: `large` is every seeded day.
    const end = options?.large ? '2026-04-10' : '2026-04-06';
    return {
      submit: { method: 'POST', path: '/api/itresume/sync', body: { start: '2026-04-01', end } },
      expectEqual: (runId) => expectItResumeEqualToSource(pool, control, '2026-04-01', end, runId),
    };
  },
  job: 'itresume.sync',
  // One day each, from 2026-01-01.
  params: (n) => {
    const day = new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
    return { start: day, end: day };
  },
  route: (params) => ({ method: 'POST', path: '/api/itresume/sync', body: params }),
  syncs: {
    count: () => Promise.resolve(10),
    // Ten windows of the seeded days, each ending on the last.
    make: (control, pool) =>
      Promise.resolve({
        submits: Array.from({ length: 10 }, (_, i) =>
          reliability.route({ start: `2026-04-${String(i + 1).padStart(2, '0')}`, end: '2026-04-10' }),
        ),
        expectEqual: () => expectItResumeEqualToSource(pool, control, '2026-04-01', '2026-04-10'),
      }),
  },
  tables: ['itresume_attempts'],
  // One request per day, ten days.
  kill: { delayMs: 1200 },
  malformed: {
    title: 'itresume: attempts whose user id is a number are skipped and counted by reason, beside the seeded malformed ones',
    async check(t) {
      const target = await reliability.prepare(t.control, t.pool);
      const clean = await t.api.finished(await t.api.submit(target.submit));
      expect(clean.state).toBe('done');
      const wellFormed = clean.counts.valid!;
      await t.pool.query('TRUNCATE itresume_attempts');
      await t.control.addFault({
        path: reliability.dataPath,
        kind: 'corrupt',
        field: 'lti_user_id',
        value: 12345,
        count: 3,
        skip: 2,
        times: 1,
      });
      const run = await t.api.finished(await t.api.submit(target.submit));
      expect(run.state).toBe('done');
      expect(run.counts.valid).toBe(wellFormed - 3);
      expect(run.counts.skipped).toBe(clean.counts.skipped! + 3);
      expect(run.counts.skipped_bad_user_id).toBe((clean.counts.skipped_bad_user_id ?? 0) + 3);
      expect((await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM itresume_attempts')).rows[0]!.n).toBe(wellFormed - 3);
    },
  },
};
