import { z } from 'zod';
import { positiveInt } from '@datasync/config';
import { avitoConnection } from './connection';
import { defineSource, type HandlersOf, type SourceRuntime, type SourceConfig } from '@datasync/runs';
import { getAvitoCheck } from './routes/get-avito-check';
import { getAvitoRegion } from './routes/get-avito-region';
import { getAvitoUser } from './routes/get-avito-user';

export const avitoUserParams = z.object({
  user: z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32 lowercase hex characters of the seller hash'),
});

export const avitoRegionParams = z.object({
  search: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  locationId: z.number().int().positive().max(2_147_483_647),
  categoryId: z.number().int().positive().max(2_147_483_647),
});

const jobs = {
  'avito.user': { params: avitoUserParams, summary: "A seller's listings, by the user hash of their profile URL" },
  'avito.region': { params: avitoRegionParams, summary: 'The listings of a search (text, location, category)' },
};
export type AvitoHandlers = HandlersOf<typeof jobs>;
export type AvitoRuntime = SourceRuntime<typeof jobs, AvitoConfig>;

export const avitoConfig = z.object({
  AVITO_BASE_URL: z.string().url().default('http://127.0.0.1:4010/avito'),
  /** The unofficial surface bans fast clients: one request every 30 s by default (reference §6). */
  AVITO_REQUESTS_PER_MINUTE: positiveInt.default(2),
  AVITO_PAGE_SIZE: z.coerce.number().int().min(1).max(50).default(50),
  AVITO_MAX_PAGES: positiveInt.default(100),
  AVITO_MOBILE_KEY: z.string().default('af0deccbgcgidddjgnvljitntccdduijhdinfgjgfjir'),
});
export type AvitoConfig = SourceConfig<typeof avitoConfig>;

/** Avito listings through the mobile surface; its GET routes are the contract existing clients call. */
export const avito = defineSource({
  name: 'avito',
  jobs,
  config: avitoConfig,
  // The mobile key is the app's published one, not an account's.
  credentials: [{ env: 'AVITO_MOBILE_KEY', secret: false }],
  connection: avitoConnection,
  sandbox: {
    upstreams: { AVITO_BASE_URL: '/avito' },
    // The sandbox does not ban; real Avito does (one request every 30 s by default).
    env: { AVITO_REQUESTS_PER_MINUTE: '600' },
    testEnv: { AVITO_REQUESTS_PER_MINUTE: '100000' },
  },
  handlers: () => import('./handlers'),
  example: '/api/avito/region?search=%D1%81%D0%BA%D0%BB%D0%B0%D0%B4',
  routes: [getAvitoUser, getAvitoRegion, getAvitoCheck],
});
