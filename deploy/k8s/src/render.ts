import { stringify } from 'yaml';
import { clusterSettings, terminationGraceSeconds } from './settings';
import { prometheusScaledObject, redisScaledObject } from './scaling';
import { workerDeployment, workerDisruptionBudget } from './worker-manifests';
import { workerApps, type WorkerApp } from './workers';

export type Scaler = 'redis' | 'prometheus';

export interface RenderOptions {
  /** settings.env as KEY=value (the ConfigMap every app reads). */
  settings: Record<string, string>;
  scaler: Scaler;
  /** Prometheus' HTTP address, for the `prometheus` scaler. */
  prometheusUrl: string;
  minReplicas: number;
  maxReplicas: number;
  /** The workers to render (default: every worker of the catalog). */
  workers?: WorkerApp[];
}

export const DEFAULT_PROMETHEUS_URL = 'http://prometheus-server.monitoring.svc:80';

/** The manifests `pnpm k8s:render` writes: generated/workers.yaml and generated/scaling.yaml. */
export interface RenderedManifests {
  /** A Deployment and a PodDisruptionBudget per worker. */
  workers: object[];
  /** A KEDA ScaledObject per worker. */
  scaling: object[];
}

export function renderManifests(options: RenderOptions): RenderedManifests {
  const settings = clusterSettings(options.settings);
  const graceSeconds = terminationGraceSeconds(settings.shutdownGraceMs);
  const workers = options.workers ?? workerApps();
  const scaling = {
    prefix: settings.prefix,
    redisMode: settings.redisMode,
    jobsPerReplica: settings.concurrency,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
  };
  return {
    workers: workers.flatMap((w) => [
      workerDeployment(w, { graceSeconds, healthPort: settings.workerHealthPort }),
      workerDisruptionBudget(w),
    ]),
    scaling: workers.map((w) =>
      options.scaler === 'redis'
        ? redisScaledObject(w, scaling)
        : prometheusScaledObject(w, { ...scaling, serverAddress: options.prometheusUrl }),
    ),
  };
}

/** A multi-document YAML file. */
export function toYaml(objects: object[], header: string): string {
  return `${header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n${objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('')}`;
}
