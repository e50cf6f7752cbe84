import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { startAvitoWorker } from '@datasync/worker-avito';
import { startYclientsWorker } from '@datasync/worker-yclients';
import { createTestDatabase, sandboxControl, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = 'cli-test-key-0123456789';

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let stack: Stack;
let sellers: string[];

/** `datasync <args>` as a user runs it (the package's bin), against the test gateway. */
function datasync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'packages/cli/bin/datasync.js'), ...args], {
    env: { ...process.env, ...stack.env, GATEWAY_URL: stack.gateway.url, GATEWAY_API_KEY: KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  const yclients = await control.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
  stack = await startStack(
    testEnv(db.url, sandbox.url, {
      GATEWAY_API_KEY: KEY,
      SCHEDULE_MIN_INTERVAL_SECONDS: '1',
      YCLIENTS_BASE_URL: `${sandbox.url}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: yclients.partnerToken,
      YCLIENTS_LOGIN: yclients.login,
      YCLIENTS_PASSWORD: yclients.password,
      YCLIENTS_REQUESTS_PER_SECOND: '1000',
      YCLIENTS_REQUESTS_PER_MINUTE: '100000',
    }),
    { workers: [startAvitoWorker, startYclientsWorker] },
  );
  const all = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
  sellers = all.filter((s) => s.active > 0).map((s) => s.hash);
});
afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
  await db?.drop();
});

describe('datasync command line', () => {
  it('sync --wait exits 0 when the run is done, and the run is there', async () => {
    const { code, stdout, stderr } = await datasync('sync', 'avito.user', '--user', sellers[0]!, '--wait');
    expect(code, stderr).toBe(0);
    const runId = stdout.trim().split('\n')[0]!;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stderr).toMatch(new RegExp(`run ${runId} done in [\\d.]+ s: \\{.*"listings":\\d+`));
    const run = (await (await fetch(`${stack.gateway.url}/api/runs/${runId}`, { headers: { 'x-api-key': KEY } })).json()) as {
      state: string;
    };
    expect(run.state).toBe('done');

    const runs = await datasync('runs', '--source', 'avito');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(`${runId}  done`);
    const one = await datasync('run', runId);
    expect(JSON.parse(one.stdout)).toMatchObject({ id: runId, state: 'done', percent: 100 });
  });

  it('sync --wait exits 1 with the error when the run fails', async () => {
    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 404 });
    const { code, stdout, stderr } = await datasync('sync', 'avito.user', '--user', sellers[1]!, '--wait');
    await control.clearFaults();
    expect(code).toBe(1);
    const runId = stdout.trim();
    expect(stderr).toMatch(new RegExp(`run ${runId} failed: .*404`));
    expect((await datasync('run', runId)).code).toBe(1);
    expect((await datasync('run', runId, '--log')).stdout).toContain('"msg":"run failed"');
  });

  it('exits 2 with the field errors on bad parameters, queueing nothing', async () => {
    const { code, stderr } = await datasync('sync', 'avito.user', '--user', 'nope', '--wait');
    expect(code).toBe(2);
    expect(stderr).toMatch(/params\.user: must be the 32 lowercase hex characters/);
    expect((await datasync('sync', 'nowhere')).stderr).toMatch(/source: must be one of/);
    // No SMTP on this gateway: an email target would never arrive, so it is refused.
    const mail = await datasync('sync', 'avito.user', '--user', sellers[0]!, '--notify-email', 'ops@example.test');
    expect(mail.code).toBe(2);
    expect(mail.stderr).toMatch(/notify\.email: cannot be sent: SMTP_HOST is not set/);
  });

  it('adds, lists and removes schedules', async () => {
    const added = await datasync('schedules', 'add', 'yclients', '--companyId', '42', '--cron', '0 6 * * *', '--tz', 'Europe/Moscow');
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.split(/\s+/)[0]!;
    const list = await datasync('schedules', 'list');
    expect(list.stdout).toMatch(new RegExp(`${id}  active  yclients.sync +cron '0 6 \\* \\* \\*' Europe/Moscow  next 20`));
    expect((await datasync('schedules', 'rm', id)).code).toBe(0);
    expect((await datasync('schedules', 'list')).stdout).not.toContain(id);
  });

  it('runs with no match says so, naming the filters', async () => {
    const none = await datasync('runs', '--source', 'datawiz', '--state', 'failed');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(
      'no runs with source datawiz, state failed (scheduled runs that found nothing are hidden; --idle lists them)\n',
    );
  });

  it('sync --wait shows one bar over the whole run: never back, below 100 until done, on each entity in turn', async () => {
    // Each page a little slow, so the bar is sampled inside every entity.
    await control.addFault({ path: '/yclients/api/v1', kind: 'delay', delayMs: 600 });
    const { code, stdout, stderr } = await datasync('sync', 'yclients', '--companyId', '176275', '--wait');
    await control.clearFaults();
    expect(code, stderr).toBe(0);
    const runId = stdout.trim();
    // Not a terminal: one line per change, `<percent>% | <state> | <entity> (<n> of <of>) | <counts>`.
    const lines = stderr.split('\n').filter((l) => /^\d+(\.\d+)?% \|/.test(l));
    const samples = lines.map((l) => {
      const [percent, state, stage] = l.split(' | ');
      const step = /^(\w+) \((\d+) of 9\)$/.exec(stage ?? '');
      return { percent: Number.parseFloat(percent!), state, entity: step?.[1], number: step ? Number(step[2]) : undefined };
    });
    expect(samples.length, stderr).toBeGreaterThan(3);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.percent, lines.join('\n')).toBeGreaterThanOrEqual(samples[i - 1]!.percent);
    expect(
      samples.filter((s) => s.state !== 'done').every((s) => s.percent < 100),
      lines.join('\n'),
    ).toBe(true);
    expect(samples.at(-1)).toMatchObject({ percent: 100, state: 'done', entity: 'expense_categories', number: 9 });
    // The entity shown moves forward through the plan, and the slow paged ones are each seen.
    const numbers = samples.flatMap((s) => (s.number === undefined ? [] : [s.number]));
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThanOrEqual(numbers[i - 1]!);
    const seen = new Set(samples.filter((s) => s.state === 'running').map((s) => s.entity));
    for (const entity of ['clients', 'records', 'transactions']) expect([...seen], lines.join('\n')).toContain(entity);
    expect(stderr).toContain(`run ${runId} done in`);
  });
});
