import { loadConfig, type ConfigSlice } from '@datasync/config';
import { parseKeyRing } from '@datasync/connections';
import { createDb } from '@datasync/db';
import { closeOnSignals, createLogger, type Logger } from '@datasync/logger';
import { createRedis } from './redis';
import { startQueueWorker } from './service';
import { connectionStateMarker, storedConnectionResolver } from './run-connection';
import type { JobDeclarations, SourceConfig, SourceDeclaration } from './source';

export interface RunningWorker {
  close(): Promise<void>;
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
): Promise<RunningWorker & { describe: Record<string, unknown> }> {
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: `datasync-worker-${source.name}` });
  const redis = createRedis(config.REDIS_URL);
  const closeClients = async () => {
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
    return {
      describe: runtime.describe ?? {},
      async close() {
        await running.close();
        await runtime.close?.();
        await closeClients();
      },
    };
  } catch (err) {
    await closeClients();
    throw err;
  }
}

/**
 * What a worker's `main.ts` runs: the config (shared base + the source's slice), the logger
 * (daily files under LOG_DIR), the worker, and a clean stop on SIGINT/SIGTERM.
 */
export async function runSourceWorker<Name extends string, Jobs extends JobDeclarations, Slice extends ConfigSlice, Route>(
  source: SourceDeclaration<Name, Jobs, Slice, Route>,
): Promise<void> {
  const config = loadConfig(process.env, source.config) as SourceConfig<Slice>;
  const log = createLogger({ name: `worker-${source.name}`, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, logDir: config.LOG_DIR });
  const worker = await startSourceWorker(source, config, log);
  log.info({ ...worker.describe, concurrency: config.WORKER_CONCURRENCY }, `${source.name} worker consuming`);
  closeOnSignals(log, () => worker.close());
}
