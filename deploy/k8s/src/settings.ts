import { readFileSync } from 'node:fs';
import { envSchema, loadConfig, redisConnectionOf, type RedisConnection } from '@datasync/config';

/**
 * The KEY=value lines of an env file as kustomize's configMapGenerator and secretGenerator read them
 * (`envs:`): `#` starts a comment line, blank lines are skipped, the value is everything after the
 * first `=`, unquoted.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a KEY=value line: ${line}`);
    values[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return values;
}

export function readEnvFile(file: string): Record<string, string> {
  return parseEnvFile(readFileSync(file, 'utf8'));
}

/** Seconds a pod is given past the drain time: the process closes Redis and Postgres, the kubelet reaps it. */
export const GRACE_MARGIN_SECONDS = 15;

/**
 * `terminationGracePeriodSeconds` for a drain of `shutdownGraceMs` (SHUTDOWN_GRACE_MS): longer, so
 * Kubernetes never SIGKILLs a worker that is still handing back its page.
 */
export function terminationGraceSeconds(shutdownGraceMs: number): number {
  return Math.ceil(shutdownGraceMs / 1000) + GRACE_MARGIN_SECONDS;
}

/** What the rendered worker manifests take from settings.env (the ConfigMap every app reads). */
export interface ClusterSettings {
  /** REDIS_PREFIX, checked as the apps check it: the ScaledObjects watch keys under it. */
  prefix: string;
  /** How the apps reach Redis (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES): KEDA's scaler type follows it. */
  redisMode: RedisConnection['mode'];
  /** WORKER_CONCURRENCY: jobs one replica runs at once, the scalers' target per replica. */
  concurrency: number;
  /** SHUTDOWN_GRACE_MS (default 30 s, as the apps read it). */
  shutdownGraceMs: number;
  /** WORKER_HEALTH_PORT: the workers' /health and /ready listener, which their probes ask; unset, no probes. */
  workerHealthPort?: number;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = envSchema.shape.SHUTDOWN_GRACE_MS.parse(undefined);

export function clusterSettings(settings: Record<string, string>): ClusterSettings {
  const shutdownGraceMs = Number(settings.SHUTDOWN_GRACE_MS ?? DEFAULT_SHUTDOWN_GRACE_MS);
  if (!Number.isInteger(shutdownGraceMs) || shutdownGraceMs <= 0)
    throw new Error(`SHUTDOWN_GRACE_MS must be a positive integer, not ${settings.SHUTDOWN_GRACE_MS}`);
  const workerHealthPort = envSchema.shape.WORKER_HEALTH_PORT.parse(settings.WORKER_HEALTH_PORT);
  if (workerHealthPort === 0) throw new Error('WORKER_HEALTH_PORT must be a fixed port in a pod (the probes name it), not 0');
  if (workerHealthPort !== undefined && settings.WORKER_HEALTH_HOST !== '0.0.0.0')
    throw new Error('WORKER_HEALTH_HOST must be 0.0.0.0 with WORKER_HEALTH_PORT set: the kubelet probes the pod address, not loopback');
  // The apps' own checks: one Redis mode, and on a Cluster a hash-tagged prefix (ConfigError names the variables).
  const config = loadConfig(settings);
  return {
    prefix: config.REDIS_PREFIX,
    redisMode: redisConnectionOf(config).mode,
    concurrency: envSchema.shape.WORKER_CONCURRENCY.parse(settings.WORKER_CONCURRENCY),
    shutdownGraceMs,
    workerHealthPort,
  };
}
