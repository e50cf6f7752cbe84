import { catalog, sources } from '@datasync/queues';

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
 * from the queue catalog, so a new source gets its Deployment, PodDisruptionBudget and ScaledObject
 * by `pnpm k8s:render` alone.
 */
export function workerApps(): WorkerApp[] {
  // THE WORKER LIST: point this line at the source registry (@datasync/sources) once it exists.
  const names = sources.map((source) => ({ name: source as string, queue: catalog[source].queue as string }));
  return names.map(({ name, queue }) => ({ name, queue, app: `@datasync/worker-${name}` }));
}
