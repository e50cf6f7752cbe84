import type pg from 'pg';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '@datasync/logger';
import { opsQueues } from '@datasync/queues';
import {
  getNotifyTarget,
  getRun,
  onRedisError,
  listNotifyTargets,
  presentRun,
  recordNotifyAttempt,
  recordScheduledOutcome,
  RUN_FINISHED_JOB,
  type PresentedRun,
} from '@datasync/runs';
import { WebhookRefusedError, type Resolver } from './address-guard';
import { sendMail, type SmtpSettings } from './mail';
import { postWebhook } from './webhook';

export const WEBHOOK_JOB = 'notify.webhook';
export const EMAIL_JOB = 'notify.email';

export interface NotificationSettings {
  /** Signs webhook bodies; without it they go unsigned. */
  webhookSecret?: string;
  webhookTimeoutMs: number;
  smtp?: SmtpSettings;
  attempts: number;
  backoffMs: number;
  /** A schedule is paused after this many failed runs in a row. */
  maxConsecutiveFailures: number;
  /** NOTIFY_ALLOW_PRIVATE: webhooks to loopback and private addresses are delivered too. */
  allowPrivate?: boolean;
  /** How webhook host names are resolved (tests pass a stub); default the system's. */
  resolve?: Resolver;
}

/** What a webhook receives (and an email says): the event and the run as GET /api/runs/:id shows it. */
export function runSummary(run: PresentedRun) {
  return { event: `run.${run.state}`, run };
}

export function renderRunMail(run: PresentedRun): { subject: string; text: string } {
  const ok = run.state === 'done';
  const subject = `DataSync ${run.jobName}: ${ok ? 'done' : 'FAILED'} (run ${run.id.slice(0, 8)})`;
  const lines = [
    `Run ${run.id} of ${run.source} (${run.jobName}) ${ok ? 'finished' : 'FAILED'}.`,
    ...(run.error ? [`Error: ${run.error}`] : []),
    `Duration: ${run.durationMs === null ? '-' : `${(run.durationMs / 1000).toFixed(1)} s`}, attempts: ${run.attempts}`,
    `Parameters: ${JSON.stringify(run.params)}`,
    '',
    'Records:',
    ...Object.entries(run.counts).map(([k, v]) => `  ${k}: ${v}`),
  ];
  return { subject, text: lines.join('\n') };
}

/** A delivery job: the `run_notify_targets` row to call (jobs of the old `{runId, target: <index>}` shape fail as undeliverable). */
const delivery = z.object({ runId: z.string().uuid(), targetId: z.string().regex(/^\d+$/) });

export interface NotificationConsumer {
  /** The `notifications` queue (its events and deliveries), e.g. for the dashboard. */
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Consumes the `notifications` queue (in each gateway): a `run.finished` event updates the run's
 * schedule (failure streak, pause) and fans out one delivery job per webhook and per email, each
 * retried on its own with exponential backoff. Targets are read from Postgres at delivery time,
 * so no URL or address ever sits in Redis.
 */
export async function startNotificationConsumer(options: {
  connection: Redis | Cluster;
  prefix: string;
  pool: pg.Pool;
  /** The `schedules` queue, to remove the scheduler of a schedule it pauses. */
  schedules: Queue;
  settings: NotificationSettings;
  log: Logger;
}): Promise<NotificationConsumer> {
  const { pool, settings, log } = options;
  const queue = new Queue(opsQueues.notifications, { connection: options.connection, prefix: options.prefix });
  queue.on('error', onRedisError(log, 'queue notifications'));
  const deliveryOpts = {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };

  const handle = async (job: Job) => {
    if (job.name === RUN_FINISHED_JOB) {
      const { runId } = z.object({ runId: z.string().uuid() }).parse(job.data);
      // Deliveries first (their job ids make a retry of this event add nothing), then the
      // schedule's failure streak, the one step that must not run twice; nothing after it throws.
      const targets = (await listNotifyTargets(pool, runId)).filter((t) => t.state === 'pending');
      for (const t of targets) {
        await queue.add(
          t.kind === 'webhook' ? WEBHOOK_JOB : EMAIL_JOB,
          { runId, targetId: t.id },
          { ...deliveryOpts, jobId: `${t.kind}-${runId}-${t.id}` },
        );
      }
      const paused = await recordScheduledOutcome({ pool, queue: options.schedules }, runId, settings.maxConsecutiveFailures);
      if (paused) log.warn({ scheduleId: paused.id, reason: paused.pausedReason }, 'schedule paused');
      return { deliveries: targets.length };
    }
    const parsed = delivery.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`nothing to deliver for ${job.name} ${job.id}`);
    const { runId, targetId } = parsed.data;
    const t = await getNotifyTarget(pool, targetId);
    if (!t || t.runId !== runId) throw new UnrecoverableError(`nothing to deliver for ${job.name} ${job.id}`);
    // Delivered already (a job retried after its success was recorded): never twice.
    if (t.state === 'delivered') return { already: true };
    const run = await getRun(pool, runId);
    if (!run) throw new UnrecoverableError(`run ${runId} no longer exists`);
    const dlog = log.child({ runId, delivery: job.id, attempt: job.attemptsMade + 1 });
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      if (t.kind === 'webhook') {
        const summary = runSummary(presentRun(run));
        const status = await postWebhook(
          t.address,
          { event: summary.event, deliveryId: job.id ?? runId, body: summary },
          {
            secret: settings.webhookSecret,
            timeoutMs: settings.webhookTimeoutMs,
            allowPrivate: settings.allowPrivate,
            resolve: settings.resolve,
          },
        );
        await recordNotifyAttempt(pool, t.id, 'delivered');
        dlog.info({ status, host: new URL(t.address).host }, 'webhook delivered');
        return { status };
      }
      if (!settings.smtp) throw new UnrecoverableError('SMTP_HOST is not set: run notification emails cannot be sent');
      await sendMail(settings.smtp, { to: [t.address], ...renderRunMail(presentRun(run)) }, dlog);
      await recordNotifyAttempt(pool, t.id, 'delivered');
      return { sent: true };
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof WebhookRefusedError) {
        await recordNotifyAttempt(pool, t.id, 'refused', message);
        dlog.warn({ err: message }, 'webhook refused');
        throw new UnrecoverableError(message);
      }
      const final = last || err instanceof UnrecoverableError;
      await recordNotifyAttempt(pool, t.id, final ? 'failed' : 'pending', message);
      dlog.warn({ err: message }, final ? 'notification failed; no attempt left' : 'notification failed; will retry');
      throw err;
    }
  };

  const worker = new Worker(opsQueues.notifications, handle, { connection: options.connection, prefix: options.prefix, concurrency: 8 });
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) log.error({ job: job.id, err: err.message }, 'notification given up');
  });
  worker.on('error', onRedisError(log, 'notification consumer'));
  await worker.waitUntilReady();
  if (!settings.webhookSecret) log.warn('WEBHOOK_SECRET is not set: run webhooks are sent unsigned');
  return {
    queue,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
