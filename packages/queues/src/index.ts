import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * What every queue shares: the job envelope, default job options, notification targets and the
 * queues of DataSync itself. The sources' queues and jobs are declared by the sources
 * (`apps/worker-<name>/src/source.ts`) and read through a `JobCatalog` (`catalog.ts`). Payloads
 * only ever gain optional fields, so jobs already queued still validate.
 */

export const defaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} satisfies JobsOptions;

/** The marketplaces DataSync keeps stock with (shared by their worker, the stock ledger and the gateway's stock routes). */
export const MARKETPLACES = ['ozon', 'wb', 'ym'] as const;
export type Marketplace = (typeof MARKETPLACES)[number];

/**
 * What every job carries: the run id is also the BullMQ job id; `connectionId`, the connection
 * (account) the run uses (left out: the environment connection). Never credentials.
 */
export const jobEnvelope = z.object({ runId: z.string().uuid(), params: z.unknown(), connectionId: z.string().uuid().optional() });
export type JobEnvelope = z.infer<typeof jobEnvelope>;

/**
 * Where a run's summary goes when it ends (per request or per schedule). Stored with the run in
 * Postgres, never in job data: a webhook URL may itself be a secret (Slack-style URLs are).
 */
export const notifyTarget = z
  .object({
    webhookUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2000, 'must be at most 2000 characters')
      // Such a URL can never be delivered (fetch refuses credentials in a URL); refused, not retried and lost.
      .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), 'must not contain a user name or password')
      .optional(),
    email: z.email({ error: 'must be an email address' }).max(320).optional(),
  })
  .strict()
  .refine((n) => n.webhookUrl !== undefined || n.email !== undefined, { message: 'give webhookUrl, email or both' });
export type NotifyTarget = z.infer<typeof notifyTarget>;

/**
 * Queues of DataSync itself (not of a source): schedule ticks, and the events and deliveries of
 * notifications. Consumed by the gateway processes.
 */
export const opsQueues = {
  /** One BullMQ job scheduler per schedule; each tick submits a run. */
  schedules: 'schedules',
  /** `run.finished` (one per ended run), `notify.webhook` and `notify.email` deliveries. */
  notifications: 'notifications',
} as const;

export * from './catalog';
