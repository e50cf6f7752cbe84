import { afterAll, describe, it } from 'vitest';
import type { WorkerProcess } from '../helpers';
import { expectKillsSurvived } from './kill-mid-run';
import { allSources, useBench } from './sources';

/**
 * Real worker processes SIGKILLed at seeded random moments of one sync of every source, while they
 * work the run; the run ends equal to the source, resumed from its checkpoint (kill-mid-run.ts).
 */

/** 3 in `pnpm test`; `pnpm test:soak` kills 5 times (BullMQ's maxStalledCount: a 6th stall fails the run). */
const KILLS = Number(process.env.WORKER_KILLS ?? 3);
const t = useBench({ sources: allSources, env: () => ({ WORKER_CONCURRENCY: '1' }) });
const spawned: WorkerProcess[] = [];
afterAll(async () => {
  await Promise.all(spawned.map((w) => w.stop('SIGKILL')));
});

describe.each(allSources.map((s) => [s.name, s] as const))('%s worker SIGKILLed mid-sync', (_name, source) => {
  it(`is killed exactly ${KILLS} times while it works the run, and still ends equal to the source, resuming from its checkpoint`, async () => {
    await expectKillsSurvived(t, source, KILLS, spawned);
  }, 150_000);
});
