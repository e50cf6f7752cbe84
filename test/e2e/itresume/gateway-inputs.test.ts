import fc from 'fast-check';
import { describe, it } from 'vitest';
import { addDays, day, notADate, RUNS, useInputChecks } from '../../reliability/input-checks';

/**
 * What POST /api/itresume/sync accepts and refuses, written by hand from README's API section: generated
 * windows start their run, generated invalid ones are a 400 naming the field with nothing written or
 * queued (the shared checks: test/reliability/input-checks.ts; the generic routes: test/reliability/gateway-inputs.test.ts).
 */

const { expectRefused, expectRunAccepted } = useInputChecks();

describe('POST /api/itresume/sync', () => {
  it('a window of real dates, start ≤ end, up to 92 days, starts a run of it', async () => {
    await fc.assert(
      fc.asyncProperty(day, fc.integer({ min: 0, max: 91 }), async (start, span) => {
        const end = addDays(start, span);
        await expectRunAccepted('/api/itresume/sync', { start, end }, { start, end });
      }),
      { numRuns: RUNS, seed: 1503 },
    );
  });
  // A window over 92 days is not refused: it is a backfill of child runs (test/e2e/resync/itresume-backfill.test.ts).
  it('a date that is not YYYY-MM-DD of a real day, or an end before the start, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(notADate, day, fc.boolean(), async (bad, good, badIsStart) => {
        const body = badIsStart ? { start: bad, end: good } : { start: good, end: bad };
        await expectRefused('POST', '/api/itresume/sync', body, badIsStart ? 'start' : 'end');
      }),
      { numRuns: RUNS, seed: 1504 },
    );
    await expectRefused('POST', '/api/itresume/sync', { start: '2026-04-10', end: '2026-04-01' }, /^(start|end)$/);
  });
});
