import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { closeLogger, createLogger, LOG_KEEP_DAYS, openDailyLog } from '@datasync/logger';
import pg from 'pg';
import {
  createTestDatabase,
  gatewayClient,
  sandboxControl,
  sourceNames,
  spawnWorker,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  workerApp,
} from '../helpers';
import { allSources } from '../reliability/sources';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'datasync-logs-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('daily log files (pino-roll, wired in @datasync/logger)', () => {
  it('createLogger({logDir}) writes <name>.YYYY-MM-DD.1.log', async () => {
    const dir = tempDir();
    const log = createLogger({ name: 'worker-sample', level: 'info', logDir: dir });
    log.info({ stage: 'load' }, 'load started');
    const today = new Date();
    const stamp = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const file = path.join(dir, `worker-sample.${stamp}.1.log`);
    const text = await waitFor(
      () => {
        log.flush();
        try {
          const t = readFileSync(file, 'utf8');
          return t.includes('load started') ? t : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 10_000, what: 'the log file' },
    );
    await closeLogger(log);
    expect(JSON.parse(text.trim().split('\n')[0]!)).toMatchObject({ app: 'worker-sample', msg: 'load started', stage: 'load' });
  });

  it('rolls at midnight and keeps only the last three days (fake clock)', async () => {
    const dir = tempDir();
    // Files left by earlier days (and earlier processes).
    for (const day of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']) writeFileSync(path.join(dir, `app.${day}.1.log`), 'old\n');
    writeFileSync(path.join(dir, 'other-app.2026-03-27.1.log'), 'not ours\n');
    vi.useFakeTimers({ now: new Date(2026, 3, 1, 23, 0, 0), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const stream = await openDailyLog(dir, 'app');
    if (!stream.file) await once(stream, 'ready');
    expect(path.basename(stream.file ?? '')).toBe('app.2026-04-01.1.log');
    stream.write('{"msg":"day one"}\n');

    for (const [day, expected] of [
      ['2026-04-02', ['app.2026-03-31', 'app.2026-04-01', 'app.2026-04-02']],
      ['2026-04-03', ['app.2026-04-01', 'app.2026-04-02', 'app.2026-04-03']],
    ] as const) {
      const cleaned = once(stream, 'cleanup-complete');
      const reopened = once(stream, 'ready');
      await vi.advanceTimersByTimeAsync(24 * 3600_000);
      await Promise.all([cleaned, reopened]);
      expect(path.basename(stream.file ?? '')).toBe(`app.${day}.1.log`);
      stream.write(`{"msg":"${day}"}\n`);
      const ours = readdirSync(dir)
        .filter((f) => f.startsWith('app.'))
        .sort();
      expect(ours).toHaveLength(LOG_KEEP_DAYS);
      expect(ours.map((f) => f.replace(/\.1\.log$/, ''))).toEqual(expected);
    }
    expect(readdirSync(dir)).toContain('other-app.2026-03-27.1.log');
    const closed = once(stream, 'close');
    stream.end();
    await closed;
  });
});

describe('every worker writes its daily log file under LOG_DIR', () => {
  it("each source's worker process, started as `pnpm start` starts it, writes worker-<source>.<day>.1.log", async () => {
    const dir = tempDir();
    const db = await createTestDatabase();
    const sandbox = await startTestSandbox();
    const env = testEnv(db.url, sandbox.url, { LOG_DIR: dir });
    const apps = sourceNames.map(workerApp);
    const workers = apps.map((app) => spawnWorker(app, env));
    try {
      expect(apps.length).toBeGreaterThan(0);
      for (const [i, app] of apps.entries()) {
        const worker = workers[i]!;
        await waitFor(() => (worker.lines.some((l) => String(l.msg).endsWith('worker consuming')) ? true : undefined), {
          timeoutMs: 60_000,
          what: `${app} to start`,
        }).catch((err: Error) => {
          throw new Error(`${err.message}; it printed: ${worker.output().slice(-2000)}`);
        });
        // The same line, in the file of today (pino-roll's name), with the app's name.
        const file = path.join(dir, `${app}.${dayBefore(0)}.1.log`);
        const first = await waitFor(
          () => {
            try {
              const line = readFileSync(file, 'utf8')
                .split('\n')
                .find((l) => l.includes('worker consuming'));
              return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 10_000, what: `${file}` },
        );
        expect(first, app).toMatchObject({ app, msg: expect.stringMatching(/worker consuming$/) });
      }
      expect(readdirSync(dir).sort()).toEqual(apps.map((app) => `${app}.${dayBefore(0)}.1.log`).sort());
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await sandbox.close();
      await db.drop();
    }
  }, 120_000);
});

/** The local calendar day `back` days before today, as pino-roll names files. */
const dayBefore = (back: number) => {
  const d = new Date();
  d.setDate(d.getDate() - back);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
/** Old, kept and foreign files in `dir`; returns the names that must survive a prune of `app`. */
function plant(dir: string, app: string, old: number[]): string[] {
  const kept = [0, 1, 2].map((b) => `${app}.${dayBefore(b)}.1.log`);
  for (const f of [...kept, ...old.map((b) => `${app}.${dayBefore(b)}.1.log`), `${app}.${dayBefore(5)}.2.log`])
    writeFileSync(path.join(dir, f), '{"msg":"old"}\n');
  // Another app's old file, and files that are not daily logs, are not ours to remove.
  const foreign = [`other-app.${dayBefore(9)}.1.log`, `${app}.notes.txt`, 'README'];
  for (const f of foreign) writeFileSync(path.join(dir, f), 'keep\n');
  return [...kept, ...foreign].sort();
}

describe('log retention without a midnight roll', () => {
  it('a logger with a log directory prunes files older than the last three days when it starts', async () => {
    const dir = tempDir();
    const keep = plant(dir, 'gateway', [3, 4, 40, 400]);
    expect(readdirSync(dir)).toHaveLength(keep.length + 5);
    const log = createLogger({ name: 'gateway', level: 'silent', logDir: dir });
    // Pruned before the first line: no wait on the roll at midnight.
    expect(readdirSync(dir).sort()).toEqual(keep);
    await closeLogger(log);
    expect(LOG_KEEP_DAYS).toBe(3);
  });

  it('a worker process prunes on start and again at each run (real process, real files with old dates)', async () => {
    // Any source of the reliability suite will do (its descriptor says how to give it credentials and a run).
    const source = allSources[0]!;
    const app = source.app;
    const dir = tempDir();
    const db = await createTestDatabase();
    const sandbox = await startTestSandbox();
    const control = sandboxControl(sandbox.url);
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const env = testEnv(db.url, sandbox.url, { ...(await source.env(control, sandbox.url)), LOG_DIR: dir });
    const keep = plant(dir, app, [3, 10]);
    const stack = await startStack(env, { workers: [] });
    const worker = spawnWorker(app, env);
    try {
      await waitFor(() => worker.lines.find((l) => String(l.msg).endsWith('worker consuming')), {
        timeoutMs: 30_000,
        what: 'the worker to start',
      });
      expect(worker.lines.find((l) => l.msg === 'old log files removed')?.removed).toEqual(
        [`${app}.${dayBefore(10)}.1.log`, `${app}.${dayBefore(3)}.1.log`, `${app}.${dayBefore(5)}.2.log`].sort(),
      );
      expect(
        readdirSync(dir)
          .filter((f) => !f.startsWith(`${app}.${dayBefore(0)}.`))
          .sort(),
      ).toEqual(keep.filter((f) => !f.startsWith(`${app}.${dayBefore(0)}.`)));

      // The process keeps running past a day: files older than three days appear again (planted here).
      const stale = [`${app}.${dayBefore(4)}.1.log`, `${app}.${dayBefore(30)}.1.log`];
      for (const f of stale) writeFileSync(path.join(dir, f), '{"msg":"old"}\n');
      expect(stale.every((f) => existsSync(path.join(dir, f)))).toBe(true);
      const api = gatewayClient(stack.gateway.url);
      const run = await api.finished(await api.submit((await source.prepare(control, pool)).submit));
      expect(run.state).toBe('done');
      expect(stale.filter((f) => existsSync(path.join(dir, f)))).toEqual([]);
      expect(
        readdirSync(dir)
          .filter((f) => !f.startsWith(`${app}.${dayBefore(0)}.`))
          .sort(),
      ).toEqual(keep.filter((f) => !f.startsWith(`${app}.${dayBefore(0)}.`)));
    } finally {
      await worker.stop();
      await stack.close();
      await pool.end();
      await sandbox.close();
      await db.drop();
    }
  }, 120_000);
});
