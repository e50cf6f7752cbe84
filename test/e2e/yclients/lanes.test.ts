import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { waitForRun, type OrError, type Run, type Submitted } from '@datasync/testkit';
import {
  createTestDatabase,
  sandboxControl,
  sourceWorker,
  startStack,
  startTestSandbox,
  testEnv,
  spawnWorker,
  waitFor,
  waitForLine,
  type Stack,
  type TestDatabase,
  type WorkerProcess,
} from '../../helpers';
import { expectYclientsEqualToSource } from './equal-to-source';
import { reliability } from './reliability';

/**
 * A full sync runs clients, records and (registers +) transactions as concurrent lanes, each on its
 * own pool connection; the run's counts are added by each page in SQL, so lanes committing at the
 * same moment never drop each other's additions; and a page updates the run's row last, so a lane
 * whose page waits on its own rows does not hold the others up.
 */
const PAGE = 50;

let db: TestDatabase;
let pool: pg.Pool;
let sandbox: RunningSandbox;
let stack: Stack;
let control: ReturnType<typeof sandboxControl>;
let env: Record<string, string>;
const spawned: WorkerProcess[] = [];

const submit = async (companyId: number, s: Stack = stack) => {
  const res = await fetch(`${s.gateway.url}/api/yclients/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ companyId }),
  });
  return ((await res.json()) as OrError<Submitted>).parser_uuid;
};
const run = async (id: string, s: Stack = stack) => (await (await fetch(`${s.gateway.url}/api/runs/${id}`)).json()) as Run;
const finished = (id: string, s: Stack = stack) => waitForRun(() => run(id, s), id, { timeoutMs: 120_000, intervalMs: 100 });
const newCompany = async () => (await control.post<{ id: number }>('/yclients/_control/companies', { clients: 260, records: 400 })).id;
const PAGED = ['clients', 'records', 'transactions'] as const;
const stored = async (table: string, companyId: number, live = '') =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE company_id = $1${live}`, [companyId])).rows[0]!.n;

/** How many backends wait for a lock `holder` holds. */
const blockedBy = async (holder: pg.PoolClient) => {
  const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]))
    .rows[0]!.n;
};

/**
 * Backends of the file's database waiting for a lock (the first waiter on a row waits for its
 * holder, later ones for the first waiter: pg_blocking_pids names only the next in line).
 */
const waitingForLocks = async () =>
  (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    )
  ).rows[0]!.n;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  env = testEnv(db.url, sandbox.url, await reliability.env(control, sandbox.url));
  expect(env.YCLIENTS_PAGE_SIZE).toBe(String(PAGE));
  stack = await startStack(env, { workers: [sourceWorker('yclients')] });
}, 60_000);
afterAll(async () => {
  await Promise.all(spawned.map((w) => w.stop('SIGKILL')));
  await stack?.close();
  await sandbox?.close();
  await pool?.end();
  await db?.drop();
});

