import { redisConnectionOf, type Env } from '@datasync/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** What `createRedis` answers: one server or a Sentinel group (a `Redis`), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** The settings `createRedis` reads (a whole config will do). */
export type RedisSettings = Pick<Env, 'REDIS_URL'> &
  Partial<Pick<Env, 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_CLUSTER_NODES' | 'REDIS_PASSWORD'>>;

/**
 * The one place a DataSync process connects to Redis; ioredis does the connecting, whichever the
 * settings say: REDIS_URL, a Sentinel group (asks the sentinels for the master, and again after a
 * failover) or a Redis Cluster (follows MOVED/ASK redirections). By default a connection as BullMQ
 * wants it: no per-command retry limit, so blocking calls wait out a reconnect; `options` override
 * that (e.g. the gateway's rate limiters fail fast). BullMQ duplicates it for its blocking
 * connections, keeping the mode.
 */
export function createRedis(settings: RedisSettings, options: RedisOptions = {}): RedisClient {
  const common: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...options };
  const connection = redisConnectionOf(settings);
  switch (connection.mode) {
    case 'single':
      return new Redis(connection.url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: connection.sentinels,
        name: connection.name,
        password: connection.password,
        sentinelPassword: connection.sentinelPassword,
        // A master demoted to replica answers writes with READONLY: reconnect, asking the sentinels again.
        reconnectOnError: (err) => err.message.startsWith('READONLY'),
      });
    case 'cluster':
      return new Cluster(connection.nodes, {
        redisOptions: { ...common, password: connection.password },
        enableReadyCheck: true,
      });
  }
}
