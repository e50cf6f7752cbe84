import { z } from 'zod';
import { listAudit } from '@datasync/connections';
import { errorSchema, parseOr400, type Route } from '@datasync/api-kit';

const query = z.strictObject({
  connectionId: z.string().uuid('must be a UUID').optional().describe('Only the events of this connection'),
  since: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-12-07T10:00:00Z' })
    .optional()
    .describe('Only events at or after this time'),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 1000')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000'))
    .optional(),
});

const auditEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  /** The API key's id (`key:<fingerprint>`), `anonymous` without GATEWAY_API_KEY, `cli` or `worker`. */
  actor: z.string(),
  connectionId: z.string().nullable(),
  action: z.enum(['created', 'updated', 'deleted', 'rotated', 'credentials.read', 'tested']),
  detail: z.record(z.string(), z.unknown()),
});

export const listAuditRoute: Route = {
  method: 'get',
  path: '/api/audit',
  summary:
    'Who did what to which connection, and when (created, updated, deleted, rotated, tested, credentials read for a run), newest first',
  tag: 'connections',
  query,
  responses: {
    200: { description: 'At most `limit` (default 100) events', schema: z.object({ events: z.array(auditEventSchema) }) },
    400: { description: 'A malformed filter', schema: errorSchema },
  },
  async handle(input, deps) {
    const q = parseOr400(query, input.query);
    const events = await listAudit(deps.pool, {
      connectionId: q.connectionId,
      since: q.since ? new Date(q.since) : undefined,
      limit: q.limit ?? 100,
    });
    return { body: { events: events.map((e) => ({ ...e, at: e.at.toISOString() })) } };
  },
};
