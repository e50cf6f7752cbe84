import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The one environment schema of DataSync. It is parsed once at start-up (`loadConfig`); every app
 * takes the part it needs and passes it on as arguments. Nothing else reads `process.env`.
 */
const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();
/** The largest value an `int4` column (e.g. `schedules.every_ms`) holds. */
const INT4_MAX = 2_147_483_647;
/** Express `trust proxy` keywords (proxy-addr): the address ranges they stand for. */
const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyEntry = (entry: string) => {
  if (PROXY_KEYWORDS.includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address || !isIP(address)) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
};

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_DIR: optionalString,
  LOG_PRETTY: bool,

  DATABASE_URL: z.string().min(1).default('postgresql://postgres@127.0.0.1:5432/datasync'),
  DATABASE_POOL_MAX: positiveInt.default(10),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Every BullMQ and rate-limiter key starts with this, so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
    .default('datasync'),

  GATEWAY_PORT: port.default(3000),
  /** Unset: 127.0.0.1 when there is no GATEWAY_API_KEY, else 0.0.0.0. */
  GATEWAY_HOST: optionalString,
  GATEWAY_API_KEY: optionalString,
  GATEWAY_BODY_LIMIT: z.string().default('1mb'),
  /** Requests a minute per client to /api, counted in Redis so every gateway of the deployment shares it. */
  GATEWAY_RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  /**
   * Wrong API keys a client may present in a minute; past it, every request from that client is
   * answered 429 until the minute is over, even with the right key (else guessing would go on).
   */
  GATEWAY_AUTH_FAILURES_PER_MINUTE: positiveInt.default(10),
  /**
   * The proxies whose `X-Forwarded-For` is believed (comma-separated addresses, CIDR ranges, or
   * loopback / linklocal / uniquelocal). Unset: none; a client is its TCP peer, so a forged header
   * cannot give it a fresh rate-limit bucket.
   */
  GATEWAY_TRUST_PROXY: optionalString.pipe(
    z
      .string()
      .refine(
        (v) => v.split(',').every((e) => isProxyEntry(e.trim())),
        'must be a comma-separated list of IP addresses, CIDR ranges, or loopback / linklocal / uniquelocal',
      )
      .optional(),
  ),
  /** A JSON body may nest objects and lists this deep; refused (400 naming the field) before any validation. */
  GATEWAY_JSON_MAX_DEPTH: positiveInt.default(32),
  /** Items of one JSON list (or fields of one object): generous, as a Datawiz promotion may list tens of thousands of products. */
  GATEWAY_JSON_MAX_ITEMS: positiveInt.default(100_000),
  /** Characters of one JSON string. */
  GATEWAY_JSON_MAX_STRING: positiveInt.default(100_000),
  /** A request (headers and body) must arrive within this; headers within the smaller of this and 10 s. */
  GATEWAY_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  PUBLIC_URL: optionalString,

  SANDBOX_PORT: port.default(4010),
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_SEED: z.coerce.number().int().default(42),
  /** The sandbox's mail catcher (an SMTP server keeping what it receives, listed at /mail); `pnpm start` sets 2525. Unset: none. */
  SANDBOX_SMTP_PORT: port.optional(),
  /** JSON list of fault rules applied from start-up (see apps/sandbox/README.md). */
  SANDBOX_FAULTS: optionalString,

  WORKER_CONCURRENCY: positiveInt.default(2),
  /** How long a job's lock lives without renewal; a killed worker's job is retaken after about this. */
  WORKER_LOCK_MS: positiveInt.default(30_000),
  WORKER_STALLED_INTERVAL_MS: positiveInt.default(15_000),
  /** How often a worker re-enqueues runs whose job vanished from Redis (a Redis that lost data). */
  WORKER_ORPHAN_SWEEP_MS: positiveInt.default(60_000),
  JOB_ATTEMPTS: positiveInt.default(3),
  JOB_BACKOFF_MS: positiveInt.default(5_000),

  HTTP_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_RETRIES: z.coerce.number().int().min(0).default(5),
  HTTP_RETRY_BASE_MS: positiveInt.default(500),
  HTTP_RETRY_MAX_MS: positiveInt.default(60_000),

  AVITO_BASE_URL: z.string().url().default('http://127.0.0.1:4010/avito'),
  /** The unofficial surface bans fast clients: one request every 30 s by default (reference §6). */
  AVITO_REQUESTS_PER_MINUTE: positiveInt.default(2),
  AVITO_PAGE_SIZE: z.coerce.number().int().min(1).max(50).default(50),
  AVITO_MAX_PAGES: positiveInt.default(100),
  AVITO_MOBILE_KEY: z.string().default('af0deccbgcgidddjgnvljitntccdduijhdinfgjgfjir'),

  DATAWIZ_BASE_URL: z.string().url().default('http://127.0.0.1:4010/datawiz'),
  /** OAuth2 password grant (secrets: never logged, never in job payloads or run params). */
  DATAWIZ_CLIENT_ID: optionalString,
  DATAWIZ_CLIENT_SECRET: optionalString,
  DATAWIZ_USERNAME: optionalString,
  DATAWIZ_PASSWORD: optionalString,
  /** Rows per list page (the API caps page_size at 1000). */
  DATAWIZ_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
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

  /**
   * One base URL per marketplace API family, defaulting to the real hosts (reference §0: WB serves
   * each family on its own host); `pnpm start` and the tests point every one at the sandbox.
   */
  OZON_BASE_URL: z.string().url().default('https://api-seller.ozon.ru'),
  /** Secrets: never logged, never put in job data or answers. */
  OZON_CLIENT_ID: optionalString,
  OZON_API_KEY: optionalString,
  /** WB FBS orders, seller warehouses, stocks. */
  WB_MARKETPLACE_BASE_URL: z.string().url().default('https://marketplace-api.wildberries.ru'),
  /** WB product cards. */
  WB_CONTENT_BASE_URL: z.string().url().default('https://content-api.wildberries.ru'),
  /** WB seller analytics (the goods-return report). */
  WB_ANALYTICS_BASE_URL: z.string().url().default('https://seller-analytics-api.wildberries.ru'),
  WB_TOKEN: optionalString,
  YM_BASE_URL: z.string().url().default('https://api.partner.market.yandex.ru'),
  YM_API_KEY: optionalString,
  /** How often each marketplace is polled for orders, reserves and returns; 0 disables the schedule. */
  MARKETPLACES_POLL_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(60_000),
  /** How often a push runs even without ledger changes (retries of failed items); 0 disables it. */
  MARKETPLACES_PUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(60_000),
  /** How often the catalogue (products and warehouses) is read again from every marketplace; 0 disables it. */
  MARKETPLACES_CATALOG_INTERVAL_MS: z.coerce.number().int().min(0).max(INT4_MAX).default(3_600_000),
  /** First wait before a failed push item is tried again; doubles per attempt, at most 10 minutes (Ozon: 30 s per pair). */
  MARKETPLACES_PUSH_RETRY_MS: positiveInt.default(30_000),
  /** Re-read this much before the last poll's cursor (reference §5.3). */
  MARKETPLACES_POLL_OVERLAP_MS: z.coerce.number().int().min(0).default(10 * 60_000),
  /** The first poll of a marketplace looks this far back; orders already shipped or cancelled then are history and move no stock. */
  MARKETPLACES_FIRST_POLL_DAYS: z.coerce.number().int().min(1).max(30).default(14),
  /** Items per stock push request (reference §0: Ozon 100 pairs, WB 1000, YM 2000). */
  OZON_STOCK_BATCH: z.coerce.number().int().min(1).max(100).default(100),
  WB_STOCK_BATCH: z.coerce.number().int().min(1).max(1000).default(1000),
  YM_STOCK_BATCH: z.coerce.number().int().min(1).max(2000).default(2000),
  /** The marketplaces' request limits are the documented ones, per method (apps/worker-marketplaces/README.md "Limits"). */
  /**
   * Ozon takes one stock update per (product, warehouse) every 30 s; a repeat is held back this long
   * (30 s + 1 s for the way there). Lower it only against a fake whose own interval is lowered too.
   */
  OZON_STOCK_PAIR_INTERVAL_MS: positiveInt.default(31_000),

  /** Service-account key file (JSON). Unset: the Sheets export is skipped with a note. */
  GOOGLE_SERVICE_ACCOUNT_FILE: optionalString,
  GOOGLE_SHEETS_SPREADSHEET_ID: optionalString,
  GOOGLE_SHEETS_SHEET_NAME: z.string().default('Daily'),
  /** Overrides https://sheets.googleapis.com (the sandbox: http://127.0.0.1:4010/sheets). */
  GOOGLE_SHEETS_BASE_URL: optionalString,

  /** Unset: the email report is skipped with a note. */
  SMTP_HOST: optionalString,
  SMTP_PORT: port.default(587),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_SECURE: bool,
  SMTP_FROM: z.string().default('DataSync <datasync@localhost>'),
  /** Comma-separated addresses. */
  REPORT_RECIPIENTS: optionalString,

  /** The shortest interval a schedule may have (tests lower it to a second). */
  SCHEDULE_MIN_INTERVAL_SECONDS: positiveInt.default(60),
  /** Schedules one source may have (the ones DataSync keeps itself included); one more is refused with 429. */
  SCHEDULE_MAX_PER_SOURCE: positiveInt.default(100),
  /**
   * Runs of one source that may wait in the queue (state `queued`) at once; a request for one more
   * distinct run is refused with 429 (asking again for a run already queued still answers it).
   */
  RUN_MAX_QUEUED_PER_SOURCE: positiveInt.default(1000),
  /** A schedule whose runs failed this many times in a row is paused, with the reason shown. */
  SCHEDULE_MAX_CONSECUTIVE_FAILURES: positiveInt.default(3),
  /** Signs webhook bodies (HMAC-SHA256, `X-DataSync-Signature`); unset: webhooks go unsigned, with a warning. */
  WEBHOOK_SECRET: optionalString,
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** Attempts of one notification (webhook call or email), with exponential backoff from NOTIFY_BACKOFF_MS. */
  NOTIFY_ATTEMPTS: positiveInt.default(8),
  NOTIFY_BACKOFF_MS: positiveInt.default(2_000),
  /**
   * Webhooks to loopback, private, link-local, unique-local or cloud metadata addresses are refused
   * (checked on the address connected to); `true` allows them (a receiver on this machine or LAN).
   */
  NOTIFY_ALLOW_PRIVATE: bool,
  /** At most this many notification targets (each webhook URL, each email) per run; more answer 429. */
  NOTIFY_MAX_TARGETS_PER_RUN: positiveInt.default(20),
  /** The last this many log lines of each run are kept (GET /api/runs/:id/log), for RUN_LOG_TTL_DAYS. */
  RUN_LOG_MAX_LINES: positiveInt.default(1000),
  RUN_LOG_TTL_DAYS: positiveInt.default(7),
  /** The command line's gateway (default http://127.0.0.1:GATEWAY_PORT); it sends GATEWAY_API_KEY. */
  GATEWAY_URL: optionalString.pipe(z.string().url('must be a URL').optional()),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once. Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Env {
  // Silently ignoring it would send WB traffic to the real hosts.
  if (env.WB_BASE_URL) {
    throw new ConfigError([{ path: 'WB_BASE_URL', message: 'replaced by WB_MARKETPLACE_BASE_URL, WB_CONTENT_BASE_URL and WB_ANALYTICS_BASE_URL (one per WB host)' }]);
  }
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}

/** The upstream base URLs the sandbox serves, by variable name; `pnpm start` fills the unset ones. */
export const sandboxUpstreams = {
  AVITO_BASE_URL: '/avito',
  DATAWIZ_BASE_URL: '/datawiz',
  YCLIENTS_BASE_URL: '/yclients/api/v1',
  ITRESUME_BASE_URL: '/itresume',
  OZON_BASE_URL: '/ozon',
  WB_MARKETPLACE_BASE_URL: '/wb/marketplace',
  WB_CONTENT_BASE_URL: '/wb/content',
  WB_ANALYTICS_BASE_URL: '/wb/analytics',
  YM_BASE_URL: '/ym',
} as const;
