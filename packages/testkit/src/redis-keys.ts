import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

/** The Redis the tests share with other checkouts (each test stack has a prefix of its own). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Every test prefix of this checkout starts with this (`t-<hash of the checkout path>-`), so the
 * cleanup of one checkout's run never touches keys of another checkout testing at the same time.
 */
export const TEST_PREFIX_ROOT = `t-${createHash('sha1')
  .update(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'))
  .digest('hex')
  .slice(0, 8)}-`;

/** The prefixes this test file's stacks were given (test/setup/per-file.ts removes their keys after the file). */
export const prefixesInUse = new Set<string>();

/** A new prefix under TEST_PREFIX_ROOT for one test stack (its derived prefixes, `<prefix>-x`, are covered too). */
export function testPrefix(): string {
  const prefix = `${TEST_PREFIX_ROOT}${randomUUID().slice(0, 8)}`;
  prefixesInUse.add(prefix);
  return prefix;
}

/** Names of the keys starting with `prefix` (SCAN, never KEYS). */
export async function keysUnder(prefix: string, redisUrl = TEST_REDIS_URL): Promise<string[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key starting with `prefix`; answers how many there were. */
export async function dropKeysUnder(prefix: string, redisUrl = TEST_REDIS_URL): Promise<number> {
  const keys = await keysUnder(prefix, redisUrl);
  if (keys.length === 0) return 0;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
  return keys.length;
}