describe('YClients paginated entities as concurrent lanes', () => {
  it('three lanes commit at the same moment; the run counts every page and row each stored, and the data equals the source', async () => {
    const company = await newCompany();
    // Slow pages: the lanes are still paging when the run's row is held below.
    await control.addFault({ path: '/yclients/api/v1', kind: 'delay', delayMs: 60 });
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    const id = await submit(company);
    await waitFor(async () => ((await run(id)).progress.stage === 'entities' ? true : undefined), {
      what: 'the lanes to start',
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    // Hold the run's row: every lane's next commit waits on it at once (sequential entities: one at
    // most). Released together, they commit together — snapshot counts would keep only the last.
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM sync_runs WHERE id = $1 FOR UPDATE', [id]);
      await waitFor(async () => ((await waitingForLocks()) >= 3 ? true : undefined), {
        what: 'three lanes of the run waiting to commit at once',
        timeoutMs: 20_000,
        intervalMs: 20,
      });
    } finally {
      await holder.query('COMMIT').catch(() => undefined);
      holder.release();
    }
    const done = await finished(id);
    await control.clearFaults();
    expect(done.error ?? null).toBeNull();
    expect(done.state).toBe('done');
    expect(done.progress.stage).toBe('done');

    // The entities' requests overlapped in time (the sandbox's request log).
    const { requests } = await control.requests('/yclients/api/v1');
    const pagesOf = (re: RegExp) => requests.filter((r) => re.test(r.path) && reliability.isPage(r)).map((r) => [r.at, r.at + (r.ms ?? 0)]);
    const [clients, records, transactions] = [/\/clients\/search$/, /\/records\/\d+$/, /\/transactions\/\d+$/].map(pagesOf);
    const overlap = (a: number[][], b: number[][]) => a.some(([s1, e1]) => b.some(([s2, e2]) => s1! < e2! && s2! < e1!));
    expect(overlap(clients!, records!)).toBe(true);
    expect(overlap(records!, transactions!)).toBe(true);
    expect(overlap(clients!, transactions!)).toBe(true);

    // Counts are what each lane stored, and pages every page of the three (fresh company: no resume).
    const rows = {
      clients: await stored('yclients_clients', company, ' AND deleted_at IS NULL'),
      records: await stored('yclients_records', company, ' AND deleted_at IS NULL'),
      transactions: await stored('yclients_transactions', company),
    };
    for (const n of Object.values(rows)) expect(n).toBeGreaterThan(2 * PAGE);
    expect({ clients: done.counts.clients, records: done.counts.records, transactions: done.counts.transactions }).toEqual(rows);
    const pages = Object.values(rows).reduce((sum, n) => sum + Math.ceil(n / PAGE), 0);
    expect(done.counts.pages).toBe(pages);
    // The stored run row says the same as the answer (the worker's own tally and the SQL sums agree).
    const row = (await pool.query<{ counts: Record<string, number> }>('SELECT counts FROM sync_runs WHERE id = $1', [id])).rows[0]!;
    expect(row.counts).toEqual(done.counts);
    await expectYclientsEqualToSource(pool, control, company);
  }, 150_000);

  it("a lane whose page waits on its own rows leaves the run's row free: the other lanes keep committing", async () => {
    const company = await newCompany();
    await control.addFault({ path: '/yclients/api/v1', kind: 'delay', delayMs: 60 });
    const id = await submit(company);
    const holder = await pool.connect();
    try {
      // A complete pass saves the records' stream state before its first page: hold that row, so
      // the records lane's next page statement waits on it.
      await waitFor(
        async () =>
          (
            await pool.query(`SELECT 1 FROM stream_state WHERE source = 'yclients' AND stream = 'records' AND scope = $1::text`, [
              String(company),
            ])
          ).rowCount
            ? true
            : undefined,
        { what: "the records lane's stream state", timeoutMs: 60_000, intervalMs: 10 },
      );
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM stream_state WHERE source = 'yclients' AND stream = 'records' AND scope = $1::text FOR UPDATE`, [
        String(company),
      ]);
      const recordsWaiting = async () => (await blockedBy(holder)) > 0;
      await waitFor(async () => ((await recordsWaiting()) ? true : undefined), {
        what: 'a records page waiting on its stream state',
        timeoutMs: 20_000,
        intervalMs: 20,
      });
      // While it waits, the run's row can be locked (the page has not reached its update) and the
      // other lanes' pages still add to the counts.
      const before = (await run(id)).counts.pages ?? 0;
      const probe = await pool.connect();
      try {
        await probe.query('BEGIN');
        await probe.query(`SET LOCAL lock_timeout = '3s'`);
        await probe.query('SELECT 1 FROM sync_runs WHERE id = $1 FOR UPDATE', [id]);
      } finally {
        await probe.query('ROLLBACK').catch(() => undefined);
        probe.release();
      }
      await waitFor(async () => (((await run(id)).counts.pages ?? 0) > before ? true : undefined), {
        what: 'other lanes committing while records wait',
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      expect(await recordsWaiting()).toBe(true);
    } finally {
      await holder.query('COMMIT').catch(() => undefined);
      holder.release();
    }
    const done = await finished(id);
    await control.clearFaults();
    expect(done.state).toBe('done');
    await expectYclientsEqualToSource(pool, control, company);
  }, 150_000);
  it('a lane that fails waits for the others: they finish their entity before the run is marked failed, and none writes after', async () => {
    const company = await newCompany();
    // Records refused at once (a 4xx: final), the other lanes slow.
    await control.addFault([
      { path: `/yclients/api/v1/records/${company}`, kind: 'status', status: 400 },
      { path: '/yclients/api/v1', kind: 'delay', delayMs: 80 },
    ]);
    const id = await submit(company);
    const failed = await finished(id);
    await control.clearFaults();
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/records/);
    // Clients and transactions were read to their end before the failure was recorded...
    const { companies } = await control.get<{ companies: { id: number; clients: number; transactions: number }[] }>(
      '/yclients/_control/companies',
    );
    const source = companies.find((c) => c.id === company)!;
    expect(await stored('yclients_clients', company, ' AND deleted_at IS NULL')).toBe(source.clients);
    expect(await stored('yclients_transactions', company)).toBe(source.transactions);
    // ...and every stream state write came before the run's end.
    const { rows } = await pool.query<{ after: number }>(
      `SELECT count(*)::int AS after FROM stream_state s, sync_runs r
       WHERE s.source = 'yclients' AND s.scope = $1::text AND r.id = $2 AND s.updated_at > r.finished_at`,
      [String(company), id],
    );
    expect(rows[0]!.after).toBe(0);
  }, 150_000);

  it('SIGTERM: every lane stops after its page, the run goes back unspent, and the next worker resumes each entity from its own state', async () => {
    const company = await newCompany();
    await control.addFault({ path: '/yclients/api/v1', kind: 'delay', delayMs: 250 });
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    // Its own gateway and Redis prefix: only the spawned processes take the run. One attempt: a spent one fails the run.
    const drainEnv = {
      ...env,
      REDIS_PREFIX: `${env.REDIS_PREFIX}-drain`,
      WORKER_CONCURRENCY: '1',
      JOB_ATTEMPTS: '1',
      SHUTDOWN_GRACE_MS: '20000',
    };
    const gateway = await startStack(drainEnv, { workers: [] });
    try {
      const first = spawnWorker('worker-yclients', drainEnv);
      spawned.push(first);
      await waitForLine(first, 'yclients worker consuming', 60_000);
      const id = await submit(company, gateway);
      const pageOf = (r: Run, e: string) => Number((r.progress.entities as Record<string, { page?: number }> | undefined)?.[e]?.page ?? 0);
      await waitFor(async () => ((r) => (PAGED.every((e) => pageOf(r, e) >= 2) ? true : undefined))(await run(id, gateway)), {
        what: 'two pages of each entity',
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      const signalled = Date.now();
      await first.stop('SIGTERM');
      // Each lane stopped after the page it was on: long before the grace time's deadline.
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(first.lines.some((l) => l.msg === 'run handed back')).toBe(true);
      const back = await run(id, gateway);
      expect(back.state).toBe('queued');
      const saved = await pool.query<{ stream: string; ordinal: number }>(
        `SELECT stream, (state->>'ordinal')::int AS ordinal FROM stream_state WHERE source = 'yclients' AND scope = $1::text`,
        [String(company)],
      );
      for (const e of PAGED) expect(saved.rows.find((r) => r.stream === e)?.ordinal ?? 0, e).toBeGreaterThanOrEqual(2 * PAGE);

      const second = spawnWorker('worker-yclients', drainEnv);
      spawned.push(second);
      const done = await finished(id, gateway);
      await control.clearFaults();
      expect(done.error ?? null).toBeNull();
      expect(done.state).toBe('done');
      await expectYclientsEqualToSource(pool, control, company);
      // Page 1 of every entity was asked once: the second worker continued each from its own saved
      // ordinal (a request cut off by the exit has no page in the log: its body was never read).
      const { requests } = await control.requests('/yclients/api/v1');
      for (const re of [/\/clients\/search$/, /\/records\/\d+$/, /\/transactions\/\d+$/]) {
        const firstPages = requests.filter(
          (r) => re.test(r.path) && reliability.isPage(r) && Number((r.body as { page?: number } | undefined)?.page ?? r.query.page) === 1,
        );
        expect(firstPages.length, String(re)).toBe(1);
      }
      // Counts over both attempts: each row once (a resumed page counts only rows past the saved ordinal).
      expect({ clients: done.counts.clients, records: done.counts.records, transactions: done.counts.transactions }).toEqual({
        clients: await stored('yclients_clients', company, ' AND deleted_at IS NULL'),
        records: await stored('yclients_records', company, ' AND deleted_at IS NULL'),
        transactions: await stored('yclients_transactions', company),
      });
      await second.stop();
    } finally {
      await gateway.close();
    }
  }, 150_000);
});
