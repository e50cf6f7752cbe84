import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { RunningSandbox } from '@datasync/sandbox';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '@datasync/logger';
import { opsQueues } from '@datasync/queues';
import { closeQueues, createQueues, runScheduleTick } from '@datasync/runs';
import { catalog } from '@datasync/sources';
// The worker's own functions, from its folder: the tests depend on sources only through the registry.
import { dailyStats, parsePythonDict, yesterdayIn, cronOf, DAILY_SCHEDULE_ID } from '../../apps/worker-itresume/src/index';
import { sourceWorker } from '../helpers';
import {
  createTestDatabase,
  sandboxControl,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  waitForRun,
  type Run,
  type Stack,
  type Submitted,
  type TestDatabase,
} from '../helpers';

interface Fact {
  date: string;
  attempts: number;
  correct: number;
  incorrect: number;
  uniqueUsers: number;
  run: number;
  submit: number;
  served: number;
  malformed: { total: number; byKind: Record<string, number> };
}
interface Mail {
  from: string;
  to: string[];
  body: string;
}

const SPREADSHEET = 'itresume-daily-test';
let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let control: ReturnType<typeof sandboxControl>;
let smtp: SMTPServer;
let smtpPort: number;
const mails: Mail[] = [];
let dir: string;

function writeKeyFile(tokenUri: string): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const file = path.join(dir, 'service-account.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'datasync-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey,
      client_email: 'datasync@datasync-test.iam.gserviceaccount.com',
      token_uri: tokenUri,
    }),
    { mode: 0o600 },
  );
  return file;
}

