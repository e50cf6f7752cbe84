import { afterAll } from 'vitest';
import { dropKeysUnder, prefixesInUse } from '@datasync/testkit';

/**
 * After each test file (its own afterAll hooks have closed its stacks): the Redis keys of the
 * prefixes it used are removed from the shared Redis.
 */
afterAll(async () => {
  for (const prefix of prefixesInUse) await dropKeysUnder(prefix).catch(() => 0);
  prefixesInUse.clear();
});
