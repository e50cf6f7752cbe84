/**
 * What the gateway answers, as the tests read it. A run is the CLI's `Run` (one definition for the
 * command line and the tests); the rest are the gateway's shared answer shapes
 * (apps/gateway/src/routes/schemas.ts).
 */
export type { GatewayAnswer, Run } from '@datasync/cli';

/** `POST /api/runs` and every sync route: the run's id. */
export interface Submitted {
  status: 'ok';
  parser_uuid: string;
}

export interface FieldError {
  field: string;
  message: string;
}

/** Every refusal: a code and message, and per-field errors for a 400. */
export interface ErrorAnswer {
  status: string;
  error?: { code: string; message: string };
  errors?: FieldError[];
}

/** `GET /api/runs`. */
export interface RunList {
  runs: import('@datasync/cli').Run[];
}

/** `GET /api/runs/:id/log`. */
export interface RunLog {
  lines: Record<string, unknown>[];
}

/** How a test starts a run through the gateway. */
export interface Submit {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/** A schedule as `GET/POST /api/schedules` answer it. */
export interface Schedule {
  id: string;
  name: string | null;
  source: string;
  job: string;
  params: Record<string, unknown>;
  everyMinutes: number | null;
  cron: string | null;
  timezone: string;
  notify: { webhook?: string; email?: string }[];
  state: 'active' | 'paused';
  pausedReason: string | null;
  consecutiveFailures: number;
  nextRunAt: string | null;
  lastTickAt: string | null;
  lastTickOutcome: string | null;
  lastRunId: string | null;
  skippedTicks: number;
  /** The connection each tick's run uses; null: the environment connection. */
  connectionId: string | null;
  createdAt: string;
}

/** `GET /api/schedules`. */
export interface ScheduleList {
  schedules: Schedule[];
}

/** An answer that is `T` on success and an `ErrorAnswer` otherwise (read after checking the status). */
export type OrError<T> = T & ErrorAnswer;

/** The parts of `GET /openapi.json` tests read (JSON Schema as zod's OpenAPI generator writes it). */
export interface OpenApiSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  additionalProperties?: boolean | OpenApiSchema;
  items?: OpenApiSchema;
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
}
export interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema: OpenApiSchema }[];
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
  responses?: Record<string, unknown>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** What a run's webhook receives (`x-datasync-event` names the event). */
export interface RunWebhook {
  event: string;
  run: import('@datasync/cli').Run;
}
