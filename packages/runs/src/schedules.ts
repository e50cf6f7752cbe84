import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Queue, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { withTransaction } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { notifyTarget, opsQueues, type JobCatalog, type NotifyTarget } from '@datasync/queues';
import { nonStandardCron, smallestCronGapMs } from './cron';
import { QuotaExceededError, quotaLockSql, type Quotas } from './quota';
import { onRedisError } from './redis-errors';
import { submitRun, type QueueSet } from './submit';
import { assertConnectionOf, connectionIdField } from './connection-ref';

/**
 * Schedules: a sync of any source of the catalog, every N minutes or on a cron expression in a time
 * zone. The row in `schedules` is the truth; each enabled one is realised as a BullMQ job scheduler
 * (same id) on the `schedules` queue, whose ticks the gateways consume (`startScheduleConsumer`):
 * each tick becomes an ordinary run through `submitRun`, at most one per tick (a unique key on
 * schedule id + tick time), and none while the previous run is still queued or running (the run
 * lock: the tick is then recorded as skipped).
 */

export const SCHEDULE_TICK_JOB = 'schedule.tick';

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date `daysAgo` days before `now` in `timeZone` (YYYY-MM-DD). */
export function dateIn(timeZone: string, daysAgo = 0, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return new Date(Date.parse(`${today}T00:00:00Z`) - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

const TOKEN = /^\{\{\s*(today|yesterday|daysAgo:(\d{1,3}))\s*\}\}$/;

/**
 * A schedule's parameters at a tick: string values `{{today}}`, `{{yesterday}}` and `{{daysAgo:N}}`
 * become that date in the schedule's time zone (IT Resume's daily load is `{start, end}` =
 * `{{yesterday}}`); everything else is passed as is.
 */
export function resolveParams(params: unknown, timeZone: string, now = new Date()): unknown {
  if (typeof params === 'string') {
    const m = TOKEN.exec(params);
    if (!m) return params;
    return dateIn(timeZone, m[1] === 'today' ? 0 : m[1] === 'yesterday' ? 1 : Number(m[2]), now);
  }
  if (Array.isArray(params)) return params.map((p) => resolveParams(p, timeZone, now));
  if (params && typeof params === 'object') {
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, resolveParams(v, timeZone, now)]));
  }
  return params;
}

/** Why `cron` cannot be a schedule (not standard, invalid, or firing more often than `minSeconds`), or undefined. */
function cronProblem(cron: string, minSeconds: number): string | undefined {
  const nonStandard = nonStandardCron(cron);
  if (nonStandard) return nonStandard;
  let gap: number;
  try {
    gap = smallestCronGapMs(cron);
  } catch (err) {
    return `is not a valid cron expression (${(err as Error).message})`;
  }
  if (gap < minSeconds * 1000) {
    return `fires ${gap / 1000} s apart at the closest, more often than every ${minSeconds} s (SCHEDULE_MIN_INTERVAL_SECONDS)`;
  }
  return undefined;
}

/** `every_ms` is an int4: the longest interval it holds, in whole minutes (about 24.8 days). */
export const MAX_EVERY_MINUTES = Math.floor(2_147_483_647 / 60_000);

