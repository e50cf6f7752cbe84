import type pg from 'pg';
import { z } from 'zod';
import { bulkUpsert, numberedPages } from '@datasync/connector-kit';
import { itresumeAttempts } from '@datasync/db/tables';
import { WarningTally, type Logger } from '@datasync/logger';
import { HandedBackError, runStream, skipItem, withCheckpoint, type RunContext, type StreamDefinition } from '@datasync/runs';
import type { ItResumeHandlers } from './source';
import { dailyStats, type DailyStats } from './aggregates';
import { parseAttempt, type Attempt } from './parse';
import type { ItResumeTransport } from './transport';

/** Where a run stopped: every day before `nextDay` is committed. */
const checkpointSchema = z.object({ nextDay: z.string() });
type Checkpoint = z.infer<typeof checkpointSchema>;
type Ctx = RunContext<{ start: string; end: string }, Checkpoint>;

export interface Reporters {
  /** Writes the days' aggregates to Google Sheets; undefined when Sheets is not configured. */
  exportSheet?(days: DailyStats[], log: Logger): Promise<void>;
  /** Sends the report; undefined when SMTP is not configured. */
  sendReport?(report: RunReport, log: Logger): Promise<void>;
}

export interface RunReport {
  runId: string;
  start: string;
  end: string;
  ok: boolean;
  error?: string;
  counts: Record<string, number>;
  days: DailyStats[];
  /** Step → 'done' | 'skipped (...)' | 'failed: ...'. */
  steps: Record<string, string>;
}

