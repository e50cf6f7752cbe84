import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPropagation, measurePropagation, startPropagationStack } from '@datasync/bench';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startTestSandbox, type TestDatabase } from '../../helpers';

/**
 * The propagation figure (bench/src/propagation.ts, `pnpm --filter @datasync/bench propagation`) at
 * a small size, printed: order on a fake → the other fakes told, push on beside poll only. No timing
 * is asserted (2 shared cores); that every order propagated in both modes is.
 */

let db: TestDatabase;
let sandbox: RunningSandbox;
let mp: Awaited<ReturnType<typeof startPropagationStack>>;

describe('stock propagation, push on vs poll only', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    sandbox = await startTestSandbox();
    mp = await startPropagationStack(db.url, sandbox, { MARKETPLACES_RECONCILE_INTERVAL_MS: '0' });
  }, 180_000);
  afterAll(async () => {
    await mp?.stack.close();
    await sandbox?.close();
    await db?.drop();
  });

  it('measures both modes in one run and prints them side by side', async () => {
    const result = await measurePropagation({ sandboxUrl: sandbox.url, ...mp, trials: 4, pollEveryMs: 3_000, print: () => {} });
    console.log(formatPropagation(result).join('\n'));
    expect(result.samples.filter((s) => s.mode === 'push')).toHaveLength(4);
    expect(result.samples.filter((s) => s.mode === 'poll')).toHaveLength(4);
    for (const s of result.samples) expect(s.ms, `${s.mode} ${s.origin} ${s.sku}`).toBeGreaterThan(0);
  }, 300_000);
});