/** The body of `POST /api/schedules`; checks the parameters against the catalog's job schema. */
export function scheduleInputSchema(options: { minIntervalSeconds: number; catalog: JobCatalog }) {
  const { catalog } = options;
  const min = options.minIntervalSeconds;
  const sources = catalog.names as [string, ...string[]];
  return z
    .object({
      name: z.string().trim().min(1).max(200).optional(),
      source: z.enum(sources, { error: `must be one of: ${sources.join(', ')}` }),
      job: z.string().optional(),
      params: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({}),
      everyMinutes: z
        .number({ error: 'must be a number of minutes' })
        .positive('must be positive')
        .max(MAX_EVERY_MINUTES, `must be at most ${MAX_EVERY_MINUTES} (about 24 days); use cron for longer intervals`)
        .optional(),
      cron: z.string().trim().min(1).max(200).optional(),
      timezone: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone (e.g. Europe/Moscow)'),
      notify: notifyTarget.optional(),
      /** The connection (account) each tick's run uses; the environment connection when left out. */
      connectionId: connectionIdField,
    })
    .strict()
    .superRefine((s, ctx) => {
      if ((s.everyMinutes === undefined) === (s.cron === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['everyMinutes'], message: 'give exactly one of everyMinutes and cron' });
      } else if (s.everyMinutes !== undefined && s.everyMinutes * 60 < min) {
        ctx.addIssue({
          code: 'custom',
          path: ['everyMinutes'],
          message: `must be at least ${min / 60} (SCHEDULE_MIN_INTERVAL_SECONDS=${min})`,
        });
      } else if (s.cron !== undefined) {
        const problem = cronProblem(s.cron, min);
        if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
      }
      const job = s.job ?? catalog.defaultJobName(s.source);
      const jobs = catalog.jobNames(s.source);
      if (!job || !jobs.includes(job)) {
        ctx.addIssue({ code: 'custom', path: ['job'], message: `must be one of: ${jobs.join(', ')}` });
        return;
      }
      const parsed = catalog
        .requestParamsSchema(s.source, job)!
        .safeParse(resolveParams(s.params, isTimeZone(s.timezone) ? s.timezone : 'UTC'));
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = ['params', ...issue.path.map(String)];
          // An unknown field is named itself, as everywhere else.
          if (issue.code === 'unrecognized_keys')
            for (const key of issue.keys) ctx.addIssue({ code: 'custom', path: [...path, key], message: 'is not a known field' });
          else ctx.addIssue({ code: 'custom', path, message: issue.message });
        }
      }
    });
}
export type ScheduleInput = z.infer<ReturnType<typeof scheduleInputSchema>>;

