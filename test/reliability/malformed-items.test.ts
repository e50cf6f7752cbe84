import { beforeEach, describe, it } from 'vitest';
import { allSources, useBench } from './sources';

/**
 * Upstream pages with broken items (an id missing, a field of the wrong type), through the
 * sandbox's `corrupt` fault. Each broken item is skipped and counted in the run, with a logged
 * reason, and every other row is stored; or (a source whose incremental algorithm needs every
 * row of a page) the run fails clearly and keeps no half-parsed rows. Never a broken row stored.
 */

const t = useBench({ workers: allSources.map((s) => s.start) });
beforeEach(async () => {
  await t.control.clearFaults();
});

describe('malformed upstream items', () => {
  // Each source's own case: test/e2e/<source>/reliability.ts, `malformed`.
  for (const source of allSources) it(source.malformed.title, () => source.malformed.check(t));
});
