import type { Run } from '@datasync/cli';
import { waitFor } from './wait';

export const isFinished = (run: Pick<Run, 'state'>) => run.state === 'done' || run.state === 'failed';

/**
 * The one run waiter: polls `read` (the gateway's run, or a row) until the run is `done` or
 * `failed`, and answers it; fails after `timeoutMs` naming the run.
 */
export function waitForRun<R extends Pick<Run, 'state'>>(
  read: () => Promise<R | undefined>,
  id: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<R> {
  return waitFor(
    async () => {
      const run = await read();
      return run && isFinished(run) ? run : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 60_000, what: `run ${id} to finish`, intervalMs: options.intervalMs ?? 50 },
  );
}
