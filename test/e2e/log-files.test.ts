import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { closeLogger, createLogger, LOG_KEEP_DAYS, openDailyLog } from '@datasync/logger';
import { createTestDatabase, sandboxControl, spawnWorker, startStack, startTestSandbox, testEnv, waitFor } from '../helpers';

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
    const log = createLogger({ name: 'worker-itresume', level: 'info', logDir: dir });
    log.info({ stage: 'load' }, 'load started');
    const today = new Date();
    const stamp = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const file = path.join(dir, `worker-itresume.${stamp}.1.log`);
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
    expect(JSON.parse(text.trim().split('\n')[0]!)).toMatchObject({ app: 'worker-itresume', msg: 'load started', stage: 'load' });
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
      const ours = readdirSync(dir).filter((f) => f.startsWith('app.')).sort();
      expect(ours).toHaveLength(LOG_KEEP_DAYS);
      expect(ours.map((f) => f.replace(/\.1\.log$/, ''))).toEqual(expected);
    }
    expect(readdirSync(dir)).toContain('other-app.2026-03-27.1.log');
    const closed = once(stream, 'close');
    stream.end();
    await closed;
  });
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
  for (const f of [...kept, ...old.map((b) => `${app}.${dayBefore(b)}.1.log`), `${app}.${dayBefore(5)}.2.log`]) writeFileSync(path.join(dir, f), '{"msg":"old"}\n');
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
    const dir = tempDir();
    const db = await createTestDatabase();
    const sandbox = await startTestSandbox();
    const control = sandboxControl(sandbox.url);
    const creds = await control.get<{ client_id: string; client_secret: string; username: string; password: string }>('/datawiz/_control/credentials');
    const env = testEnv(db.url, sandbox.url, {
      DATAWIZ_CLIENT_ID: creds.client_id,
      DATAWIZ_CLIENT_SECRET: creds.client_secret,
      DATAWIZ_USERNAME: creds.username,
      DATAWIZ_PASSWORD: creds.password,
      LOG_DIR: dir,
    });
    const keep = plant(dir, 'worker-datawiz', [3, 10]);
    const stack = await startStack(env, { workers: [] });
    const worker = spawnWorker('worker-datawiz', env);
    try {
      await waitFor(() => worker.lines.find((l) => l.msg === 'datawiz worker consuming'), { timeoutMs: 30_000, what: 'the worker to start' });
      expect(worker.lines.find((l) => l.msg === 'old log files removed')?.removed).toEqual(
        [`worker-datawiz.${dayBefore(10)}.1.log`, `worker-datawiz.${dayBefore(3)}.1.log`, `worker-datawiz.${dayBefore(5)}.2.log`].sort(),
      );
      expect(readdirSync(dir).filter((f) => !f.startsWith(`worker-datawiz.${dayBefore(0)}.`)).sort()).toEqual(keep.filter((f) => !f.startsWith(`worker-datawiz.${dayBefore(0)}.`)));

      // The process keeps running past a day: files older than three days appear again (planted here).
      const stale = [`worker-datawiz.${dayBefore(4)}.1.log`, `worker-datawiz.${dayBefore(30)}.1.log`];
      for (const f of stale) writeFileSync(path.join(dir, f), '{"msg":"old"}\n');
      expect(stale.every((f) => existsSync(path.join(dir, f)))).toBe(true);
      const res = await fetch(`${stack.gateway.url}/api/datawiz/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const { parser_uuid: id } = (await res.json()) as { parser_uuid: string };
      const run = await waitFor(
        async () => {
          const r = (await (await fetch(`${stack.gateway.url}/api/runs/${id}`)).json()) as { state: string };
          return r.state === 'done' || r.state === 'failed' ? r : undefined;
        },
        { timeoutMs: 60_000, what: 'the datawiz run' },
      );
      expect(run.state).toBe('done');
      expect(stale.filter((f) => existsSync(path.join(dir, f)))).toEqual([]);
      expect(readdirSync(dir).filter((f) => !f.startsWith(`worker-datawiz.${dayBefore(0)}.`)).sort()).toEqual(keep.filter((f) => !f.startsWith(`worker-datawiz.${dayBefore(0)}.`)));
    } finally {
      await worker.stop();
      await stack.close();
      await sandbox.close();
      await db.drop();
    }
  }, 120_000);
});
