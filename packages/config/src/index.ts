import { isIP } from 'node:net';
import { z } from 'zod';
import { redisEnvShape, redisSettingsIssues } from './redis';

export { startNodeArgs } from './start-node-args';
export { hashTagOf, parseEndpoints, redisConnectionOf, type RedisConnection, type RedisEndpoint } from './redis';

/**
 * The one environment schema of DataSync. It is parsed once at start-up (`loadConfig`); every app
 * takes the part it needs and passes it on as arguments. Nothing else reads `process.env`.
 */
export const port = z.coerce.number().int().min(0).max(65535);
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const positiveInt = z.coerce.number().int().positive();
/** The largest value an `int4` column (e.g. `schedules.every_ms`) holds. */
export const INT4_MAX = 2_147_483_647;
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
  /**
   * Where migrations connect when DATABASE_URL goes through a pooler that cannot run them (PgBouncer
   * in transaction mode: README "PgBouncer"). Unset: DATABASE_URL. The apps never use it.
   */
  DIRECT_DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: positiveInt.default(10),
  /**
   * Whether the gateway's hot statement (a batch of run submissions) is a named prepared statement,
   * parsed and planned once per connection. `auto` (default): yes, unless DIRECT_DATABASE_URL is
   * set — the sign of a pooler in front (README "PgBouncer"): PgBouncer in transaction mode before
   * 1.21 does not keep a prepared statement for the next transaction. `preparedStatementsOf` resolves it.
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(['auto', 'true', 'false']).default('auto'),
  ...redisEnvShape,

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
  /** Items of one JSON list (or fields of one object): generous, as one promotion a client creates may list tens of thousands of products. */
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
  /**
   * How long a stopping process (SIGTERM, SIGINT) may take: a worker's job in hand commits its
   * current page and goes back to the queue, or finishes, within this; then the process exits.
   * Kubernetes' terminationGracePeriodSeconds must be longer (deploy/k8s renders it from this).
   */
  SHUTDOWN_GRACE_MS: positiveInt.default(30_000),
  /** A worker's /health and /ready listener (`0`: a free port, logged). Unset: none. */
  WORKER_HEALTH_PORT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), port.optional()),
  /** Where that listener binds (0.0.0.0 in a pod, so the kubelet's probes reach it). */
  WORKER_HEALTH_HOST: z.string().default('127.0.0.1'),
  JOB_ATTEMPTS: positiveInt.default(3),
  JOB_BACKOFF_MS: positiveInt.default(5_000),

  HTTP_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_RETRIES: z.coerce.number().int().min(0).default(5),
  HTTP_RETRY_BASE_MS: positiveInt.default(500),
  HTTP_RETRY_MAX_MS: positiveInt.default(60_000),

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
  /**
   * Group commit of run submissions (packages/runs/README.md "Group commit"): how long, in ms, the
   * first submission of a batch waits for others (0: only those of the same event-loop turn), and
   * the most one transaction stores (1: every submission alone), and how many batches are written at
   * once (each holds a pool connection while it is).
   */
  RUN_GROUP_COMMIT_WINDOW_MS: z.coerce.number().int().min(0).max(50).default(1),
  RUN_GROUP_COMMIT_MAX_BATCH: positiveInt.max(1000).default(200),
  RUN_GROUP_COMMIT_MAX_IN_FLIGHT: positiveInt.max(64).default(4),
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
  /**
   * The master keys that wrap connections' data keys (packages/connections `key-ring.ts`):
   * `{"current":"<key id>","keys":{"<key id>":"<base64 of 32 random bytes>",…}}`. Unset: no
   * credentials can be stored (503 naming this variable); the environment's own still work.
   */
  DATASYNC_KEYS: optionalString,
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

/** A source's part of the environment (its base URL, credentials, limits), declared in its folder. */
export type ConfigSlice = z.ZodObject;

/** The base schema with every slice given merged in. */
export function mergedEnvSchema(...slices: readonly ConfigSlice[]): z.ZodObject {
  let schema: z.ZodObject = envSchema;
  for (const slice of slices) schema = schema.extend(slice.shape);
  return schema;
}

type SliceValues<S extends readonly ConfigSlice[]> = S extends readonly [
  infer H extends ConfigSlice,
  ...infer T extends readonly ConfigSlice[],
]
  ? z.infer<H> & SliceValues<T>
  : unknown;

/** The configuration of an app: the shared base plus the slices of the sources it serves. */
export type Config<S extends readonly ConfigSlice[] = []> = Env & SliceValues<S>;

/**
 * Parses the environment once, with the slices of the sources the app serves. Throws ConfigError
 * naming every bad variable.
 */
export function loadConfig<const S extends readonly ConfigSlice[] = []>(
  env: Record<string, string | undefined> = process.env,
  ...slices: S
): Config<S> {
  const parsed = mergedEnvSchema(...slices).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const config = parsed.data as Config<S>;
  // Across variables: exactly one way to reach Redis, and on a Cluster a hash-tagged prefix.
  const redisIssues = redisSettingsIssues(env, config as Env);
  if (redisIssues.length > 0) throw new ConfigError(redisIssues);
  return config;
}

/** DATABASE_PREPARED_STATEMENTS resolved: `auto` is on unless DIRECT_DATABASE_URL says a pooler is in front. */
export function preparedStatementsOf(config: Pick<Env, 'DATABASE_PREPARED_STATEMENTS' | 'DIRECT_DATABASE_URL'>): boolean {
  if (config.DATABASE_PREPARED_STATEMENTS === 'auto') return config.DIRECT_DATABASE_URL === undefined;
  return config.DATABASE_PREPARED_STATEMENTS === 'true';
}

/** Where migrations connect: DIRECT_DATABASE_URL when set (past a transaction-mode pooler), else DATABASE_URL. */
export function migrationDatabaseUrl(config: Pick<Env, 'DATABASE_URL' | 'DIRECT_DATABASE_URL'>): string {
  return config.DIRECT_DATABASE_URL ?? config.DATABASE_URL;
}
