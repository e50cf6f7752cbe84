import { z } from 'zod';
import { optionalString, positiveInt } from '@datasync/config';
import { yclientsConnection } from './connection';
import { defineSource, type HandlersOf, type SourceRuntime, type SourceConfig } from '@datasync/runs';

export const yclientsSyncParams = z.object({
  companyId: z.number().int('must be an integer').positive('must be positive'),
});

const jobs = {
  'yclients.sync': {
    params: yclientsSyncParams,
    summary: 'One company: staff, services, clients, records, transactions, incrementally',
    route: {
      path: '/api/yclients/sync',
      summary: 'Export a YClients company (staff, services, clients, records, transactions) into Postgres, incrementally',
    },
  },
};
export type YclientsHandlers = HandlersOf<typeof jobs>;
export type YclientsRuntime = SourceRuntime<typeof jobs, YclientsConfig>;

export const yclientsConfig = z.object({
  YCLIENTS_BASE_URL: z.string().url().default('http://127.0.0.1:4010/yclients/api/v1'),
  /** Secrets: never logged, never put in job data or answers. A sync without a partner token fails clearly. */
  YCLIENTS_PARTNER_TOKEN: optionalString,
  /** A fixed user token; or YCLIENTS_LOGIN + YCLIENTS_PASSWORD to get one (and a fresh one after a 401). */
  YCLIENTS_USER_TOKEN: optionalString,
  YCLIENTS_LOGIN: optionalString,
  YCLIENTS_PASSWORD: optionalString,
  /** Budget shared by every worker process (reference §2.6: 5/s and 200/min per IP). */
  YCLIENTS_REQUESTS_PER_SECOND: positiveInt.default(4),
  YCLIENTS_REQUESTS_PER_MINUTE: positiveInt.default(180),
  YCLIENTS_PAGE_SIZE: z.coerce.number().int().min(1).max(200).default(200),
});
export type YclientsConfig = SourceConfig<typeof yclientsConfig>;

/** YClients (salons): one company per run, loaded incrementally. */
export const yclients = defineSource({
  name: 'yclients',
  jobs,
  config: yclientsConfig,
  credentials: [
    { env: 'YCLIENTS_PARTNER_TOKEN', secret: true },
    { env: 'YCLIENTS_USER_TOKEN', secret: true },
    { env: 'YCLIENTS_LOGIN', secret: false },
    { env: 'YCLIENTS_PASSWORD', secret: true },
  ],
  connection: yclientsConnection,
  sandbox: {
    upstreams: { YCLIENTS_BASE_URL: '/yclients/api/v1' },
    credentials: [
      {
        upstream: 'YCLIENTS_BASE_URL',
        path: '/yclients/_control/credentials',
        env: { YCLIENTS_PARTNER_TOKEN: 'partnerToken', YCLIENTS_LOGIN: 'login', YCLIENTS_PASSWORD: 'password' },
      },
    ],
  },
  handlers: () => import('./handlers'),
  bench: () => import('./bench'),
});
