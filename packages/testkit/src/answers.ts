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
  createdAt: string;
}

/** `GET /api/schedules`. */
export interface ScheduleList {
  schedules: Schedule[];
}

/** An answer that is `T` on success and an `ErrorAnswer` otherwise (read after checking the status). */
export type OrError<T> = T & ErrorAnswer;
