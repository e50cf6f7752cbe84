import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * A job over a window of days (`start`, `end`: YYYY-MM-DD, both included) that one run may load only
 * up to `maxDays` of: a longer window (or a `backfill` request) becomes a parent run with one child
 * run per chunk, run one after another (`packages/runs/src/backfill.ts`).
 */
export interface JobBackfill {
  /** The longest window one run loads (days, both ends included). */
  maxDays: number;
  /** The request's parameters with any window length (the job's own `params` refuse more than maxDays). */
  params: z.ZodType<{ start: string; end: string }>;
}

/** One job of a source as the queues see it: its parameters and job options. */
export interface QueuedJob {
  params: z.ZodType;
  /** Added to the queue's default job options for this job. */
  options?: Partial<JobsOptions>;
  /** Set when a long window of this job is split into chunks. */
  backfill?: JobBackfill;
}

/** One source as the queues see it: its name is its queue's name and its `sync_runs.source`. */
export interface QueuedSource {
  name: string;
  jobs: Readonly<Record<string, QueuedJob>>;
  /** The streams whose saved state a run can drop to read them again from the start (`resync`). */
  streams?: readonly string[];
}

/**
 * The sources' queues and jobs, built from the registry (`@datasync/sources`) and handed to what
 * submits, schedules or consumes runs, so the lower packages never import the sources themselves.
 */
export class JobCatalog {
  readonly names: readonly string[];
  private readonly byName: ReadonlyMap<string, QueuedSource>;

  constructor(sources: readonly QueuedSource[]) {
    this.byName = new Map(sources.map((s) => [s.name, s]));
    this.names = sources.map((s) => s.name);
  }

  has(source: string): boolean {
    return this.byName.has(source);
  }

  /** The streams a run of `source` may re-sync (empty when it keeps no state between runs). */
  streams(source: string): readonly string[] {
    return this.byName.get(source)?.streams ?? [];
  }

  /** The job names of a source (empty for an unknown source). */
  jobNames(source: string): string[] {
    return Object.keys(this.byName.get(source)?.jobs ?? {});
  }

  job(source: string, jobName: string): QueuedJob | undefined {
    const jobs = this.byName.get(source)?.jobs;
    return jobs && Object.hasOwn(jobs, jobName) ? jobs[jobName] : undefined;
  }

  payloadSchema(source: string, jobName: string): z.ZodType | undefined {
    return this.job(source, jobName)?.params;
  }

  /**
   * The job's parameters as a request gives them: the same schema, with unknown fields refused (a
   * misspelt `companyID` is named rather than dropped). Workers keep `payloadSchema`, which lets
   * fields added later pass through jobs already queued.
   */
  requestParamsSchema(source: string, jobName: string): z.ZodType | undefined {
    const schema = this.payloadSchema(source, jobName);
    return schema instanceof z.ZodObject ? schema.strict() : schema;
  }

  /** The job name a source's runs use when the caller names only the source (its only job). */
  defaultJobName(source: string): string | undefined {
    const names = this.jobNames(source);
    return names.length === 1 ? names[0] : undefined;
  }
}
