import { z } from 'zod';
import { optionalString } from '@datasync/config';
import { itresumeConnection } from './connection';
import { defineSource, type HandlersOf, type SourceRuntime, type SourceConfig } from '@datasync/runs';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'is not a valid date',
  );

/** The longest window one IT Resume run loads (days, both ends included). */
export const ITRESUME_MAX_DAYS = 92;

/** Both dates are UTC calendar days, both included; one run loads them day by day. */
export const itresumeSyncParams = z
  .object({ start: isoDate, end: isoDate })
  .refine((p) => p.start <= p.end, { message: 'start must not be after end', path: ['end'] })
  .refine((p) => (Date.parse(p.end) - Date.parse(p.start)) / 86_400_000 + 1 <= ITRESUME_MAX_DAYS, {
    message: `the window must be at most ${ITRESUME_MAX_DAYS} days`,
    path: ['end'],
  });

const jobs = {
  'itresume.sync': {
    params: itresumeSyncParams,
    summary: 'Attempts of a window of days, with the daily statistics (Sheets, email) when configured',
    route: {
      path: '/api/itresume/sync',
      summary: `Load IT Resume attempts for a window of days (YYYY-MM-DD, both included, at most ${ITRESUME_MAX_DAYS} days)`,
    },
  },
};
export type ItResumeHandlers = HandlersOf<typeof jobs>;
export type ItResumeRuntime = SourceRuntime<typeof jobs, ItResumeConfig>;

export const itresumeConfig = z.object({
  ITRESUME_BASE_URL: z.string().url().default('http://127.0.0.1:4010/itresume'),
  ITRESUME_CLIENT: z.string().default('Sandboxschool'),
  /** Sent in the query string (the API's only auth); never logged, never in run params. */
  ITRESUME_CLIENT_KEY: optionalString,
  /** The zone whose "yesterday" the daily run loads. */
  ITRESUME_TIMEZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone')
    .default('Europe/Moscow'),
  /** HH:MM in ITRESUME_TIMEZONE; empty disables the daily schedule. */
  ITRESUME_DAILY_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$|^$/, 'must be HH:MM')
    .default('06:00'),
});
export type ItResumeConfig = SourceConfig<typeof itresumeConfig>;

/** IT Resume (a school's task attempts): a window of days per run, and a daily load of yesterday. */
export const itresume = defineSource({
  name: 'itresume',
  jobs,
  config: itresumeConfig,
  credentials: [
    { env: 'ITRESUME_CLIENT', secret: false },
    { env: 'ITRESUME_CLIENT_KEY', secret: true },
  ],
  connection: itresumeConnection,
  sandbox: {
    upstreams: { ITRESUME_BASE_URL: '/itresume' },
    // The fake's published test credentials (GET /itresume/_control/credentials); not a secret.
    credentials: [
      {
        upstream: 'ITRESUME_BASE_URL',
        path: '/itresume/_control/credentials',
        env: { ITRESUME_CLIENT: 'client', ITRESUME_CLIENT_KEY: 'client_key' },
      },
    ],
  },
  handlers: () => import('./handlers'),
});
