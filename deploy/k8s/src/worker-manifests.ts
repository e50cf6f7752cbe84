import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { IMAGE, podLabels, SECRETS_SECRET, SETTINGS_CONFIGMAP, workerResourceName } from './labels';
import type { WorkerApp } from './workers';

export interface WorkerDeploymentOptions {
  /** terminationGracePeriodSeconds: above SHUTDOWN_GRACE_MS (see settings.ts). */
  graceSeconds: number;
  /** WORKER_HEALTH_PORT: probes on the worker's /health and /ready listener; unset, none. */
  healthPort?: number;
}

/**
 * The probes of a worker with a health listener: started and alive while `/health` answers (a
 * draining worker still does, so it is never restarted mid-drain); ready while `/ready` does, which
 * answers 503 from the SIGTERM on, so `kubectl get pods` shows a draining replica as not ready.
 */
function workerProbes(port: number) {
  const get = (path: string) => ({ httpGet: { path, port } });
  return {
    ports: [{ name: 'health', containerPort: port }],
    // tsx compiles the worker at start: up to two minutes before liveness counts.
    startupProbe: { ...get('/health'), periodSeconds: 2, failureThreshold: 60 },
    livenessProbe: { ...get('/health'), periodSeconds: 20, failureThreshold: 3 },
    readinessProbe: { ...get('/ready'), periodSeconds: 10, failureThreshold: 1 },
  };
}

/**
 * One worker's Deployment: the one image, the worker's start command, every setting from the
 * ConfigMap and the Secret. No `replicas`: its ScaledObject (KEDA's HPA) owns the count, and a
 * `kubectl apply` must not reset it.
 *
 * Probes only with WORKER_HEALTH_PORT (settings.env sets it): no Service sends a worker traffic, so
 * readiness shows state (a draining replica is not ready) rather than routing. Without it, a crash
 * still exits the process (the kubelet restarts it), and a worker that hangs stops renewing its
 * BullMQ job lock, so another replica takes the job after WORKER_LOCK_MS.
 */
export function workerDeployment(worker: WorkerApp, options: WorkerDeploymentOptions): IDeployment {
  const labels = podLabels(`worker-${worker.name}`);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: workerResourceName(worker), labels },
    spec: {
      selector: { matchLabels: labels },
      // A new replica starts before an old one drains: the queue never loses all its consumers.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: options.graceSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'worker',
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command: ['pnpm', '--filter', worker.app, 'start'],
              envFrom: [{ configMapRef: { name: SETTINGS_CONFIGMAP } }, { secretRef: { name: SECRETS_SECRET } }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '768Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              ...(options.healthPort === undefined ? {} : workerProbes(options.healthPort)),
            },
          ],
        },
      },
    },
  };
}

/**
 * At most one replica of a worker evicted at a time (a node drain). `maxUnavailable`, not
 * `minAvailable`: with a single replica the drain still proceeds, and the evicted worker hands its
 * job back on SIGTERM.
 */
export function workerDisruptionBudget(worker: WorkerApp): IPodDisruptionBudget {
  const labels = podLabels(`worker-${worker.name}`);
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: workerResourceName(worker), labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };
}
