import { z } from 'zod';

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
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  attempts: z.number().int(),
  worker: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});

export const submittedSchema = z.object({ status: z.literal('ok'), parser_uuid: z.string().uuid() });

export const errorSchema = z.object({
  status: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
