import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { sourceWorker } from '../../helpers';
import {
  createTestDatabase,
  sandboxControl,
  spawnWorker,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  type Stack,
  type TestDatabase,
  type WorkerProcess,
} from '../../helpers';
import { waitForRun, type OrError, type Run, type Submitted } from '@datasync/testkit';
import { rowsOf } from '@datasync/testkit/vitest';
import { expectYclientsEqualToSource, expectYclientsTransactionsEqualToSource, yclientsSource } from './equal-to-source';

/**
 * The YClients end-to-end suite (yclients.test.ts runs it). `appsDatabaseUrl`: how the gateway and
 * workers reach the file's database (test/scale/pgbouncer.test.ts: through PgBouncer in transaction
 * mode); the test's own queries and comparisons stay direct.
 */
export function yclientsE2eSuite(options: { appsDatabaseUrl?: (db: TestDatabase) => string } = {}): void {
  let db: TestDatabase;
  let pool: pg.Pool;
  let sandbox: RunningSandbox;
  let stack: Stack;
  let control: ReturnType<typeof sandboxControl>;
  let env: Record<string, string>;
  const spawned: WorkerProcess[] = [];
  /** A lookup the sync could not make, as the run's progress notes it. */
  interface LookupNote {
    lookup: string;
    status: number;
    note: unknown;
  }

  const sync = async (companyId: number, s: Stack = stack) => {
    const res = await fetch(`${s.gateway.url}/api/yclients/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyId }),
    });
    return { status: res.status, body: (await res.json()) as OrError<Submitted> };
  };
  const run = async (id: string, s: Stack = stack) => (await (await fetch(`${s.gateway.url}/api/runs/${id}`)).json()) as Run;
  const finished = (id: string, timeoutMs = 120_000, s: Stack = stack) => waitForRun(() => run(id, s), id, { timeoutMs, intervalMs: 100 });
  const syncDone = async (companyId: number) => {
    const { body } = await sync(companyId);
    const r = await finished(body.parser_uuid);
    expect(r.error ?? null, JSON.stringify(r.error)).toBeNull();
    expect(r.state).toBe('done');
    return r;
  };

  const q = (sql: string, params: unknown[] = []) => rowsOf(pool, sql, params);
  const expectEqualToSource = (companyId: number) => expectYclientsEqualToSource(pool, control, companyId);

  /** A fingerprint of every stored row version (xmin): equal fingerprints mean nothing was written. */
  async function fingerprint(companyId: number) {
    const tables = [
      'yclients_positions',
      'yclients_staff',
      'yclients_services',
      'yclients_service_staff',
      'yclients_client_categories',
      'yclients_clients',
      'yclients_client_category_links',
      'yclients_records',
      'yclients_record_services',
      'yclients_record_staff',
      'yclients_expense_categories',
      'yclients_accounts',
      'yclients_transactions',
    ];
    const out: Record<string, string> = {};
    for (const t of tables) {
      out[t] = (
        await q(`SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) AS f FROM ${t} WHERE company_id = $1`, [companyId])
      )[0]!.f as string;
    }
    out.stream_state = (
      await q(
        `SELECT string_agg(stream || (state->>'ordinal') || ':' || (state->>'lastId') || ':' || xmin::text, ',' ORDER BY stream) AS f
         FROM stream_state WHERE source = 'yclients' AND scope = $1::text`,
        [companyId],
      )
    )[0]!.f as string;
    return out;
  }

  const clearRequests = () => fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
  const requestsTo = async (fragment: string) =>
    (await control.requests('/yclients/api/v1')).requests.filter((r) => r.path.includes(fragment));

  /** A YClients API call with the sandbox's own partner and user tokens. */
  async function yclientsApi(path: string) {
    const creds = await control.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
    const base = `${sandbox.url}/yclients/api/v1`;
    const headers = { accept: 'application/vnd.yclients.v2+json', 'content-type': 'application/json' };
    const auth = (await (
      await fetch(`${base}/auth`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${creds.partnerToken}` },
        body: JSON.stringify({ login: creds.login, password: creds.password }),
      })
    ).json()) as { data: { user_token: string } };
    return fetch(`${base}${path}`, {
      headers: { ...headers, authorization: `Bearer ${creds.partnerToken}, User ${auth.data.user_token}` },
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    sandbox = await startTestSandbox();
    control = sandboxControl(sandbox.url);
    const creds = await control.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
    env = testEnv(options.appsDatabaseUrl?.(db) ?? db.url, sandbox.url, {
      // Through a pooler the README's set-up names the direct server, which keeps statements unnamed.
      ...(options.appsDatabaseUrl ? { DIRECT_DATABASE_URL: db.url } : {}),
      YCLIENTS_BASE_URL: `${sandbox.url}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: creds.partnerToken,
      YCLIENTS_LOGIN: creds.login,
      YCLIENTS_PASSWORD: creds.password,
      YCLIENTS_REQUESTS_PER_SECOND: '1000',
      YCLIENTS_REQUESTS_PER_MINUTE: '100000',
    });
    stack = await startStack(env, { workers: [sourceWorker('yclients')] });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(spawned.map((w) => w.stop('SIGKILL')));
    await stack?.close();
    await sandbox?.close();
    await pool?.end();
    await db?.drop();
  });

  describe('YClients source', () => {
    it('validates the request body', async () => {
      expect((await sync(0)).status).toBe(400);
      const bad = await fetch(`${stack.gateway.url}/api/yclients/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"companyId":"x"}',
      });
      expect(bad.status).toBe(400);
    });

    it('full sync of a company equals the source; a second pass changes nothing with one request per paginated entity', async () => {
      const first = await syncDone(176275);
      expect((first.progress.entities as Record<string, { state?: string }>).records!.state).toBe('done');
      expect(JSON.stringify(first)).not.toContain('sandbox-password');
      await expectEqualToSource(176275);

      const before = await fingerprint(176275);
      await clearRequests();
      await syncDone(176275);
      expect(await fingerprint(176275)).toEqual(before);
      expect((await requestsTo('/clients/search')).length).toBe(1);
      expect((await requestsTo('/records/')).length).toBe(1);
      expect((await requestsTo('/transactions/')).length).toBe(1);
    });

    it('against an API without GET /expenses (undocumented): transactions, expense categories and cash registers equal the source', async () => {
      const company = (await control.post<{ id: number }>('/yclients/_control/companies', { clients: 40, records: 400, historyShare: 0.2 }))
        .id;
      // The sandbox, like the real API, has no list of payment articles.
      expect((await yclientsApi(`/expenses/${company}`)).status).toBe(404);
      await clearRequests();
      const r = await syncDone(company);
      expect(r.progress.notes).toEqual([]);
      expect(await requestsTo('/expenses')).toEqual([]);

      const source = await yclientsSource<{ expense: { id: unknown } }>(control, company, 'transactions');
      expect(source.some((t) => t.expense.id === '')).toBe(true); // historical rows without an article
      // Transactions (every column), expense categories from them, registers from the list and them.
      await expectYclientsTransactionsEqualToSource(pool, control, company, source);
      // Every article and register a transaction names is a row of its own.
      expect(
        await q(
          `SELECT id FROM yclients_transactions t WHERE company_id = $1 AND (
        (expense_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yclients_expense_categories e WHERE e.company_id = t.company_id AND e.id = t.expense_id))
        OR (account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yclients_accounts a WHERE a.company_id = t.company_id AND a.id = t.account_id)))`,
          [company],
        ),
      ).toEqual([]);
    });

    it('optional lookups that fail (register list, undocumented positions) are noted in the run and the rest completes', async () => {
      const company = (await control.post<{ id: number }>('/yclients/_control/companies', { clients: 30, records: 300 })).id;
      const notFound = { success: false, data: null, meta: { message: 'Не найдено' } };
      await control.addFault({ path: `/yclients/api/v1/accounts/${company}`, kind: 'status', status: 404, body: notFound });
      await control.addFault({ path: `/yclients/api/v1/company/${company}/staff/positions`, kind: 'status', status: 404, body: notFound });
      try {
        await clearRequests();
        const r = await syncDone(company);
        // The faults were served.
        expect((await requestsTo(`/accounts/${company}`)).map((x) => x.status)).toEqual([404]);
        expect((await requestsTo(`/company/${company}/staff/positions`)).map((x) => x.status)).toEqual([404]);
        expect((r.progress.notes as LookupNote[]).map((n) => [n.lookup, n.status])).toEqual([
          [`GET /company/${company}/staff/positions/`, 404],
          [`GET /accounts/${company}`, 404],
        ]);
        expect((r.progress.notes as LookupNote[]).every((n) => typeof n.note === 'string' && n.note.includes('Не найдено'))).toBe(true);

        // Without the list: the registers the transactions name, with no type or comment.
        await expectYclientsTransactionsEqualToSource(pool, control, company, undefined, []);
        const positions = new Map<string, string>();
        for (const s of await yclientsSource<{ position?: { id: unknown; title: string } | unknown[] }>(control, company, 'staff'))
          if (s.position && !Array.isArray(s.position)) positions.set(String(s.position.id), s.position.title);
        expect(
          await q('SELECT id::text, title FROM yclients_positions WHERE company_id = $1 ORDER BY yclients_positions.id', [company]),
        ).toEqual([...positions].sort((a, b) => Number(a[0]) - Number(b[0])).map(([id, title]) => ({ id, title })));
      } finally {
        await control.clearFaults();
      }
      // The list answers again: registers take its type and comment.
      await syncDone(company);
      await expectYclientsTransactionsEqualToSource(pool, control, company);
    });

    it('"clients of category X" and "clients served by staff member Y" are index scans', async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        await client.query('ANALYZE yclients_client_category_links, yclients_record_staff');
        const plan = async (sql: string) =>
          ((await client.query(`EXPLAIN ${sql}`)).rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
        expect(await plan('SELECT client_id FROM yclients_client_category_links WHERE company_id = 176275 AND category_id = 4')).toMatch(
          /Index (Only )?Scan (using|on) yclients_client_category_links_company_id_category_id_clien/,
        );
        expect(await plan('SELECT DISTINCT client_id FROM yclients_record_staff WHERE company_id = 176275 AND staff_id = 1001500')).toMatch(
          /Index (Only )?Scan (using|on) yclients_record_staff_company_id_staff_id_client_id_idx/,
        );
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
    });

    it('rows appended at the end are picked up incrementally', async () => {
      for (const entity of ['clients', 'records', 'transactions']) {
        await control.post(`/yclients/_control/companies/176275/${entity}`, { position: 'end' });
      }
      await clearRequests();
      await syncDone(176275);
      await expectEqualToSource(176275);
      // The page holding the saved ordinal, and no page before it.
      expect((await requestsTo('/records/')).map((r) => Number(r.query.page))).toEqual(
        [5, 6].slice(0, (await requestsTo('/records/')).length),
      );
      expect((await requestsTo('/records/')).every((r) => Number(r.query.page) >= 5)).toBe(true);
    });

    it('a row inserted or deleted at the start resets the entity, and the result equals the source again', async () => {
      await control.post('/yclients/_control/companies/176275/clients', { position: 'start' });
      await control.post('/yclients/_control/companies/176275/transactions', { position: 'start' });
      await control.post('/yclients/_control/companies/176275/records/delete', { position: 'first', hard: true });
      await clearRequests();
      await syncDone(176275);
      await expectEqualToSource(176275);
      expect((await requestsTo('/records/')).some((r) => Number(r.query.page) === 1)).toBe(true);

      await control.post('/yclients/_control/companies/176275/clients/delete', { position: 'first' });
      await syncDone(176275);
      await expectEqualToSource(176275);
    });

    it('several thousand clients and records: equal to the source, and a second pass is one request per paginated entity', async () => {
      const company = (await control.post<{ id: number }>('/yclients/_control/companies', { clients: 3000, records: 3000 })).id;
      const r = await syncDone(company);
      expect(r.counts.clients).toBe(3000);
      await expectEqualToSource(company);
      await clearRequests();
      await syncDone(company);
      expect((await requestsTo('/clients/search')).length).toBe(1);
      expect((await requestsTo('/records/')).length).toBe(1);
    }, 180_000);

    it('survives the rate limit and server faults', async () => {
      const company = (await control.post<{ id: number }>('/yclients/_control/companies', { clients: 450, records: 700 })).id;
      await control.post('/yclients/_control/rate-limit', { enabled: true, perSecond: 5, perMinute: 200 });
      await control.addFault({ path: '/yclients/api/v1/records', kind: 'status', preset: 'yclients.server-error', every: 3, times: 2 });
      await control.addFault({ path: '/yclients/api/v1/company', kind: 'status', preset: 'yclients.rate-limit', times: 1 });
      try {
        await syncDone(company);
        await expectEqualToSource(company);
      } finally {
        await control.post('/yclients/_control/rate-limit', { enabled: false });
        await control.clearFaults();
      }
    }, 120_000);

    it('unstable transaction paging (ties on one date moving across page edges) still ends with exactly the source rows', async () => {
      const company = (
        await control.post<{ id: number }>('/yclients/_control/companies', { clients: 50, records: 1000, historyShare: 0.3 })
      ).id;
      await control.post('/yclients/_control/quirks', { unstableTransactions: true });
      try {
        const r = await syncDone(company);
        expect(r.counts.repairedDays).toBeGreaterThanOrEqual(1);
        await expectEqualToSource(company);
        const before = await fingerprint(company);
        await syncDone(company);
        expect(await fingerprint(company)).toEqual(before);
        await control.post(`/yclients/_control/companies/${company}/transactions`, { position: 'end' });
        await syncDone(company);
        await expectEqualToSource(company);
      } finally {
        await control.post('/yclients/_control/quirks', { unstableTransactions: false });
      }
    }, 60_000);

    it('a 401 logs in again once; forbidden companies fail clearly', async () => {
      await control.addFault({ path: '/yclients/api/v1/records', kind: 'status', preset: 'yclients.unauthorized', times: 1 });
      await syncDone(176277);
      await control.clearFaults();
      // Refused again after the one fresh login: a clear, final failure.
      await control.addFault({ path: '/yclients/api/v1/accounts', kind: 'status', preset: 'yclients.unauthorized' });
      const refused = await finished((await sync(176277)).body.parser_uuid);
      await control.clearFaults();
      expect(refused.state).toBe('failed');
      expect(refused.attempts).toBe(1);
      expect(refused.error).toContain('401');
      const { body } = await sync(176280);
      const r = await finished(body.parser_uuid);
      expect(r.state).toBe('failed');
      expect(r.error).toContain('403');
    });

    it('without credentials a run fails at once with a clear error, and no secret is ever in a run', async () => {
      const bare = Object.fromEntries(
        Object.entries(env).filter(([k]) => !['YCLIENTS_PARTNER_TOKEN', 'YCLIENTS_LOGIN', 'YCLIENTS_PASSWORD'].includes(k)),
      );
      const noCreds = await startStack({ ...bare, REDIS_PREFIX: `${env.REDIS_PREFIX}-nocreds` }, { workers: [sourceWorker('yclients')] });
      try {
        const { body } = await sync(176275, noCreds);
        const r = await finished(body.parser_uuid as string, 30_000, noCreds);
        expect(r.state).toBe('failed');
        expect(r.error).toContain('YCLIENTS_PARTNER_TOKEN is not configured');
        expect(r.attempts).toBe(1);
      } finally {
        await noCreds.close();
      }
      const runs = await q(`SELECT params::text || coalesce(error, '') || progress::text AS t FROM sync_runs WHERE source = 'yclients'`);
      for (const { t } of runs) {
        expect(t).not.toContain(env.YCLIENTS_PASSWORD);
        expect(t).not.toContain(env.YCLIENTS_PARTNER_TOKEN);
      }
    });

    it('a worker killed (SIGKILL) in the middle of records resumes from its checkpoint', async () => {
      const company = (await control.post<{ id: number }>('/yclients/_control/companies', { clients: 300, records: 3000 })).id;
      await control.addFault({ path: '/yclients/api/v1/records', kind: 'delay', delayMs: 300 });
      await clearRequests();
      // A gateway of its own (its own Redis prefix), so only the spawned processes take the run.
      const killEnv = { ...env, REDIS_PREFIX: `${env.REDIS_PREFIX}-kill`, WORKER_CONCURRENCY: '1' };
      const gateway = await startStack(killEnv, { workers: [] });
      const first = spawnWorker('worker-yclients', killEnv);
      spawned.push(first);
      const { body } = await sync(company, gateway);
      const id = body.parser_uuid;
      await waitFor(
        async () =>
          Number(((await run(id, gateway)).progress.entities as { records?: { page?: number } } | undefined)?.records?.page) >= 4
            ? true
            : undefined,
        { what: 'four pages of records', timeoutMs: 60_000 },
      );
      await first.stop('SIGKILL');
      const committed = (
        await q(
          `SELECT (state->>'ordinal')::int AS last_ordinal FROM stream_state WHERE source = 'yclients' AND scope = $1::text AND stream = 'records'`,
          [company],
        )
      )[0]!.last_ordinal as number;
      expect(committed).toBeGreaterThanOrEqual(800);

      const second = spawnWorker('worker-yclients', killEnv);
      spawned.push(second);
      const done = await finished(id, 120_000, gateway);
      expect(done.state).toBe('done');
      await control.clearFaults();
      await expectEqualToSource(company);
      const pages = (await requestsTo('/records/')).map((r) => Number(r.query.page));
      // Page 1 was asked for once: the second worker continued from the saved ordinal.
      expect(pages.filter((p) => p === 1).length).toBe(1);
      expect(second.lines.some((l) => l.msg === 'checkpoint row still in place; continuing after it')).toBe(true);
      await second.stop();
      await gateway.close();
    }, 120_000);
  });
}
