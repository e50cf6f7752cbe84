import { loadConfig, type ConfigSlice } from '@datasync/config';
import { parseKeyRing } from '@datasync/connections';
import { createDb } from '@datasync/db';
import { closeOnSignals, createLogger, type Logger } from '@datasync/logger';
import { answersWithin, startHealthListener, type HealthListener } from './health';
import { createRedis } from './redis';
import { startQueueWorker } from './service';
import { connectionStateMarker, storedConnectionResolver } from './run-connection';
import type { JobDeclarations, SourceConfig, SourceDeclaration } from './source';

export interface RunningWorker {
  close(): Promise<void>;
}

/** A worker as its process runs it: besides `close()` (finish the jobs in hand), the drain on SIGTERM. */
export interface DrainableWorker extends RunningWorker {
  /** Hands the jobs in hand back (or lets them finish) within SHUTDOWN_GRACE_MS, then closes everything. */
  drain(): Promise<void>;
  /** The /health and /ready listener's URL (WORKER_HEALTH_PORT set), else undefined. */
  healthUrl?: string;
  describe: Record<string, unknown>;
}

/**
 * One source's worker in this process: opens Postgres and Redis, loads the source's handlers,
 * consumes its queue (concurrency, locks, the orphan sweep, job attempts and backoff from the
 * config), runs the source's start-up work, until `close()`.
 */
export async function startSourceWorker<Name extends string, Jobs extends JobDeclarations, Slice extends ConfigSlice, Route>(
  source: SourceDeclaration<Name, Jobs, Slice, Route>,
  config: SourceConfig<Slice>,
  log: Logger,
): Promise<DrainableWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: `datasync-worker-${source.name}` });
  const redis = createRedis(config);
  let health: HealthListener | undefined;
  const closeClients = async () => {
    await health?.close();
    redis.disconnect();
    await db.close();
  };
  try {
    const setup = (await source.handlers()).default;
    const runtime = await setup({ config, log, redis, pool: db.pool });
    // Each run opens its connection: stored ones with the key ring (DATASYNC_KEYS), the env one from the config.
    const ring = parseKeyRing(config.DATASYNC_KEYS);
    const running = await startQueueWorker({
      source,
      handlers: runtime.handlers,
      config,
      redis,
      pool: db.pool,
      log,
      connections: storedConnectionResolver(db.pool, ring),
      markConnection: connectionStateMarker(db.pool),
    });
    await runtime.started?.({ config, log, redis, pool: db.pool, queues: running.queues });
    if (config.WORKER_HEALTH_PORT !== undefined) {
      health = await startHealthListener({
        port: config.WORKER_HEALTH_PORT,
        host: config.WORKER_HEALTH_HOST,
        draining: () => running.draining,
        ping: async () => {
          const [redisOk, pgOk] = await Promise.all([
            answersWithin(redis.ping().then((r) => r === 'PONG')),
            answersWithin(db.pool.query('SELECT 1').then(() => true)),
          ]);
          return { redis: redisOk, postgres: pgOk };
        },
      });
    }
    const closeRest = async () => {
      await runtime.close?.();
      await closeClients();
    };
    return {
      describe: runtime.describe ?? {},
      healthUrl: health?.url,
      async close() {
        await running.close();
        await closeRest();
      },
      async drain() {
        await running.drain(config.SHUTDOWN_GRACE_MS);
        await closeRest();
      },
    };
  } catch (err) {
    await closeClients();
    throw err;
  }
}

/**
 * What a worker's `main.ts` runs: the config (shared base + the source's slice), the logger
 * (daily files under LOG_DIR), the worker, and a drain on SIGINT/SIGTERM: the jobs in hand commit
 * their current page and go back to the queue (or finish) within SHUTDOWN_GRACE_MS.
 */
export async function runSourceWorker<Name extends string, Jobs extends JobDeclarations, Slice extends ConfigSlice, Route>(
  source: SourceDeclaration<Name, Jobs, Slice, Route>,
): Promise<void> {
  const config = loadConfig(process.env, source.config) as SourceConfig<Slice>;
  const log = createLogger({ name: `worker-${source.name}`, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
  const worker = await startSourceWorker(source, config, log);
  log.info({ ...worker.describe, concurrency: config.WORKER_CONCURRENCY, health: worker.healthUrl }, `${source.name} worker consuming`);
  closeOnSignals(log, () => worker.drain(), { graceMs: config.SHUTDOWN_GRACE_MS });
}