/** Our API; the body typed as the caller says. */
const api = async <T = unknown>(method: string, p: string, body?: unknown) => {
  const res = await fetch(`${stack.gateway.url}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
};
/** An attempt as the fake serves it on the wire (`/itresume/_control/attempts`). */
interface ServedAttempt {
  lti_user_id: string;
  created_at: unknown;
  attempt_type: string;
  passback_params: string;
  is_correct: unknown;
}

const runToFinish = (id: string) => waitForRun(async () => (await api<Run>('GET', `/api/runs/${id}`)).body, id);
const sync = async (start: string, end: string) => {
  const submitted = await api<Submitted>('POST', '/api/itresume/sync', { start, end });
  expect(submitted.status).toBe(200);
  expect(submitted.body).toEqual({ status: 'ok', parser_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  return runToFinish(submitted.body.parser_uuid);
};
const facts = async (from: string, to: string) =>
  (await control.get<{ days: Fact[] }>(`/itresume/_control/facts?from=${from}&to=${to}`)).days;
const count = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM itresume_attempts')).rows[0]!.n);

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  dir = mkdtempSync(path.join(tmpdir(), 'itresume-test-'));
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          body,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;
  const creds = await control.get<{ client: string; client_key: string }>('/itresume/_control/credentials');
  await control.post('/sheets/_control/spreadsheets', { spreadsheetId: SPREADSHEET, title: 'IT Resume daily', sheets: ['Daily'] });
  stack = await startStack(
    testEnv(db.url, sandbox.url, {
      ITRESUME_BASE_URL: `${sandbox.url}/itresume`,
      ITRESUME_CLIENT: creds.client,
      ITRESUME_CLIENT_KEY: creds.client_key,
      GOOGLE_SERVICE_ACCOUNT_FILE: writeKeyFile(`${sandbox.url}/sheets/token`),
      GOOGLE_SHEETS_SPREADSHEET_ID: SPREADSHEET,
      GOOGLE_SHEETS_SHEET_NAME: 'Daily',
      GOOGLE_SHEETS_BASE_URL: `${sandbox.url}/sheets/`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      REPORT_RECIPIENTS: 'partner@university.test, ops@university.test',
    }),
    { workers: [sourceWorker('itresume')] },
  );
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await pool?.end();
  await sandbox?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('IT Resume load', () => {
  it('loads exactly the well-formed attempts of a window with parsed columns, counting the malformed', async () => {
    const run = await sync('2026-04-01', '2026-04-02');
    expect(run.error).toBeNull();
    expect(run.state).toBe('done');
    const days = await facts('2026-04-01', '2026-04-02');
    const wellFormed = days.reduce((s, d) => s + d.attempts, 0);
    const malformed = days.reduce((s, d) => s + d.malformed.total, 0);
    expect(await count()).toBe(wellFormed);
    expect(run.counts).toMatchObject({
      fetched: wellFormed + malformed,
      valid: wellFormed,
      inserted: wellFormed,
      skipped: malformed,
      days: 2,
    });
    const byKind: Record<string, number> = {};
    for (const d of days)
      for (const [k, n] of Object.entries(d.malformed.byKind)) if (n > 0) byKind[`skipped_${k}`] = (byKind[`skipped_${k}`] ?? 0) + n;
    expect(Object.fromEntries(Object.entries(run.counts as Record<string, number>).filter(([k]) => k.startsWith('skipped_')))).toEqual(
      byKind,
    );
    expect(JSON.stringify(run.params)).not.toContain('SBX7Q2');
    expect(JSON.stringify(run)).not.toContain('SBX7Q2');
    // The malformed items are one warning in the run's log, counted by reason, not a line each.
    const log = (
      await api<{ lines: { level: number; msg: string; total?: number; byReason?: Record<string, number> }[] }>(
        'GET',
        `/api/runs/${run.id}/log`,
      )
    ).body;
    const warnings = log.lines.filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/^skipped malformed attempts: \d+ \(/)]);
    expect(warnings[0]).toMatchObject({ total: malformed });
    expect(Object.fromEntries(Object.entries(warnings[0]!.byReason!).map(([k, n]) => [`skipped_${k}`, n]))).toEqual(byKind);

    // Parsed columns agree with the served items.
    const served = await control.get<{ items: ServedAttempt[]; malformed: { index: number }[] }>(
      `/itresume/_control/attempts?start=${encodeURIComponent('2026-04-01 00:00:00')}&end=${encodeURIComponent('2026-04-01 23:59:59.999999')}`,
    );
    const bad = new Set(served.malformed.map((m) => m.index));
    const sample = served.items.find((it, i) => !bad.has(i) && it.attempt_type === 'submit')!;
    const { rows } = await pool.query(
      `SELECT lti_user_id, course_key, task_id, lms_host, oauth_consumer_key, lis_outcome_service_url, is_correct, attempt_type,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created
         FROM itresume_attempts WHERE lti_user_id = $1 AND created_at = ($2 || '+00')::timestamptz AND attempt_type = 'submit'`,
      [sample.lti_user_id, sample.created_at],
    );
    expect(rows).toHaveLength(1);
    const pb = parsePythonDict(sample.passback_params)!;
    const m = /^course-v1:([^:]+):(.+)-([0-9a-f]{32}):([^:]+)$/.exec(pb.lis_result_sourcedid!)!;
    expect(rows[0]).toMatchObject({
      lti_user_id: sample.lti_user_id,
      course_key: m[1],
      lms_host: m[2],
      task_id: m[3],
      oauth_consumer_key: pb.oauth_consumer_key || null,
      lis_outcome_service_url: pb.lis_outcome_service_url,
      is_correct: sample.is_correct === 1 || sample.is_correct === true,
      attempt_type: 'submit',
    });
    expect(rows[0].created.startsWith(String(sample.created_at))).toBe(true);
  });

  it('adds nothing when the same window is loaded again', async () => {
    const before = await count();
    const run = await sync('2026-04-01', '2026-04-02');
    expect(run.state).toBe('done');
    expect(run.counts.inserted).toBe(0);
    expect(await count()).toBe(before);
  });

  it('computes daily aggregates from the database that match the fake', async () => {
    await sync('2026-04-03', '2026-04-05');
    const ours = await dailyStats(pool, '2026-04-01', '2026-04-05');
    const truth = await facts('2026-04-01', '2026-04-05');
    expect(
      ours.map((d) => ({
        date: d.date,
        attempts: d.attempts,
        correct: d.successful,
        uniqueUsers: d.uniqueUsers,
        run: d.runAttempts,
        submit: d.submitAttempts,
      })),
    ).toEqual(
      truth.map((f) => ({
        date: f.date,
        attempts: f.attempts,
        correct: f.correct,
        uniqueUsers: f.uniqueUsers,
        run: f.run,
        submit: f.submit,
      })),
    );
  });

  it('keeps one sheet row per date after exporting twice', async () => {
    const grid = await control.get<{ sheets: { title: string; values: unknown[][] }[] }>(
      `/sheets/_control/spreadsheets/${SPREADSHEET}?sheet=Daily`,
    );
    const values = grid.sheets[0]!.values;
    expect(values[0]).toEqual([
      'date',
      'total_attempts',
      'successful_attempts',
      'unique_users',
      'run_attempts',
      'submit_attempts',
      'success_rate',
    ]);
    const dates = values.slice(1).map((r) => r[0]);
    expect(dates).toEqual(['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05']);
    const truth = await facts('2026-04-01', '2026-04-05');
    expect(values.slice(1).map((r) => Number(r[1]))).toEqual(truth.map((f) => f.attempts));
  });

  it('emails the report to the recipients', async () => {
    await waitFor(() => (mails.length >= 3 ? true : undefined), { what: 'three report emails' });
    const last = mails[mails.length - 1]!;
    expect(last.to.sort()).toEqual(['ops@university.test', 'partner@university.test']);
    expect(last.body).toContain('IT Resume load 2026-04-03..2026-04-05: OK');
    expect(last.body).toContain('2026-04-03');
    expect(last.body).not.toContain('SBX7Q2');
  });

  it('reports a failed run by email too', async () => {
    await control.addFault({ path: '/itresume/api/statistics', kind: 'status', preset: 'itresume.internal-error' });
    try {
      const before = mails.length;
      const run = await sync('2026-04-06', '2026-04-06');
      expect(run.state).toBe('failed');
      await waitFor(() => (mails.length > before ? true : undefined), { what: 'failure email' });
      expect(mails[mails.length - 1]!.body).toContain('FAILED');
    } finally {
      await control.clearFaults();
    }
  });

  it("skips an attempt whose created_at is an impossible calendar date, counted with its reason, and keeps the day's good rows", async () => {
    const day = '2026-04-09';
    const added = await control.post<{ added: number; items: ServedAttempt[] }>('/itresume/_control/attempts', {
      date: day,
      count: 3,
      defect: 'impossible_date',
    });
    // The fault is on the wire: the 31st of April, which Date.parse takes and PostgreSQL refuses.
    expect(added.items.map((i) => String(i.created_at).slice(0, 10))).toEqual(['2026-04-31', '2026-04-31', '2026-04-31']);
    expect(Number.isNaN(Date.parse(String(added.items[0]!.created_at).replace(' ', 'T') + 'Z'))).toBe(false);
    const [truth] = await facts(day, day);
    expect(truth!.malformed.byKind.impossible_date).toBe(3);

    const run = await sync(day, day);
    expect(run.error).toBeNull();
    expect(run.state).toBe('done');
    expect(run.counts.skipped_impossible_date).toBe(3);
    expect(run.counts).toMatchObject({ fetched: truth!.served, valid: truth!.attempts, skipped: truth!.malformed.total });
    // Every well-formed item of the day is stored (the impossible ones did not take the day down).
    const served = await control.get<{ items: ServedAttempt[]; malformed: { index: number }[] }>(
      `/itresume/_control/attempts?start=${encodeURIComponent(`${day} 00:00:00`)}&end=${encodeURIComponent(`${day} 23:59:59.999999`)}`,
    );
    const bad = new Set(served.malformed.map((m) => m.index));
    const micros = (t: string) => (t.includes('.') ? t.padEnd(26, '0') : `${t}.000000`);
    const expected = served.items
      .filter((_, i) => !bad.has(i))
      .map((it) => `${it.lti_user_id} ${micros(String(it.created_at))} ${it.attempt_type}`);
    const stored = await pool.query<{ k: string }>(
      `SELECT lti_user_id || ' ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' ' || attempt_type AS k
         FROM itresume_attempts WHERE created_at >= $1::timestamptz AND created_at < $1::timestamptz + interval '1 day'`,
      [`${day} 00:00:00+00`],
    );
    expect(expected).toHaveLength(truth!.attempts);
    expect(stored.rows.map((r) => r.k).sort()).toEqual(expected.sort());
  });

  it('refuses bad windows with 400', async () => {
    expect((await api('POST', '/api/itresume/sync', { start: '2026-04-05', end: '2026-04-01' })).status).toBe(400);
    // A window longer than 92 days is a backfill now (test/e2e/resync/itresume-backfill.test.ts), not a 400.
    expect((await api('POST', '/api/itresume/sync', { start: '2026-02-30', end: '2026-03-01' })).status).toBe(400);
  });

  it('schedules the daily run once, in the configured zone, however many workers start, and a tick loads yesterday there', async () => {
    const second = await sourceWorker('itresume')(stack.config, createLogger({ name: 'second', level: 'silent' }));
    const redis = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(opsQueues.schedules, { connection: redis, prefix: stack.config.REDIS_PREFIX });
    const queues = createQueues(catalog, redis, stack.config.REDIS_PREFIX);
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: DAILY_SCHEDULE_ID, pattern: '0 6 * * *', tz: 'Europe/Moscow' });
      const shown = await api('GET', `/api/schedules/${DAILY_SCHEDULE_ID}`);
      expect(shown.body).toMatchObject({
        state: 'active',
        job: 'itresume.sync',
        cron: '0 6 * * *',
        timezone: 'Europe/Moscow',
        params: { start: '{{yesterday}}' },
      });
      // The tick of 06:00 in Moscow on April 2 (03:00 UTC) loads April 1.
      const tick = await runScheduleTick(
        { pool, queues, queue, log: createLogger({ name: 'tick', level: 'silent' }) },
        DAILY_SCHEDULE_ID,
        new Date('2026-04-02T03:00:00Z'),
      );
      expect(tick.outcome).toBe('submitted');
      const run = await runToFinish(tick.runId!);
      expect(run).toMatchObject({
        state: 'done',
        jobName: 'itresume.sync',
        params: { start: '2026-04-01', end: '2026-04-01' },
        scheduleId: DAILY_SCHEDULE_ID,
      });
    } finally {
      await closeQueues(queues);
      await queue.close();
      redis.disconnect();
      await second.close();
    }
    expect(cronOf('06:00')).toBe('0 6 * * *');
    expect(yesterdayIn('Europe/Moscow', new Date('2026-04-02T21:30:00Z'))).toBe('2026-04-02');
    expect(yesterdayIn('UTC', new Date('2026-04-02T21:30:00Z'))).toBe('2026-04-01');
  });
});
