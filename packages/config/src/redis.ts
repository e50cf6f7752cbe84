import { z } from 'zod';

/**
 * Where DataSync's Redis is: one server (REDIS_URL), a Sentinel group (REDIS_SENTINELS +
 * REDIS_SENTINEL_NAME) or a Redis Cluster (REDIS_CLUSTER_NODES). Pure settings; the connecting is
 * ioredis's, in `createRedis` (packages/runs/src/redis.ts).
 */
export interface RedisEndpoint {
  host: string;
  port: number;
}

export type RedisConnection =
  | { mode: 'single'; url: string }
  | { mode: 'sentinel'; sentinels: RedisEndpoint[]; name: string; password?: string; sentinelPassword?: string }
  | { mode: 'cluster'; nodes: RedisEndpoint[]; password?: string };

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/** `host:port,host:port` → endpoints; undefined when an entry is not `host:port`. */
export function parseEndpoints(list: string): RedisEndpoint[] | undefined {
  const out: RedisEndpoint[] = [];
  for (const entry of list.split(',')) {
    const m = HOST_PORT.exec(entry.trim());
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) return undefined;
    out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

const endpoints = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .pipe(
    z
      .string()
      .refine((v) => parseEndpoints(v) !== undefined, 'must be a comma-separated list of host:port')
      .optional(),
  );
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** The Redis part of the environment schema (merged into `envSchema`). */
export const redisEnvShape = {
  /** One Redis server (the password, if any, goes in the URL). Not with REDIS_SENTINELS or REDIS_CLUSTER_NODES. */
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** A Sentinel group: its sentinels as `host:port,host:port`; the master's name in REDIS_SENTINEL_NAME. */
  REDIS_SENTINELS: endpoints,
  REDIS_SENTINEL_NAME: optional,
  /** The sentinels' own password (`requirepass` of the sentinels), if they have one. */
  REDIS_SENTINEL_PASSWORD: optional,
  /** A Redis Cluster: some of its nodes as `host:port,host:port` (the rest are discovered). */
  REDIS_CLUSTER_NODES: endpoints,
  /** The data nodes' password with REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL it goes in the URL). */
  REDIS_PASSWORD: optional,
  /**
   * Every BullMQ, rate-limiter, metrics, run-log and schedule key starts with this, so several
   * deployments can share one Redis. On a Redis Cluster it must hold a hash tag, e.g. `{datasync}`:
   * Redis then keeps every DataSync key in one slot, as BullMQ's scripts and ours need.
   */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]+$/, 'letters, digits and _ . : - { } only')
    .default('datasync'),
};

/**
 * The hash tag Redis Cluster hashes a key starting with `prefix` on: the text between the first `{`
 * and the first `}` after it, when that is not empty (the Cluster specification's rule). Undefined
 * when the prefix has none: then each key hashes whole and keys land in different slots.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

type RedisEnv = z.output<z.ZodObject<typeof redisEnvShape>>;

/**
 * The settings that contradict each other or are missing, as `{path, message}` naming the
 * variables. `raw` is the environment as given: REDIS_URL has a default, so only the raw value says
 * whether it was set.
 */
export function redisSettingsIssues(raw: Record<string, string | undefined>, env: RedisEnv): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const urlSet = (raw.REDIS_URL ?? '').trim() !== '';
  const modes = [urlSet && 'REDIS_URL', env.REDIS_SENTINELS && 'REDIS_SENTINELS', env.REDIS_CLUSTER_NODES && 'REDIS_CLUSTER_NODES'].filter(
    (m): m is string => typeof m === 'string',
  );
  if (modes.length > 1)
    issues.push({
      path: modes.join(', '),
      message: `set one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, not ${modes.join(' and ')}`,
    });
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
    issues.push({ path: 'REDIS_SENTINEL_NAME', message: 'required with REDIS_SENTINELS (the name the sentinels monitor the master by)' });
  if (!env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME)
    issues.push({ path: 'REDIS_SENTINEL_NAME', message: 'set without REDIS_SENTINELS (the sentinels to ask)' });
  if (!env.REDIS_SENTINELS && env.REDIS_SENTINEL_PASSWORD)
    issues.push({ path: 'REDIS_SENTINEL_PASSWORD', message: 'set without REDIS_SENTINELS' });
  if (!env.REDIS_SENTINELS && !env.REDIS_CLUSTER_NODES && env.REDIS_PASSWORD)
    issues.push({
      path: 'REDIS_PASSWORD',
      message: 'only with REDIS_SENTINELS or REDIS_CLUSTER_NODES; with REDIS_URL put the password in the URL',
    });
  if (env.REDIS_CLUSTER_NODES && hashTagOf(env.REDIS_PREFIX) === undefined)
    issues.push({
      path: 'REDIS_PREFIX',
      message: `must hold a hash tag with REDIS_CLUSTER_NODES, e.g. {${env.REDIS_PREFIX.replace(/[{}]/g, '') || 'datasync'}}: BullMQ's scripts and DataSync's own touch several keys at once, which Redis Cluster allows only within one slot`,
    });
  return issues;
}

/** The connection the settings describe (they were checked by `loadConfig`). */
export function redisConnectionOf(
  env: Pick<RedisEnv, 'REDIS_URL'> & Partial<Omit<RedisEnv, 'REDIS_URL' | 'REDIS_PREFIX'>>,
): RedisConnection {
  if (env.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: parseEndpoints(env.REDIS_CLUSTER_NODES)!, password: env.REDIS_PASSWORD };
  if (env.REDIS_SENTINELS)
    return {
      mode: 'sentinel',
      sentinels: parseEndpoints(env.REDIS_SENTINELS)!,
      name: env.REDIS_SENTINEL_NAME!,
      password: env.REDIS_PASSWORD,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    };
  return { mode: 'single', url: env.REDIS_URL };
}
