import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, sandboxControl, startTestSandbox, waitFor, type TestDatabase } from '../helpers';
import type { Run } from '@datasync/testkit';
import { startMarketplaceStack } from '../helpers/marketplaces';

/**
 * The marketplace pollers run every second here, as they do (every minute) under `pnpm start`:
 * their runs that found nothing must not bury the runs a person started, in the API, the CLI and
 * the queue (Bull Board's lists).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = 'run-lists-key-0123456789';
let db: TestDatabase;
let pool: pg.Pool;
let sandbox: RunningSandbox;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;
let manual: string[];

interface Row {
  id: string;
  scheduled: boolean;
  idle: boolean;
  state: string;
  job: string;
  createdAt: Date;
}

/** Every run as the database holds it, read straight from the columns (not through the code under test). */
async function allRuns(): Promise<Row[]> {
  const { rows } = await pool.query(
    `SELECT id, scheduled_for IS NOT NULL AS scheduled, COALESCE(progress->>'idle', '') = 'true' AS idle, state::text, job_name AS job, created_at AS "createdAt"
     FROM sync_runs ORDER BY created_at`,
  );
  return rows as Row[];
}

function datasync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'packages/cli/bin/datasync.js'), ...args], {
    env: { ...process.env, ...mp.stack.env, GATEWAY_URL: mp.stack.gateway.url, GATEWAY_API_KEY: KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const ids = (runs: { id: string }[]) => new Set(runs.map((r) => r.id));

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  sandbox = await startTestSandbox();
  mp = await startMarketplaceStack(db.url, sandbox.url, { GATEWAY_API_KEY: KEY, MARKETPLACES_POLL_INTERVAL_MS: '1000' });
  // A person's runs: the catalogue, then a poll of each marketplace (the baseline).
  manual = [(await mp.run('/api/marketplaces/catalog')).id];
  // (kind: orders — the schedules poll both kinds, so these are never deduplicated into a scheduled run)
  for (const marketplace of ['ozon', 'wb', 'ym']) manual.push((await mp.run('/api/marketplaces/poll', { marketplace, kind: 'orders' })).id);
  // A new Ozon order: the next scheduled Ozon poll finds it (a scheduled run that did something).
  const item = (await sandboxControl(sandbox.url).get<{ items: { ozon: { offerId: string } }[] }>('/ozon/_control/catalog')).items[0]!;
  await sandboxControl(sandbox.url).post('/ozon/_control/postings', { items: [{ offer_id: item.ozon.offerId, quantity: 1 }] });
  await waitFor(
    async () => {
      const runs = await allRuns();
      const busy = runs.some((r) => r.scheduled && r.state === 'done' && !r.idle && r.job === 'marketplaces.poll');
      return busy && runs.filter((r) => r.scheduled && r.idle).length >= 6 ? true : undefined;
    },
    { timeoutMs: 60_000, what: 'idle scheduled polls and pushes, and a scheduled poll that found the order' },
  );
}, 120_000);

afterAll(async () => {
  await mp?.stack.close();
  await sandbox?.close();
  await pool?.end();
  await db?.drop();
});