export interface ScheduleRecord {
  id: string;
  name: string | null;
  source: string;
  jobName: string;
  params: Record<string, unknown>;
  everyMs: number | null;
  cron: string | null;
  timezone: string;
  notify: NotifyTarget[];
  enabled: boolean;
  pausedReason: string | null;
  consecutiveFailures: number;
  lastTickAt: Date | null;
  lastTickOutcome: string | null;
  lastRunId: string | null;
  skippedTicks: number;
  /** The connection each tick's run uses; null: the environment connection. */
  connectionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, name, source, job_name AS "jobName", params, every_ms AS "everyMs", cron, timezone, notify, enabled,
  paused_reason AS "pausedReason", consecutive_failures AS "consecutiveFailures", last_tick_at AS "lastTickAt",
  last_tick_outcome AS "lastTickOutcome", last_run_id AS "lastRunId", skipped_ticks AS "skippedTicks", connection_id AS "connectionId",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export function schedulesQueue(connection: Redis | Cluster, prefix: string, log?: Logger): Queue {
  const queue = new Queue(opsQueues.schedules, { connection, prefix });
  queue.on('error', onRedisError(log, 'queue schedules'));
  return queue;
}

/** The BullMQ job scheduler of a schedule: created, or changed in place (same id), never doubled. */
export async function realiseSchedule(queue: Queue, s: ScheduleRecord): Promise<void> {
  const repeat = s.everyMs !== null ? { every: s.everyMs } : { pattern: s.cron!, tz: s.timezone };
  await queue.upsertJobScheduler(s.id, repeat, {
    name: SCHEDULE_TICK_JOB,
    data: { scheduleId: s.id },
    opts: { removeOnComplete: { count: 200 }, removeOnFail: { count: 500 }, attempts: 3, backoff: { type: 'exponential', delay: 1_000 } },
  });
}

/**
 * Stores a validated schedule, then realises it; if Redis refuses, the row is removed again. With
 * `maxPerSource`, a source that has that many schedules already gets none more (QuotaExceededError).
 */
export async function createSchedule(
  deps: { pool: pg.Pool; queue: Queue; catalog: JobCatalog },
  input: ScheduleInput,
  options: { maxPerSource?: number } = {},
): Promise<ScheduleRecord> {
  const schedule = await withTransaction(deps.pool, async (tx) => {
    const max = options.maxPerSource;
    if (max !== undefined) {
      await tx.query(quotaLockSql, [`datasync.schedules:${input.source}`]);
      const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM schedules WHERE source = $1', [input.source]);
      if (rows[0]!.n >= max) {
        throw new QuotaExceededError(
          `${input.source} already has ${rows[0]!.n} schedules, the most SCHEDULE_MAX_PER_SOURCE allows (${max}); nothing was stored, delete one first`,
          'SCHEDULE_MAX_PER_SOURCE',
          max,
        );
      }
    }
    // A connection of the source (400 naming connectionId otherwise), its row share-locked so a
    // concurrent delete of the connection waits for this schedule and then refuses, naming it.
    if (input.connectionId) await assertConnectionOf(tx, input.source, input.connectionId);
    const { rows } = await tx.query(
      `INSERT INTO schedules (id, name, source, job_name, params, every_ms, cron, timezone, notify, connection_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        input.name ?? null,
        input.source,
        input.job ?? deps.catalog.defaultJobName(input.source),
        JSON.stringify(input.params),
        input.everyMinutes === undefined ? null : Math.round(input.everyMinutes * 60_000),
        input.cron ?? null,
        input.timezone,
        JSON.stringify(input.notify ? [input.notify] : []),
        input.connectionId ?? null,
      ],
    );
    return rows[0] as ScheduleRecord;
  });
  try {
    await realiseSchedule(deps.queue, schedule);
  } catch (err) {
    await deps.pool.query('DELETE FROM schedules WHERE id = $1', [schedule.id]).catch(() => {});
    throw err;
  }
  return schedule;
}

export async function getSchedule(db: Pick<pg.Pool, 'query'>, id: string): Promise<ScheduleRecord | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM schedules WHERE id = $1`, [id]);
  return rows[0] as ScheduleRecord | undefined;
}

export async function listSchedules(db: Pick<pg.Pool, 'query'>): Promise<ScheduleRecord[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM schedules ORDER BY created_at, id`);
  return rows as ScheduleRecord[];
}

/** Removes a schedule (its past runs stay, without the link). Answers false when there was none. */
export async function deleteSchedule(deps: { pool: pg.Pool; queue: Queue }, id: string): Promise<boolean> {
  const { rowCount } = await deps.pool.query('DELETE FROM schedules WHERE id = $1', [id]);
  // Gone from the database first: if Redis fails now, the next reconcile removes the scheduler.
  await deps.queue.removeJobScheduler(id);
  return rowCount === 1;
}

/** Enables a paused schedule again, with its failure count reset. */
export async function resumeSchedule(deps: { pool: pg.Pool; queue: Queue }, id: string): Promise<ScheduleRecord | undefined> {
  const { rows } = await deps.pool.query(
    `UPDATE schedules SET enabled = true, paused_reason = NULL, consecutive_failures = 0, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  const schedule = rows[0] as ScheduleRecord | undefined;
  if (schedule) await realiseSchedule(deps.queue, schedule);
  return schedule;
}

/** When the schedule fires next (BullMQ's own record), or null when it is not realised. */
export async function nextRunAt(queue: Queue, id: string): Promise<Date | null> {
  const scheduler = await queue.getJobScheduler(id);
  return scheduler?.next ? new Date(scheduler.next) : null;
}

/**
 * Makes Redis agree with the database: every enabled schedule has its job scheduler (created when
 * missing or different, so a restart keeps the timing of those that are right) and no other
 * scheduler is left. Run by every gateway at start-up and then every few minutes; idempotent.
 */
export async function reconcileSchedules(deps: { pool: pg.Pool; queue: Queue }): Promise<{ created: number; removed: number }> {
  // Redis first: a schedule created meanwhile is in the database by the time we read it.
  const existing = new Map((await deps.queue.getJobSchedulers()).map((s) => [s.key, s]));
  const wanted = (await listSchedules(deps.pool)).filter((s) => s.enabled);
  let created = 0;
  let removed = 0;
  for (const s of wanted) {
    const have = existing.get(s.id);
    const same =
      have && (s.everyMs !== null ? Number(have.every) === s.everyMs : have.pattern === s.cron && (have.tz ?? 'UTC') === s.timezone);
    if (!same) {
      await realiseSchedule(deps.queue, s);
      created += 1;
    }
    existing.delete(s.id);
  }
  for (const key of existing.keys()) {
    // Only our schedulers (uuid keys); a row created after our read is not among `existing`.
    if (!/^[0-9a-f-]{36}$/.test(key)) continue;
    if (await getSchedule(deps.pool, key).then((s) => s?.enabled)) continue;
    await deps.queue.removeJobScheduler(key);
    removed += 1;
  }
  return { created, removed };
}

/** The tick a scheduler's job stands for: BullMQ names them `repeat:<scheduler id>:<millis>`. */
function tickOf(job: Job): Date {
  const millis = /:(\d+)$/.exec(job.id ?? '')?.[1];
  return new Date(millis ? Number(millis) : (job.opts.prevMillis ?? job.timestamp));
}

export type TickOutcome = 'submitted' | 'skipped' | 'refused' | 'duplicate' | 'gone' | 'invalid';

/** Turns one tick into a run (or records why not). */
export async function runScheduleTick(
  deps: { pool: pg.Pool; queues: QueueSet; queue: Queue; log: Logger; quotas?: Quotas },
  scheduleId: string,
  tick: Date,
): Promise<{ outcome: TickOutcome; runId?: string }> {
  const s = await getSchedule(deps.pool, scheduleId);
  if (!s || !s.enabled) {
    // Deleted or paused while Redis kept the scheduler: stop it here too.
    await deps.queue.removeJobScheduler(scheduleId);
    return { outcome: 'gone' };
  }
  const log = deps.log.child({ scheduleId, source: s.source, jobName: s.jobName, tick: tick.toISOString() });
  const params = deps.queues.catalog.payloadSchema(s.source, s.jobName)?.safeParse(resolveParams(s.params, s.timezone, tick));
  if (!params?.success) {
    log.error('schedule parameters no longer valid; tick ignored');
    return { outcome: 'invalid' };
  }
  let result: Awaited<ReturnType<typeof submitRun>>;
  try {
    result = await submitRun(deps, s.source, s.jobName, params.data, {
      notify: s.notify,
      schedule: { id: s.id, tick },
      connectionId: s.connectionId ?? undefined,
    });
  } catch (err) {
    if (!(err instanceof QuotaExceededError)) throw err;
    // The source's queue is full: this tick starts nothing (retrying it would only add to the pile).
    await deps.pool.query(`UPDATE schedules SET last_tick_at = $2, last_tick_outcome = 'refused' WHERE id = $1`, [s.id, tick]);
    log.warn({ reason: err.message }, 'schedule tick refused: the source has as many runs queued as allowed');
    return { outcome: 'refused' };
  }
  if (result.tickTaken) {
    log.info({ runId: result.runId }, 'schedule tick already handled');
    return { outcome: 'duplicate', runId: result.runId };
  }
  const outcome: TickOutcome = result.deduplicated ? 'skipped' : 'submitted';
  await deps.pool.query(
    `UPDATE schedules SET last_tick_at = $2, last_tick_outcome = $3,
       last_run_id = CASE WHEN $3 = 'submitted' THEN $4::uuid ELSE last_run_id END,
       skipped_ticks = skipped_ticks + CASE WHEN $3 = 'skipped' THEN 1 ELSE 0 END
     WHERE id = $1`,
    [s.id, tick, outcome, result.runId],
  );
  if (outcome === 'skipped') log.warn({ runId: result.runId }, 'schedule tick skipped: the previous run is still queued or running');
  // Routine (a poller ticks every minute): the run's own lines say what it did.
  else log.debug({ runId: result.runId }, 'schedule tick submitted a run');
  return { outcome, runId: result.runId };
}

/**
 * After a run ended: a scheduled run's outcome updates its schedule's failure streak, and the
 * schedule is paused (its scheduler removed) once `maxFailures` runs in a row failed.
 * Answers the schedule it paused, if any.
 */
export async function recordScheduledOutcome(
  deps: { pool: pg.Pool; queue: Queue },
  runId: string,
  maxFailures: number,
): Promise<ScheduleRecord | undefined> {
  const paused = await withTransaction(deps.pool, async (tx) => {
    const run = (await tx.query('SELECT schedule_id, state, error FROM sync_runs WHERE id = $1', [runId])).rows[0] as
      { schedule_id: string | null; state: string; error: string | null } | undefined;
    if (!run?.schedule_id || (run.state !== 'done' && run.state !== 'failed')) return undefined;
    const current = (await tx.query('SELECT consecutive_failures, enabled FROM schedules WHERE id = $1 FOR UPDATE', [run.schedule_id]))
      .rows[0] as { consecutive_failures: number; enabled: boolean } | undefined;
    if (!current) return undefined;
    const failures = run.state === 'failed' ? current.consecutive_failures + 1 : 0;
    const pause = current.enabled && failures >= maxFailures;
    const reason = pause ? `paused after ${failures} consecutive failed runs; last error: ${run.error ?? 'unknown'}` : null;
    const { rows } = await tx.query(
      `UPDATE schedules SET consecutive_failures = $2, enabled = enabled AND NOT $3, paused_reason = COALESCE($4, paused_reason), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [run.schedule_id, failures, pause, reason],
    );
    return pause ? (rows[0] as ScheduleRecord) : undefined;
  });
  // Paused in the database already; if Redis fails here, the tick consumer and the reconcile remove it.
  if (paused) await deps.queue.removeJobScheduler(paused.id).catch(() => undefined);
  return paused;
}

export interface ScheduleConsumer {
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Consumes the `schedules` queue (in each gateway; BullMQ hands each tick to one of them) and
 * reconciles Redis with the database at start and every `reconcileEveryMs`.
 */
export async function startScheduleConsumer(options: {
  connection: Redis | Cluster;
  prefix: string;
  pool: pg.Pool;
  queues: QueueSet;
  log: Logger;
  reconcileEveryMs?: number;
  /** Quotas the ticks' runs are held to, as the API's. */
  quotas?: Quotas;
}): Promise<ScheduleConsumer> {
  const { log } = options;
  const queue = schedulesQueue(options.connection, options.prefix, log);
  const deps = { pool: options.pool, queues: options.queues, queue, log, quotas: options.quotas };
  const reconcile = async () => {
    const r = await reconcileSchedules(deps).catch((err: Error) => {
      log.warn({ err: err.message }, 'schedule reconcile failed');
      return undefined;
    });
    if (r && (r.created || r.removed)) log.info(r, 'schedules reconciled with Redis');
  };
  await reconcile();
  const timer = setInterval(() => void reconcile(), options.reconcileEveryMs ?? 5 * 60_000);
  timer.unref();

  const worker = new Worker(
    opsQueues.schedules,
    async (job: Job) => {
      const scheduleId = z.object({ scheduleId: z.string() }).parse(job.data).scheduleId;
      return runScheduleTick(deps, scheduleId, tickOf(job));
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 4 },
  );
  worker.on('error', onRedisError(log, 'schedule consumer'));
  await worker.waitUntilReady();
  return {
    queue,
    async close() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
    },
  };
}

/**
 * A schedule DataSync itself keeps under a fixed id (IT Resume's daily load, the marketplaces' polls,
 * push and catalogue refresh), on a cron or every N ms: created, or brought in line with the
 * configuration (timing, parameters), keeping a pause a person set. Several processes may call it
 * at once; there is still one row and one scheduler.
 */
export async function ensureSchedule(
  deps: { pool: pg.Pool; queue: Queue },
  s: { id: string; name: string; source: string; jobName: string; params: Record<string, unknown> } & (
    { cron: string; timezone: string } | { everyMs: number }
  ),
): Promise<ScheduleRecord> {
  const cron = 'cron' in s ? s.cron : null;
  const everyMs = 'everyMs' in s ? s.everyMs : null;
  const timezone = 'timezone' in s ? s.timezone : 'UTC';
  const { rows } = await deps.pool.query(
    `INSERT INTO schedules (id, name, source, job_name, params, every_ms, cron, timezone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET name = $2, source = $3, job_name = $4, params = $5, every_ms = $6, cron = $7, timezone = $8, updated_at = now()
     RETURNING ${COLUMNS}`,
    [s.id, s.name, s.source, s.jobName, JSON.stringify(s.params), everyMs, cron, timezone],
  );
  const schedule = rows[0] as ScheduleRecord;
  if (schedule.enabled) await realiseSchedule(deps.queue, schedule);
  return schedule;
}
