import fc from 'fast-check';
import { describe, it } from 'vitest';
import { notAPositiveInteger, RUNS, useInputChecks } from '../../reliability/input-checks';

/**
 * What POST /api/yclients/sync accepts and refuses, written by hand from README's API section: generated
 * valid companies start their run, generated invalid ones are a 400 naming the field with nothing written
 * or queued (the shared checks: test/reliability/input-checks.ts; the generic routes: test/reliability/gateway-inputs.test.ts).
 */

const { expectRefused, expectRunAccepted } = useInputChecks();

describe('POST /api/yclients/sync', () => {
  it('a positive whole companyId (YClients ids are bigint: past int4 too) starts a run of that company', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 1 }), fc.constantFrom(2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER)), async (companyId) => {
        await expectRunAccepted('/api/yclients/sync', { companyId }, { companyId });
      }),
      { numRuns: RUNS, seed: 1501 },
    );
  });
  it('anything else as companyId, a missing one, or an unknown field, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(notAPositiveInteger, async (companyId) => {
        await expectRefused('POST', '/api/yclients/sync', { companyId }, 'companyId');
      }),
      { numRuns: RUNS, seed: 1502 },
    );
    await expectRefused('POST', '/api/yclients/sync', {}, 'companyId');
    await expectRefused('POST', '/api/yclients/sync', { companyId: 1, companyID: 2 }, 'companyID');
  });
});

describe('shapes a small fuzzer never makes (finding 7)', () => {
  it('a 150k-element array where an object is expected: 400, never a 5xx', async () => {
    const big = Array.from({ length: 150_000 }, (_, i) => i);
    await expectRefused('POST', '/api/yclients/sync', { companyId: big }, 'companyId');
  });
});
