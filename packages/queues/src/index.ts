import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The one catalog of queues: names, job names, payload schemas and default job options, imported
 * by the gateway (producer) and the workers (consumers). Payloads only ever gain optional fields,
 * so jobs already queued still validate.
 */

export const avitoUserParams = z.object({
  user: z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32 lowercase hex characters of the seller hash'),
});

export const avitoRegionParams = z.object({
  search: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  locationId: z.number().int().positive().max(2_147_483_647),
  categoryId: z.number().int().positive().max(2_147_483_647),
});

export const yclientsSyncParams = z.object({
  companyId: z.number().int().positive(),
});

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a valid date');

/** The longest window one IT Resume run loads (days, both ends included). */
export const ITRESUME_MAX_DAYS = 92;

export const itresumeSyncParams = z
  .object({ start: isoDate, end: isoDate })
  .refine((p) => p.start <= p.end, { message: 'start must not be after end', path: ['end'] })
  .refine((p) => (Date.parse(p.end) - Date.parse(p.start)) / 86_400_000 + 1 <= ITRESUME_MAX_DAYS, {
    message: `the window must be at most ${ITRESUME_MAX_DAYS} days`,
    path: ['end'],
  });

export const MARKETPLACES = ['ozon', 'wb', 'ym'] as const;
export type Marketplace = (typeof MARKETPLACES)[number];
const marketplace = z.enum(MARKETPLACES, { error: `must be one of: ${MARKETPLACES.join(', ')}` });

export const marketplacePollParams = z.object({
  marketplace,
  /** orders (with reserves) or returns; both when left out. */
  kind: z.enum(['orders', 'returns'], { error: 'must be orders or returns' }).optional(),
});
export const marketplacePushParams = z.object({
  /** Only this marketplace; every one when left out. */
  marketplace: marketplace.optional(),
});

export const defaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} satisfies JobsOptions;

export const catalog = {
  avito: {
    queue: 'avito',
    source: 'avito',
    jobs: {
      'avito.user': avitoUserParams,
      'avito.region': avitoRegionParams,
    },
  },
  datawiz: {
    queue: 'datawiz',
    source: 'datawiz',
    jobs: {
      'datawiz.sync': z.object({}),
    },
  },
  yclients: {
    queue: 'yclients',
    source: 'yclients',
    jobs: {
      'yclients.sync': yclientsSyncParams,
    },
  },
  marketplaces: {
    queue: 'marketplaces',
    source: 'marketplaces',
    jobs: {
      'marketplaces.catalog': z.object({}),
      'marketplaces.poll': marketplacePollParams,
      'marketplaces.push': marketplacePushParams,
    },
  },
  itresume: {
    queue: 'itresume',
    source: 'itresume',
    jobs: {
      'itresume.sync': itresumeSyncParams,
    },
  },
} as const;

export type Catalog = typeof catalog;
export type SourceName = keyof Catalog;
export type JobName<S extends SourceName = SourceName> = keyof Catalog[S]['jobs'] & string;
export type JobParams<S extends SourceName, J extends JobName<S>> = z.infer<
  Catalog[S]['jobs'][J] extends z.ZodType ? Catalog[S]['jobs'][J] : never
>;

/** What every job carries: the run id is also the BullMQ job id. */
export const jobEnvelope = z.object({ runId: z.string().uuid(), params: z.unknown() });
export type JobEnvelope = z.infer<typeof jobEnvelope>;

export function payloadSchema(source: SourceName, jobName: string): z.ZodType | undefined {
  const jobs = catalog[source].jobs as Record<string, z.ZodType>;
  return jobs[jobName];
}

/**
 * The job's parameters as a request gives them: the same schema, with unknown fields refused (a
 * misspelt `companyID` is named rather than dropped). Workers keep `payloadSchema`, which lets
 * fields added later pass through jobs already queued.
 */
export function requestParamsSchema(source: SourceName, jobName: string): z.ZodType | undefined {
  const schema = payloadSchema(source, jobName);
  return schema instanceof z.ZodObject ? schema.strict() : schema;
}

export const sources = Object.keys(catalog) as SourceName[];

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

/** The job name a source's runs use when the caller names only the source (its only job). */
export function defaultJobName(source: SourceName): string | undefined {
  const names = Object.keys(catalog[source].jobs);
  return names.length === 1 ? names[0] : undefined;
}
