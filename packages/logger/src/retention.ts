import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** How many daily files a log directory keeps (today's included). */
export const LOG_KEEP_DAYS = 3;

/** `<name>.YYYY-MM-DD.<n>.log`, what pino-roll writes (see rollOptions). */
const DAILY_SUFFIX = /^(\d{4}-\d{2}-\d{2})\.\d+\.log$/;

const localDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/**
 * Deletes the daily log files of app `name` in `logDir` dated before the last LOG_KEEP_DAYS local
 * days (today and the two before it), and returns their names. pino-roll only prunes when its file
 * rolls at midnight, so a process started each day (or stopped before midnight) never would: every
 * app prunes when it starts, and the workers again at each run. Other apps' files and files of
 * any other shape are left alone; a missing directory is nothing to prune.
 */
export function pruneLogFiles(logDir: string, name: string, now: Date = new Date()): string[] {
  const oldestKept = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (LOG_KEEP_DAYS - 1));
  const cutoff = localDay(oldestKept);
  let files: string[];
  try {
    files = readdirSync(logDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const file of files) {
    if (!file.startsWith(`${name}.`)) continue;
    const day = DAILY_SUFFIX.exec(file.slice(name.length + 1))?.[1];
    if (!day || day >= cutoff) continue;
    rmSync(path.join(logDir, file), { force: true });
    removed.push(file);
  }
  return removed.sort();
}
