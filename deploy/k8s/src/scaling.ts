import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { podLabels, workerResourceName } from './labels';
import type { WorkerApp } from './workers';

/**
 * The list BullMQ pushes a job onto when it is added without a delay or a priority (LPUSH in
 * addStandardJob), `<prefix>:<queue>:wait`. Not `<queue>:waiting` (a key BullMQ never writes) and
 * not `bull:` unless that is REDIS_PREFIX. A prioritized job goes to the `:prioritized` sorted set
 * and a delayed one (a retry's backoff, a job scheduler's next run) to `:delayed`: KEDA's Redis
 * scaler reads list lengths only (LLEN), so it sees neither; see prometheusQuery.
 */
export function waitingListKey(prefix: string, queue: string): string {
  return `${prefix}:${queue}:wait`;
}

/** The states of `datasync_queue_jobs` the Prometheus alternative counts. */
export const PROMETHEUS_STATES = ['waiting', 'active', 'delayed'] as const;

/**
 * `datasync_queue_jobs` (the gateway's /metrics) of one queue: `waiting` holds the wait list and the
 * prioritized set, `delayed` the retries in backoff and scheduled jobs, `active` the jobs in hand.
 * Every gateway reports the whole deployment's counts, so replicas are collapsed with `max` before
 * the states are added up (a `sum` over gateways would count each job once per gateway).
 */
export function prometheusQuery(queue: string): string {
  return `sum(max by (state) (datasync_queue_jobs{queue="${queue}",state=~"${PROMETHEUS_STATES.join('|')}"}))`;
}

export interface ScalingOptions {
  /** REDIS_PREFIX (on a Cluster with its `{hash tag}`, which the key keeps). */
  prefix: string;
  /** One server, a Sentinel group or a Cluster (default one server): which of KEDA's Redis scalers reads the list. */
  redisMode?: 'single' | 'sentinel' | 'cluster';
  /** Jobs one replica takes at once (WORKER_CONCURRENCY): the target per replica. */
  jobsPerReplica: number;
  minReplicas: number;
  maxReplicas: number;
}

function scaledObject(
  worker: WorkerApp,
  options: ScalingOptions,
  trigger: NonNullable<IScaledObject['spec']['triggers']>[number],
): IScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: workerResourceName(worker), labels: podLabels(`worker-${worker.name}`) },
    spec: {
      scaleTargetRef: { name: workerResourceName(worker) },
      minReplicaCount: options.minReplicas,
      maxReplicaCount: options.maxReplicas,
      pollingInterval: 15,
      // Five quiet minutes before replicas are removed: a burst of runs does not flap the count.
      cooldownPeriod: 300,
      triggers: [trigger],
    },
  };
}

/**
 * How KEDA reaches the Redis the apps use, read from the worker container's environment (KEDA's
 * `…FromEnv`): one server through KEDA_REDIS_ADDRESS (ConfigMap) and KEDA_REDIS_PASSWORD (Secret),
 * since its scaler takes `host:port`, not REDIS_URL; a Sentinel group or a Cluster through the apps'
 * own variables, whose `host:port,host:port` form is the scalers' `addresses`.
 */
const REDIS_TRIGGERS = {
  single: { type: 'redis', metadata: { addressFromEnv: 'KEDA_REDIS_ADDRESS', passwordFromEnv: 'KEDA_REDIS_PASSWORD' } },
  sentinel: {
    type: 'redis-sentinel',
    metadata: {
      addressesFromEnv: 'REDIS_SENTINELS',
      sentinelMasterFromEnv: 'REDIS_SENTINEL_NAME',
      passwordFromEnv: 'REDIS_PASSWORD',
      sentinelPasswordFromEnv: 'REDIS_SENTINEL_PASSWORD',
    },
  },
  cluster: { type: 'redis-cluster', metadata: { addressesFromEnv: 'REDIS_CLUSTER_NODES', passwordFromEnv: 'REDIS_PASSWORD' } },
} as const;

/** Scales a worker on its queue's wait list, with the Redis scaler of the deployment's Redis mode. */
export function redisScaledObject(worker: WorkerApp, options: ScalingOptions): IScaledObject {
  const { type, metadata } = REDIS_TRIGGERS[options.redisMode ?? 'single'];
  return scaledObject(worker, options, {
    type,
    metadata: {
      ...metadata,
      listName: waitingListKey(options.prefix, worker.queue),
      listLength: String(options.jobsPerReplica),
      activationListLength: '0',
    },
  });
}

/**
 * The alternative for delayed and prioritized work: scales on the gateway's `datasync_queue_jobs`
 * through Prometheus, which counts what the wait list does not (see prometheusQuery). With
 * minReplicas 0 it is the one that works: BullMQ moves a due delayed job to the wait list only when
 * a worker asks for its next job, so with no worker running a retry or scheduled run never reaches
 * the list the Redis scaler watches.
 */
export function prometheusScaledObject(worker: WorkerApp, options: ScalingOptions & { serverAddress: string }): IScaledObject {
  return scaledObject(worker, options, {
    type: 'prometheus',
    metadata: {
      serverAddress: options.serverAddress,
      query: prometheusQuery(worker.queue),
      threshold: String(options.jobsPerReplica),
      activationThreshold: '0',
    },
  });
}
