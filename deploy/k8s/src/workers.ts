import { sourceNames } from '@datasync/sources';

/** One worker app of the deployment: its name, the BullMQ queue it consumes, its pnpm package. */
export interface WorkerApp {
  /** `worker-<name>` is its Deployment, ScaledObject and PodDisruptionBudget. */
  name: string;
  /** The queue name (the key prefix adds `<REDIS_PREFIX>:` before it). */
  queue: string;
  /** The workspace package `pnpm --filter … start` runs. */
  app: string;
}

/**
 * Every worker the manifests are rendered for. Nothing in deploy/k8s names a source: the list comes
 * from the source registry, so a new source gets its Deployment, PodDisruptionBudget and ScaledObject
 * by `pnpm k8s:render` alone.
 */
export function workerApps(): WorkerApp[] {
  // A source's queue is named after it (packages/sources).
  return sourceNames.map((name) => ({ name, queue: name, app: `@datasync/worker-${name}` }));
}