/** The days of [start, end], both included (YYYY-MM-DD). */
export function daysOf(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Inserts the attempts no earlier load stored (natural key, DO NOTHING); answers how many were new. */
export async function writeAttempts(tx: pg.PoolClient, runId: string, connectionId: string, attempts: Attempt[]): Promise<number> {
  const inserted = await bulkUpsert(
    tx,
    {
      table: itresumeAttempts,
      // id is the table's sequence.
      columns: [
        'lti_user_id',
        'course_key',
        'lms_host',
        'task_id',
        'oauth_consumer_key',
        'lis_result_sourcedid',
        'lis_outcome_service_url',
        'is_correct',
        'attempt_type',
        'created_at',
        'run_id',
        'connection_id',
      ],
      // Two IT Resume clients' attempts may coincide on every field: the connection is part of the key.
      conflict: ['lti_user_id', 'created_at', 'attempt_type', 'lis_result_sourcedid', 'connection_id'],
      update: [],
      returning: ['id'],
    },
    attempts.map((a) => ({
      lti_user_id: a.ltiUserId,
      course_key: a.courseKey,
      lms_host: a.lmsHost,
      task_id: a.taskId,
      oauth_consumer_key: a.oauthConsumerKey,
      lis_result_sourcedid: a.lisResultSourcedid,
      lis_outcome_service_url: a.lisOutcomeServiceUrl,
      is_correct: a.isCorrect,
      attempt_type: a.attemptType,
      created_at: a.createdAt,
      run_id: runId,
      connection_id: connectionId,
    })),
  );
  return inserted.length;
}

const ms = (since: number) => Date.now() - since;

/**
 * The window's days as a stream: one page per day (one request each, in order, no prefetch),
 * each committed with the next day as the checkpoint. Malformed attempts are skipped by reason.
 */
function attemptStream(
  ctx: Ctx,
  transport: ItResumeTransport,
  days: string[],
  malformed: WarningTally,
): StreamDefinition<Checkpoint, unknown, Attempt, number, { day: string; t0: number }> {
  return {
    name: 'itresume attempts',
    async *pages() {
      const pages = numberedPages(
        async (n) => {
          const day = days[n - 1]!;
          const t0 = Date.now();
          ctx.log.debug({ day }, 'download started');
          const items = await transport.attempts(`${day} 00:00:00`, `${day} 23:59:59.999999`);
          ctx.log.debug({ day, items: items.length, ms: ms(t0) }, 'download finished');
          return { day, t0, items };
        },
        { first: 1, isLast: (_, n) => n >= days.length, prefetch: false },
      );
      for await (const {
        page: { day, t0, items },
        n,
      } of pages) {
        const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        yield { n, items, checkpoint: { nextDay: next }, extra: { day, t0 } };
      }
    },
    toRow: (item) => {
      const parsed = parseAttempt(item);
      return parsed.ok ? parsed.attempt : skipItem(parsed.reason, parsed.detail);
    },
    // One warning per run with the count per reason, not one per malformed item.
    onSkipped: (page, skipped) => {
      for (const { index, skip } of skipped) malformed.note(skip.skip, { day: page.extra.day, index, detail: skip.detail });
    },
    write: (tx, attempts) => writeAttempts(tx, ctx.runId, ctx.connection.id, attempts),
    report: (page, { rows, written }) => ({
      added: { fetched: page.items.length, valid: rows.length, inserted: written, days: 1 },
      progress: { stage: 'load', day: page.extra.day },
    }),
    committed: (page, { rows, skipped, written }) =>
      ctx.log.info(
        {
          day: page.extra.day,
          fetched: page.items.length,
          valid: rows.length,
          inserted: written,
          skipped: skipped.length,
          ms: ms(page.extra.t0),
        },
        'day loaded',
      ),
  };
}

/** Loads the window day by day (one committed page per day), then exports and reports. */
async function syncWindow(ctx: Ctx, transport: ItResumeTransport, reporters: Reporters): Promise<void> {
  const { start, end } = ctx.params;
  const steps: Record<string, string> = {};
  const report = (ok: boolean, days: DailyStats[], error?: string): RunReport => ({
    runId: ctx.runId,
    start,
    end,
    ok,
    error,
    counts: { ...ctx.counts },
    days,
    steps,
  });
  try {
    const resume = ctx.checkpoint?.nextDay;
    const days = daysOf(start, end).filter((d) => !resume || d >= resume);
    if (resume) ctx.log.info({ day: resume }, 'resuming from checkpoint');
    const loadStarted = Date.now();
    ctx.log.info({ start, end, days: days.length }, 'load started');
    const malformed = new WarningTally(ctx.log, 'skipped malformed attempts');
    if (days.length > 0) await runStream(ctx, attemptStream(ctx, transport, days, malformed));
    malformed.flush({ start, end });
    ctx.log.info({ start, end, counts: ctx.counts, ms: ms(loadStarted) }, 'load finished');
    steps.load = 'done';

    const stats = await dailyStats(ctx.pool, start, end, ctx.connection.id);
    await runStep(
      ctx,
      steps,
      'export',
      reporters.exportSheet && ((log) => reporters.exportSheet!(stats, log)),
      'GOOGLE_SERVICE_ACCOUNT_FILE/GOOGLE_SHEETS_SPREADSHEET_ID not set',
    );
    await runStep(
      ctx,
      steps,
      'email',
      reporters.sendReport && ((log) => reporters.sendReport!(report(true, stats), log)),
      'SMTP_HOST/REPORT_RECIPIENTS not set',
    );
    await ctx.progress({ stage: 'done', steps });
  } catch (err) {
    // A drain (SIGTERM) is no failure: the run resumes on another worker, which reports.
    if (err instanceof HandedBackError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (reporters.sendReport && steps.email === undefined) {
      const days = await dailyStats(ctx.pool, start, end, ctx.connection.id).catch(() => []);
      await reporters.sendReport(report(false, days, `attempt ${ctx.attempt}: ${message}`), ctx.log).then(
        () => ctx.log.info('failure report sent'),
        (mailErr: Error) => ctx.log.error({ err: mailErr.message }, 'could not send the failure report'),
      );
    }
    throw err;
  }
}

/**
 * An export step: skipped with a note when not configured; a failure is logged and recorded in the
 * run's progress but does not fail the load (the data is in the database; re-run to re-export).
 */
async function runStep(
  ctx: Ctx,
  steps: Record<string, string>,
  name: string,
  step: ((log: Logger) => Promise<void>) | undefined,
  notConfigured: string,
): Promise<void> {
  if (!step) {
    steps[name] = `skipped (${notConfigured})`;
    ctx.log.info({ step: name }, `${name} skipped: ${notConfigured}`);
    await ctx.progress({ stage: name, steps });
    return;
  }
  const t0 = Date.now();
  ctx.log.info({ step: name }, `${name} started`);
  try {
    await step(ctx.log);
    steps[name] = 'done';
    ctx.log.info({ step: name, ms: ms(t0) }, `${name} finished`);
  } catch (err) {
    steps[name] = `failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 500)}`;
    ctx.log.error({ step: name, err: steps[name], ms: ms(t0) }, `${name} failed`);
  }
  await ctx.progress({ stage: name, steps });
}

/** `transportFor` answers the run's connection's transport (its client name, key and base URL). */
export function itresumeHandlers(transportFor: (ctx: Ctx) => ItResumeTransport, reporters: Reporters): ItResumeHandlers {
  return {
    'itresume.sync': withCheckpoint(checkpointSchema, (ctx) => syncWindow(ctx, transportFor(ctx), reporters)),
  };
}
