import { z } from 'zod';
import { nextRunAt, type ScheduleRecord } from '@datasync/runs';
import type { GatewayDeps } from '@datasync/api-kit';

export const scheduleIdParams = z.object({ id: z.string().uuid('must be a UUID') });

export const scheduleSchema = z.object({
  id: z.string().uuid(),
  name: z.string().nullable(),
  source: z.string(),
  job: z.string(),
  params: z.record(z.string(), z.unknown()),
  everyMinutes: z.number().nullable(),
  cron: z.string().nullable(),
  timezone: z.string(),
  /** Where run summaries go; webhook URLs shown by host only (a full URL may be a secret). */
  notify: z.array(z.object({ webhook: z.string().optional(), email: z.string().optional() })),
  state: z.enum(['active', 'paused']),
  pausedReason: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  nextRunAt: z.string().nullable(),
  lastTickAt: z.string().nullable(),
  lastTickOutcome: z.string().nullable(),
  lastRunId: z.string().nullable(),
  skippedTicks: z.number().int(),
  /** The connection (account) each tick's run uses; null: the environment connection. */
  connectionId: z.string().uuid().nullable(),
  createdAt: z.string(),
});

export async function presentSchedule(s: ScheduleRecord, deps: GatewayDeps) {
  return {
    id: s.id,
    name: s.name,
    source: s.source,
    job: s.jobName,
    params: s.params,
    everyMinutes: s.everyMs === null ? null : s.everyMs / 60_000,
    cron: s.cron,
    timezone: s.timezone,
    notify: s.notify.map((t) => ({
      ...(t.webhookUrl ? { webhook: `${new URL(t.webhookUrl).origin}/…` } : {}),
      ...(t.email ? { email: t.email } : {}),
    })),
    state: s.enabled ? ('active' as const) : ('paused' as const),
    pausedReason: s.pausedReason,
    consecutiveFailures: s.consecutiveFailures,
    nextRunAt: s.enabled ? ((await nextRunAt(deps.schedules, s.id))?.toISOString() ?? null) : null,
    lastTickAt: s.lastTickAt?.toISOString() ?? null,
    lastTickOutcome: s.lastTickOutcome,
    lastRunId: s.lastRunId,
    skippedTicks: s.skippedTicks,
    connectionId: s.connectionId,
    createdAt: s.createdAt.toISOString(),
  };
}
