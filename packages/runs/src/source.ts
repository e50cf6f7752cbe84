import type pg from 'pg';
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Config, ConfigSlice } from '@datasync/config';
import type { ConnectionDeclaration } from '@datasync/connections';
import type { Logger } from '@datasync/logger';
import type { BenchScenario } from './bench-scenario';
import type { QueueSet } from './submit';
import type { Handler } from './worker';

/**
 * A source as one declared module (`apps/worker-<name>/src/source.ts`): what it runs, what it
 * needs, how the sandbox stands in for its upstream. The registry (`@datasync/sources`) lists the
 * declarations; the queues, routes, OpenAPI, `pnpm start` and the tests are derived from it. A
 * declaration is light (zod and types): its handlers are loaded only by its worker.
 */

/** One job of a source, named `<source>.<verb>`. */
export interface JobDeclaration<P extends z.ZodType = z.ZodType> {
  /** The job's parameters (job data and request body alike; a request may not add unknown fields). */
  params: P;
  /** Added to the default job options for this job. */
  options?: Partial<JobsOptions>;
  /** One line for the docs and the command line. */
  summary: string;
  /** A `POST` route that starts the job with its parameters as the body (plus `notify`). */
  route?: { path: string; summary: string };
}

export type JobDeclarations = Readonly<Record<string, JobDeclaration>>;

/** The handler of every job, typed by the job's parameters: a missing one fails to compile. */
export type HandlersOf<Jobs extends JobDeclarations> = { [J in keyof Jobs]: Handler<z.infer<Jobs[J]['params']>> };

/** An environment variable a source reads its credentials from. */
export interface CredentialDeclaration {
  env: string;
  /** Never logged, never in job data, run params or answers (the leak checks search for it). */
  secret: boolean;
}

/** How the sandbox (`apps/sandbox`) stands in for the source's upstream. */
export interface SandboxDeclaration {
  /** Base-URL variable → the sandbox path serving it; `pnpm start` fills the unset ones. */
  upstreams: Readonly<Record<string, string>>;
  /** Settings used only against the sandbox (e.g. a rate limit the real upstream needs and the fake does not). */
  env?: Readonly<Record<string, string>>;
  /** Settings a test stack raises so tests do not wait on a real API's quota (the limiters have tests of their own). */
  testEnv?: Readonly<Record<string, string>>;
  /** The fake's seeded credentials, filled in when not set (only against the sandbox). */
  credentials?: readonly SandboxCredentials[];
}

export interface SandboxCredentials {
  /** The base-URL variable that must point at the sandbox for these to apply. */
  upstream: string;
  /** The sandbox path answering them (JSON). */
  path: string;
  /** Variable → field of the answer (`a.b` reads a nested one). */
  env: Readonly<Record<string, string>>;
}

/** What a source's worker has at start-up, to build its transport and handlers. */
export interface SourceWorkerContext<C> {
  config: C;
  log: Logger;
  redis: Redis;
  pool: pg.Pool;
}

/** The same once the worker consumes its queue, for start-up work (schedules it keeps). */
export interface StartedSourceWorkerContext<C> extends SourceWorkerContext<C> {
  /** The source's own queue (with its catalog), for runs the source submits itself. */
  queues: QueueSet;
}

/** What the source's lazily loaded handlers module builds. */
export interface SourceRuntime<Jobs extends JobDeclarations, C> {
  handlers: HandlersOf<Jobs>;
  /** Shown in the worker's start-up line (its upstreams). */
  describe?: Record<string, unknown>;
  /** After the worker consumes its queue: schedules the source keeps, for instance. */
  started?(ctx: StartedSourceWorkerContext<C>): Promise<void>;
  /** Before Redis and Postgres are closed. */
  close?(): Promise<void>;
}

/** The config a source's worker runs with: the shared base and the source's slice. */
export type SourceConfig<Slice extends ConfigSlice> = Config<[Slice]>;

export interface SourceDeclaration<
  Name extends string = string,
  Jobs extends JobDeclarations = JobDeclarations,
  Slice extends ConfigSlice = ConfigSlice,
  Route = never,
> {
  /** The queue name, the `sync_runs.source` value, the `worker-<name>` app and folder. */
  name: Name;
  jobs: Jobs;
  /** The source's environment variables, with defaults (merged with the shared base by `loadConfig`). */
  config: Slice;
  credentials: readonly CredentialDeclaration[];
  /**
   * One account of the source (a connection): its credentials' and settings' shapes, how the
   * environment's variables make the implicit `env` connection, and the probe of
   * `POST /api/connections/:id/test` (packages/connections `declaration.ts`).
   */
  connection: ConnectionDeclaration;
  sandbox: SandboxDeclaration;
  /** Loaded by the worker only (`() => import('./handlers')`): transports, clients, handlers. */
  handlers: () => Promise<{
    default: (ctx: SourceWorkerContext<SourceConfig<Slice>>) => Promise<SourceRuntime<Jobs, SourceConfig<Slice>>>;
  }>;
  /** A `GET` path to try the source with, shown when `pnpm start` is up. */
  example?: string;
  /** Gateway routes of the source's own (beyond the jobs' `route`s), e.g. a contract older than the generic ones. */
  routes?: readonly Route[];
  /** What `pnpm bench` measures the source with (loaded by the bench only). */
  bench?: () => Promise<{ default: BenchScenario }>;
}

/** What derived code reads of any declaration, whatever its jobs, slice and routes (the handlers are the worker's). */
export type DeclaredSource = Pick<
  SourceDeclaration,
  'name' | 'jobs' | 'config' | 'credentials' | 'connection' | 'sandbox' | 'example' | 'bench'
> & {
  routes?: readonly unknown[];
};

/** Declares a source; the types of its jobs, config and routes are kept for the registry. */
export function defineSource<const Name extends string, const Jobs extends JobDeclarations, Slice extends ConfigSlice, Route = never>(
  declaration: SourceDeclaration<Name, Jobs, Slice, Route>,
): SourceDeclaration<Name, Jobs, Slice, Route> {
  for (const job of Object.keys(declaration.jobs)) {
    if (!job.startsWith(`${declaration.name}.`))
      throw new Error(`job ${job} of source ${declaration.name} must be named ${declaration.name}.<verb>`);
  }
  return declaration;
}
