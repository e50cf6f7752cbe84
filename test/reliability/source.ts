import type pg from 'pg';
import type { LoggedRequest } from '@datasync/sandbox';
import type { SandboxControl, Submit, WorkerStarter } from '@datasync/testkit';
import type { Bench } from './sources';

/**
 * What the reliability suite needs to drive one source: how to give a worker its sandbox
 * credentials, where its data pages live upstream (fault rules aim there), how to start a sync of a
 * fresh target through the gateway, how to check the database equals the source afterwards, and
 * the source's own cases of the shared suites. Each source declares one in its own test area,
 * `test/e2e/<source>/reliability.ts` (exported as `reliability`); test/reliability/sources.ts finds them.
 */

export type Control = SandboxControl;
export type { Submit };

export interface Target {
  submit: Submit;
  /** The final database equals the source row for row (no row missing, none twice, none extra). */
  expectEqual(runId: string): Promise<void>;
}

export interface ReliabilitySource {
  name: string;
  app: `worker-${string}`;
  start: WorkerStarter;
  /** Upstream path prefix of the paginated data requests. */
  dataPath: string;
  /** Which logged requests are pages (path, query and JSON body identify one) for counting repeats. */
  isPage(r: Pick<LoggedRequest, 'path' | 'query' | 'body'>): boolean;
  /** The source logs in again once after a 401 (otherwise a 401 fails the run at once). */
  reauth: boolean;
  /** The source's fault preset for a refused credential, when it has one. */
  unauthorized?: string;
  /** Pages carry a count, so an empty page in the middle is detectable (IT Resume answers one unpaged array per day). */
  detectsEmptyPage: boolean;
  /** Settings with the sandbox's credentials. */
  env(control: Control, sandboxUrl: string): Promise<Record<string, string>>;
  /** The credential values that must never leak. */
  secrets(env: Record<string, string>): string[];
  /** A fresh target (its rows absent from the database), and how to check it afterwards; `large` lasts a few seconds under a delay. */
  prepare(control: Control, pool: pg.Pool, options?: { large?: boolean }): Promise<Target>;
  /**
   * worker-kill.test.ts: upstream latency per page, chosen so a `large` run outlasts its kills, and
   * the run's counts when they are the source's sizes (rows re-read after a kill are not counted twice).
   */
  kill: { delayMs: number; counts?: Record<string, number> };
  /** malformed-items.test.ts: broken upstream items are skipped and counted (or fail the run clearly), never stored. */
  malformed: { title: string; check(t: Bench): Promise<void> };
}
