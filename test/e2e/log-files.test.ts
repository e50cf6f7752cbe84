import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { closeLogger, createLogger, LOG_KEEP_DAYS, openDailyLog } from '@datasync/logger';
import { waitFor } from '../helpers';

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
