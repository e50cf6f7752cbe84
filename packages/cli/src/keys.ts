import { parseKeyRing, rotateKeys } from '@datasync/connections';
import { createDb } from '@datasync/db';

/**
 * `pnpm datasync keys rotate`, on Postgres directly (DATABASE_URL) with the key ring of this
 * shell's DATASYNC_KEYS: the master keys never travel over HTTP, and it works whatever the gateways
 * are doing (they may be restarting with the new ring). Answers the exit code: 1 when a connection
 * could not be re-wrapped (its key is missing from the ring), which also leaves it as it was.
 */
export async function rotateCommand(config: { DATABASE_URL: string; DATASYNC_KEYS?: string }): Promise<number> {
  const ring = parseKeyRing(config.DATASYNC_KEYS);
  if (!ring) {
    console.error('keys rotate needs DATASYNC_KEYS (with the new key as "current" and the old ones still listed)');
    return 2;
  }
  const db = createDb({ url: config.DATABASE_URL, poolMax: 2, applicationName: 'datasync-cli' });
  try {
    const report = await rotateKeys(db.pool, ring, 'cli');
    const from = [...new Set(report.rewrapped.map((r) => r.from))];
    console.log(
      `re-wrapped ${report.rewrapped.length} data key(s)${from.length ? ` from ${from.join(', ')}` : ''} to "${report.current}"; ${report.alreadyCurrent} already under it`,
    );
    for (const f of report.failed) console.error(`could not re-wrap connection ${f.id} (key "${f.keyId}"): ${f.error}`);
    if (report.failed.length === 0) {
      const others = [...ring.keys.keys()].filter((k) => k !== ring.current);
      if (others.length)
        console.log(`no connection uses ${others.map((k) => `"${k}"`).join(', ')} any more: they may be removed from DATASYNC_KEYS`);
    }
    return report.failed.length ? 1 : 0;
  } finally {
    await db.close();
  }
}
