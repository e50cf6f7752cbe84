/** Names shared by the static manifests (gateway.yaml, migrate-job.yaml) and the rendered ones. */
export const SETTINGS_CONFIGMAP = 'datasync-settings';
export const SECRETS_SECRET = 'datasync-secrets';
/** The image docker/Dockerfile builds; kustomization.yaml's `images:` retags it. */
export const IMAGE = 'datasync:local';
/** Where the image keeps the repository (docker/Dockerfile's WORKDIR). */
export const APP_DIR = '/opt/datasync/app';

export function workerResourceName(worker: { name: string }): string {
  return `datasync-worker-${worker.name}`;
}

/** The selector labels of one app's pods. */
export function podLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'datasync', 'app.kubernetes.io/component': component };
}