describe('run lists: manual runs are not buried under the pollers', () => {
  it('GET /api/runs leaves out scheduled runs that found nothing, filters by trigger, and idle=true shows everything', async () => {
    // Runs created before `cut` and all ended: a snapshot that no later poll changes.
    // (the pollers keep adding runs: wait for one after the manual runs and everything before it ended)
    const cut = await waitFor(async () => {
      const runs = await allRuns();
      const last = runs.at(-1)!.createdAt;
      const earlier = runs.filter((r) => r.createdAt < last);
      const ended = earlier.every((r) => r.state === 'done' || r.state === 'failed');
      return ended && manual.every((id) => earlier.some((r) => r.id === id)) ? last : undefined;
    });
    const before = (await allRuns()).filter((r) => r.createdAt < cut);
    const list = async (query: string) => {
      const res = await mp.api('GET', `/api/runs?limit=200&before=${encodeURIComponent(cut.toISOString())}${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.runs as Run[];
    };
    const idle = before.filter((r) => r.scheduled && r.state === 'done' && r.idle);
    expect(idle.length).toBeGreaterThan(0);
    expect(before.some((r) => r.scheduled && !r.idle)).toBe(true);

    expect(ids(await list(''))).toEqual(ids(before.filter((r) => !idle.includes(r))));
    expect(ids(await list('&idle=true'))).toEqual(ids(before));
    expect(ids(await list('&trigger=manual'))).toEqual(ids(before.filter((r) => !r.scheduled)));
    expect(ids(await list('&trigger=schedule'))).toEqual(ids(before.filter((r) => r.scheduled && !idle.includes(r))));
    expect(ids(await list('&trigger=schedule&idle=true'))).toEqual(ids(before.filter((r) => r.scheduled)));
    const manualListed = ids(await list('&trigger=manual'));
    for (const id of manual)
      expect(manualListed.has(id), JSON.stringify({ id, row: (await allRuns()).find((r) => r.id === id), cut })).toBe(true);

    // Each run says who started it and whether it was idle.
    const shown = new Map((await list('&idle=true')).map((r) => [r.id, r]));
    for (const r of before) expect(shown.get(r.id)).toMatchObject({ trigger: r.scheduled ? 'schedule' : 'manual', idle: idle.includes(r) });

    const bad = await mp.api('GET', '/api/runs?trigger=cron&idle=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'trigger', message: 'must be manual or schedule' },
        { field: 'idle', message: 'must be true or false' },
      ]),
    );
  });

  it('datasync runs: --trigger filters, --idle shows the polls that found nothing', async () => {
    const runs = await allRuns();
    const idle = runs.find((r) => r.scheduled && r.idle && r.state === 'done')!;
    const busy = runs.find((r) => r.scheduled && !r.idle && r.state === 'done')!;
    const listed = async (...args: string[]) => {
      const out = await datasync('runs', '--limit', '200', ...args);
      expect(out.code, out.stderr).toBe(0);
      return out.stdout;
    };
    const plain = await listed();
    expect(plain).toContain(`${manual[0]}  done`);
    expect(plain).toContain(busy.id);
    expect(plain).not.toContain(idle.id);
    expect(await listed('--idle')).toContain(idle.id);
    const manualOnly = await listed('--trigger', 'manual');
    for (const id of manual) expect(manualOnly).toMatch(new RegExp(`${id}  done +marketplaces\\.\\w+ +manual`));
    expect(manualOnly).not.toContain(busy.id);
    expect(await listed('--trigger', 'schedule')).toMatch(new RegExp(`${busy.id}  done +marketplaces\\.poll +schedule`));
    const bad = await datasync('runs', '--trigger', 'cron');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('trigger: must be manual or schedule');
  });

  it('the queue keeps no job of an idle scheduled run (Bull Board lists what a person would look for)', async () => {
    const runs = await allRuns();
    const redis = new Redis(mp.stack.env.REDIS_URL!, { maxRetriesPerRequest: null });
    const queue = new Queue('marketplaces', { connection: redis, prefix: mp.stack.env.REDIS_PREFIX });
    try {
      const idle = runs.filter((r) => r.scheduled && r.idle && r.state === 'done').map((r) => r.id);
      // The worker drops the job once it completes; wait until every ended idle run's job is gone.
      await waitFor(
        async () => ((await Promise.all(idle.map((id) => queue.getJob(id)))).every((j) => j === undefined) ? true : undefined),
        {
          what: 'idle jobs removed',
        },
      );
      const completed = ids((await queue.getJobs(['completed'], 0, 1000)) as { id: string }[]);
      for (const id of manual) expect(completed.has(id)).toBe(true);
      for (const id of idle) expect(completed.has(id)).toBe(false);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
