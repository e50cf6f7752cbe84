import { loadConfig, type Config as Env } from '@datasync/sources';
import { startGateway, type RunningGateway } from '@datasync/gateway';
import { createLogger, type Logger } from '@datasync/logger';
import { testPrefix, TEST_REDIS_URL } from './redis-keys';
import { fastUpstreamSettings, sandboxBaseUrls } from './source-list';

/**
 * Settings for a test stack: fast retries, short locks, its own Redis prefix, everything local.
 * Every source's upstream points at the sandbox (the marketplaces' defaults are the real hosts: a
 * test never reaches them).
 */
export function testEnv(databaseUrl: string, sandboxUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  // A Sentinel group or a Redis Cluster given in `extra` replaces the test Redis (one mode only).
  const ownRedis = extra.REDIS_SENTINELS || extra.REDIS_CLUSTER_NODES;
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    ...(ownRedis ? {} : { REDIS_URL: TEST_REDIS_URL }),
    // Its keys are removed after the test file (test/setup/per-file.ts), and by the global teardown.
    REDIS_PREFIX: testPrefix(),
    GATEWAY_PORT: '0',
    // Tests poll run status in tight loops; the limiter itself is tested with its own low limit.
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
    // Tests probe every route with wrong keys; the wrong-key limit is tested with its default.
    GATEWAY_AUTH_FAILURES_PER_MINUTE: '1000000',
    ...Object.fromEntries(Object.entries(sandboxBaseUrls).map(([name, prefix]) => [name, `${sandboxUrl}${prefix}`])),
    ...fastUpstreamSettings,
    HTTP_TIMEOUT_MS: '5000',
    HTTP_RETRIES: '4',
    HTTP_RETRY_BASE_MS: '20',
    HTTP_RETRY_MAX_MS: '300',
    JOB_ATTEMPTS: '3',
    JOB_BACKOFF_MS: '200',
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '2',
    ...extra,
  };
}

export type WorkerStarter = (config: Env, log: Logger) => Promise<{ close(): Promise<void> }>;

export interface Stack {
  env: Record<string, string>;
  config: Env;
  gateway: RunningGateway;
  close(): Promise<void>;
}

/**
 * The gateway and the given workers in this process, over real HTTP, Redis and Postgres.
 * `workers` is required: a test says which sources it drives (`[]` for none).
 */
export async function startStack(
  env: Record<string, string>,
  /** `log`: the gateway's and workers' logger (a test that reads the lines gives its own). */
  options: { workers: WorkerStarter[]; log?: Logger },
): Promise<Stack> {
  const config = loadConfig(env);
  const log = options.log ?? createLogger({ name: 'test', level: config.LOG_LEVEL });
  const gateway = await startGateway(config, log);
  const workers = await Promise.all(options.workers.map((start) => start(config, log)));
  return {
    env,
    config,
    gateway,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await gateway.close();
    },
  };
}
