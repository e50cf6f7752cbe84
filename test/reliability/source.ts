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
  /** Pages carry a count, so an empty page in the middle is detectable (not so for one unpaged array per day). */
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
  /** The job a generic request names (POST /api/runs, /api/schedules). */
  job: string;
  /**
   * Valid parameters of that job, distinct for distinct `n` when the job takes any. Nothing upstream
   * need answer to them: for requests that are only checked, counted or left queued.
   */
  params(n: number): Record<string, unknown>;
  /** The source's own sync route asked for `params` (a GET with a query, or a POST with a body). */
  route(params: Record<string, unknown>): Submit;
  /** Distinct syncs that each end done against the sandbox's seeded data (load.test.ts bursts them). */
  syncs: {
    /** How many `make` gives, known before a gateway starts (a rate limit is set from it). */
    count(control: Control): Promise<number>;
    /** The syncs, and (when the source has one for a set of runs) a check that the database then equals the source. */
    make(control: Control, pool: pg.Pool): Promise<{ submits: Submit[]; expectEqual?(): Promise<void> }>;
  };
  /** security.test.ts: some of the source's tables, which the leak search must read. */
  tables: string[];
  /** security.test.ts: credentials the upstream issues to a run (tokens), which must never leak either. */
  issuedSecrets?(control: Control): Promise<string[]>;
  /** security.test.ts: refuses the credentials beyond the data requests too (a token grant, whose body carries the secret). */
  refuseCredentials?(control: Control): Promise<void>;
  /**
   * infrastructure.test.ts: per entity in read order, the table a page's transaction writes after the
   * page's own rows (a lock held on it catches a worker mid-page); absent when a page is one write.
   */
  midPageTables?: string[];
  /** malformed-items.test.ts: broken upstream items are skipped and counted (or fail the run clearly), never stored. */
  malformed: { title: string; check(t: Bench): Promise<void> };
}
