import { expect } from 'vitest';
import { sourceWorker } from '../../helpers';
import type { ReliabilitySource } from '../../reliability/source';
import { expectYclientsEqualToSource } from './equal-to-source';

const idsOf = (rows: { id: unknown }[]) => rows.map((r) => String(r.id)).sort();

/** YClients in the reliability suite (test/reliability). */
export const reliability: ReliabilitySource = {
  name: 'yclients',
  app: 'worker-yclients',
  start: sourceWorker('yclients'),
  dataPath: '/yclients/api/v1/',
  // Client pages are asked by POST body (the request log keeps it); records and transactions page by query.
  isPage: (r) => /\/clients\/search$|\/records\/\d+$|\/transactions\/\d+$/.test(r.path) && !('start_date' in r.query),
  reauth: true,
  unauthorized: 'yclients.unauthorized',
  detectsEmptyPage: true,
  async env(control, sandboxUrl) {
    const creds = await control.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
    return {
      YCLIENTS_BASE_URL: `${sandboxUrl}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: creds.partnerToken,
      YCLIENTS_LOGIN: creds.login,
      YCLIENTS_PASSWORD: creds.password,
      YCLIENTS_REQUESTS_PER_SECOND: '1000',
      YCLIENTS_REQUESTS_PER_MINUTE: '100000',
      YCLIENTS_PAGE_SIZE: '50',
    };
  },
  secrets: (env) => [env.YCLIENTS_PARTNER_TOKEN!, env.YCLIENTS_PASSWORD!],
  async prepare(control, pool, options) {
    const size = options?.large ? { clients: 300, records: 1500 } : { clients: 180, records: 260 };
    const company = (await control.post<{ id: number }>('/yclients/_control/companies', size)).id;
    return {
      submit: { method: 'POST', path: '/api/yclients/sync', body: { companyId: company } },
      expectEqual: () => expectYclientsEqualToSource(pool, control, company),
    };
  },
  job: 'yclients.sync',
  params: (n) => ({ companyId: n + 1 }),
  route: (params) => ({ method: 'POST', path: '/api/yclients/sync', body: params }),
  syncs: {
    count: () => Promise.resolve(8),
    async make(control, pool) {
      const companies: number[] = [];
      for (let i = 0; i < 8; i++)
        companies.push((await control.post<{ id: number }>('/yclients/_control/companies', { clients: 30, records: 40 })).id);
      return {
        submits: companies.map((companyId) => reliability.route({ companyId })),
        async expectEqual() {
          for (const c of companies) await expectYclientsEqualToSource(pool, control, c);
        },
      };
    },
  },
  tables: ['yclients_clients'],
  issuedSecrets: async (control) => [(await control.get<{ userToken: string }>('/yclients/_control/credentials')).userToken],
  // The first write of each entity's page transactions that comes after the page's own rows: clients, records, transactions.
  midPageTables: ['yclients_client_category_links', 'yclients_record_services', 'yclients_transactions'],
  kill: { delayMs: 90, counts: { clients: 300, records: 1500, staff: 12 } },
  malformed: {
    title:
      'yclients: a record whose id is not an id fails the run clearly after its retries, with no broken row kept; once fixed, a sync equals the source',
    async check(t) {
      const target = await reliability.prepare(t.control, t.pool);
      const companyId = (target.submit.body as { companyId: number }).companyId;
      await t.control.addFault({ path: `/yclients/api/v1/records/${companyId}`, kind: 'corrupt', field: 'id', value: 'not-an-id' });
      const run = await t.api.finished(await t.api.submit(target.submit));
      expect(run.state).toBe('failed');
      expect(run.error).toMatch(/records: \d+ rows stored but the source counts \d+/);
      expect(run.attempts).toBe(3);
      // Records are not emptied for the fresh read (README "Deletes"): the failed complete passes
      // delete nothing, and the rows without an id were never written.
      expect(
        (
          await t.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM yclients_records WHERE company_id = $1 AND deleted_at IS NOT NULL',
            [companyId],
          )
        ).rows[0]!.n,
      ).toBe(0);
      await t.control.clearFaults();
      const again = await t.api.finished(await t.api.submit(target.submit));
      expect(again.state).toBe('done');
      await target.expectEqual(again.id);
      expect(
        idsOf((await t.pool.query<{ id: string }>('SELECT id::text AS id FROM yclients_records WHERE company_id = $1', [companyId])).rows)
          .length,
      ).toBeGreaterThan(0);
    },
  },
};
