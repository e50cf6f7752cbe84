import { z } from 'zod';
import type { NotifyTarget } from '@datasync/queues';
import { submitBackfill, submitRun, windowDays, type SubmitResult } from '@datasync/runs';
import { InvalidRequestError, parseOr400 } from './errors';
import type { GatewayDeps } from './route';

/**
 * What a run request may add to a job's parameters, on `POST /api/runs` and on every sync route:
 * `resync` (streams read again from the start) and `backfill` (cut the window into child runs).
 */
export const runOptionsDoc = {
  resync: z
    .array(z.string().min(1, 'must not hold an empty stream name'), { error: 'must be a list of stream names' })
    .min(1, 'must name at least one stream')
    .max(50, 'must name at most 50 streams')
    .optional()
    .describe('Streams whose saved state is dropped so this run reads them again from the start (others stay incremental)'),
  backfill: z
    .union([z.literal(true), z.object({ chunkDays: z.number().int('must be a whole number').positive('must be positive') }).strict()], {
      error: 'must be true or {"chunkDays": <days>}',
    })
    .optional()
    .describe("Cut the window into child runs of chunkDays (default: the job's longest window), run one after another"),
};
const runOptions = z.object(runOptionsDoc).loose();

/** The most child runs one backfill may have (a century cut into days is a mistake, not a request). */
export const MAX_CHUNKS = 1000;
export type RunOptions = { resync?: string[]; backfill?: true | { chunkDays: number } };

/** Takes `resync` and `backfill` out of a sync body (their errors are field errors like any other). */
export function takeRunOptions(body: unknown): { options: RunOptions; rest: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('resync' in body || 'backfill' in body))
    return { options: {}, rest: body };
  const { resync, backfill, ...rest } = parseOr400(runOptions, body);
  return { options: { resync, backfill }, rest };
}

/** The job's request parameters: a backfill job takes any window (cut into chunks), any other its own schema. */
export function requestParamsOf(deps: GatewayDeps, source: string, jobName: string): z.ZodType | undefined {
  const wide = deps.queues.catalog.job(source, jobName)?.backfill?.params;
  if (!wide) return deps.queues.catalog.requestParamsSchema(source, jobName);
  return wide instanceof z.ZodObject ? wide.strict() : wide;
}

/**
 * Submits a run with its options: `resync` names streams of the source (400 naming the unknown ones
 * and listing the valid ones, or saying the source has none); a window longer than the job's
 * `backfill.maxDays`, or a `backfill` request, becomes a backfill. Nothing is queued on a 400.
 */
export async function startRun(
  deps: GatewayDeps,
  source: string,
  jobName: string,
  params: unknown,
  options: RunOptions & { notify?: NotifyTarget[]; connectionId?: string; connectionField?: string },
): Promise<SubmitResult> {
  const streams = deps.queues.catalog.streams(source);
  if (options.resync) {
    if (streams.length === 0) {
      throw new InvalidRequestError([
        { field: 'resync', message: `cannot be used with ${source}: it keeps no stream state between runs (every run reads everything)` },
      ]);
    }
    const unknown = [...new Set(options.resync.filter((s) => !streams.includes(s)))];
    if (unknown.length > 0) {
      throw new InvalidRequestError([
        {
          field: 'resync',
          message: `names ${unknown.length === 1 ? 'a stream' : 'streams'} ${source} does not have: ${unknown.join(', ')} (its streams: ${streams.join(', ')})`,
        },
      ]);
    }
  }
  const backfill = deps.queues.catalog.job(source, jobName)?.backfill;
  if (options.backfill && !backfill) {
    throw new InvalidRequestError([{ field: 'backfill', message: `cannot be used with ${jobName}: it does not load a window of days` }]);
  }
  if (backfill) {
    const window = params as Record<string, unknown> & { start: string; end: string };
    const chunkDays = options.backfill === true || !options.backfill ? backfill.maxDays : options.backfill.chunkDays;
    if (chunkDays > backfill.maxDays) {
      throw new InvalidRequestError([
        { field: 'backfill.chunkDays', message: `must be at most ${backfill.maxDays} (the longest window one run loads)` },
      ]);
    }
    const days = windowDays(window.start, window.end);
    if (Math.ceil(days / chunkDays) > MAX_CHUNKS) {
      throw new InvalidRequestError([
        {
          field: options.backfill ? 'backfill.chunkDays' : 'end',
          message: `would cut the ${days}-day window into ${Math.ceil(days / chunkDays)} runs; at most ${MAX_CHUNKS} (ask for a shorter window or longer chunks)`,
        },
      ]);
    }
    if (options.backfill || days > backfill.maxDays) {
      return submitBackfill(deps, source, jobName, window, {
        chunkDays,
        notify: options.notify,
        connectionId: options.connectionId,
        connectionField: options.connectionField,
      });
    }
  }
  return submitRun(deps, source, jobName, params, {
    notify: options.notify,
    resync: options.resync,
    connectionId: options.connectionId,
    connectionField: options.connectionField,
  });
}
