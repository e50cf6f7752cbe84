import { z } from 'zod';
import { forbiddenLiteral } from '@datasync/notifications';
import { notifyTarget, type NotifyTarget } from '@datasync/queues';
import { InvalidRequestError, parseOr400 } from './errors';
import type { GatewayDeps } from './route';

/** Query-string numbers: digits only (no signs, exponents or spaces), as an integer. */
export const queryId = (label: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${label} must be a positive whole number`)
    .transform(Number)
    .pipe(z.number().int().positive(`${label} must be a positive whole number`).max(2_147_483_647, `${label} is too large`));

export const runIdSchema = z.string().uuid('must be a UUID');

export const runStateSchema = z.enum(['queued', 'running', 'done', 'failed']);

export const runSchema = z.object({
  id: z.string().uuid(),
  source: z.string(),
  jobName: z.string(),
  params: z.unknown(),
  state: runStateSchema,
  progress: z.record(z.string(), z.unknown()),
  /** 0–100 when the source's progress says how far it is, else null. */
  percent: z.number().nullable(),
  /** The entity the run is on, when its worker announced a plan (`progress.plan`): e.g. records, 6 of 9. */
  step: z.object({ entity: z.string(), number: z.number().int(), of: z.number().int() }).nullable(),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  attempts: z.number().int(),
  worker: z.string().nullable(),
  scheduleId: z.string().uuid().nullable(),
  /** The backfill (parent run) this run is one chunk of. */
  parentRunId: z.string().uuid().nullable(),
  /** Set on a backfill's parent: how many child runs its window was cut into. */
  childrenTotal: z.number().int().nullable(),
  /** Streams this run reads again from the start (`resync`). */
  resync: z.array(z.string()),
  /** `schedule` when a schedule's tick started the run, else `manual` (the API, the CLI). */
  trigger: z.enum(['manual', 'schedule']),
  /** A scheduled run that found nothing to do (left out of `GET /api/runs` unless `idle=true`). */
  idle: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});

/** One run with, for a backfill's parent, its child runs (first chunk first). */
export const runWithChildrenSchema = runSchema.extend({ children: z.array(runSchema).optional() });

export const submittedSchema = z.object({ status: z.literal('ok'), parser_uuid: z.string().uuid() });

export const errorSchema = z.object({
  status: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

const withNotify = z.object({ notify: notifyTarget.optional() }).loose();

/**
 * A sync body's optional `notify: {webhookUrl?, email?}` (who hears when the run ends), taken
 * apart from the source's own parameters; its errors are field errors like any other.
 */
export function takeNotify(body: unknown, deps: GatewayDeps): { notify?: NotifyTarget[]; rest: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('notify' in body)) return { rest: body };
  const { notify, ...rest } = parseOr400(withNotify, body);
  assertDeliverable(notify, deps, 'notify.email');
  return { notify: notify ? [notify] : undefined, rest };
}

/**
 * Targets that could never be delivered are refused up front: an email on a gateway without SMTP,
 * a webhook to a literal loopback/private/link-local address without NOTIFY_ALLOW_PRIVATE (names
 * are checked again on the address connected to, at delivery). `field` names the email field
 * (`notify.email`, or `notifyEmail` in a query); the webhook's is named alike.
 */
export function assertDeliverable(target: NotifyTarget | undefined, deps: GatewayDeps, field: string): void {
  if (target?.webhookUrl && !deps.settings.notifyAllowPrivate) {
    const range = forbiddenLiteral(new URL(target.webhookUrl));
    if (range) {
      const webhookField = field.replace(/email$/, 'webhookUrl').replace(/Email$/, 'WebhookUrl');
      throw new InvalidRequestError([
        { field: webhookField, message: `must not point at a ${range} address (NOTIFY_ALLOW_PRIVATE is not set)` },
      ]);
    }
  }
  if (target?.email && !deps.settings.emailEnabled) {
    throw new InvalidRequestError([{ field, message: 'cannot be sent: SMTP_HOST is not set on this deployment' }]);
  }
}

export const notifyDoc = { notify: notifyTarget.optional() };

/** The same for routes that take their input in the query string: `notifyWebhookUrl` and `notifyEmail`. */
export const queryNotifyDoc = {
  notifyWebhookUrl: notifyTarget.shape.webhookUrl,
  notifyEmail: notifyTarget.shape.email,
};
const queryNotify = z.object(queryNotifyDoc).loose();

export function takeQueryNotify(query: unknown, deps: GatewayDeps): NotifyTarget[] | undefined {
  const q = parseOr400(queryNotify, query ?? {});
  if (q.notifyWebhookUrl === undefined && q.notifyEmail === undefined) return undefined;
  const target = { webhookUrl: q.notifyWebhookUrl, email: q.notifyEmail };
  assertDeliverable(target, deps, 'notifyEmail');
  return [target];
}

/**
 * `?includeDeleted=true` on read routes: rows a complete pass marked deleted (`deleted_at`) are
 * hidden unless asked for. Only `true` and `false` are accepted.
 */
export const includeDeletedQuery = z.enum(['true', 'false'], { error: 'must be true or false' }).optional();
/** The SQL condition hiding deleted rows unless `includeDeleted` is `true` (`alias.` prefixes the column). */
export const deletedFilter = (includeDeleted: 'true' | 'false' | undefined, alias = ''): string =>
  includeDeleted === 'true' ? 'TRUE' : `${alias}deleted_at IS NULL`;
