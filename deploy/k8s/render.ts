/**
 * `pnpm k8s:render`: writes the per-worker manifests that kustomization.yaml lists,
 * generated/workers.yaml (a Deployment and a PodDisruptionBudget per worker) and
 * generated/scaling.yaml (a KEDA ScaledObject per worker), from the worker list (src/workers.ts)
 * and settings.env (REDIS_PREFIX, WORKER_CONCURRENCY, SHUTDOWN_GRACE_MS).
 *
 *   pnpm k8s:render                                  # KEDA's Redis scaler on each wait list
 *   pnpm k8s:render --scaler prometheus --prometheus-url http://prometheus.monitoring:9090
 *   pnpm k8s:render --min 0 --max 20 --out /tmp/k8s  # or --stdout
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_PROMETHEUS_URL, readEnvFile, renderManifests, toYaml, type Scaler } from './src/index';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    scaler: { type: 'string', default: 'redis' },
    'prometheus-url': { type: 'string', default: DEFAULT_PROMETHEUS_URL },
    min: { type: 'string', default: '1' },
    max: { type: 'string', default: '10' },
    settings: { type: 'string', default: path.join(here, 'settings.env') },
    out: { type: 'string', default: path.join(here, 'generated') },
    stdout: { type: 'boolean', default: false },
  },
});

const count = (name: string, text: string | undefined) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${text}`);
  return n;
};
if (values.scaler !== 'redis' && values.scaler !== 'prometheus')
  throw new Error(`--scaler must be redis or prometheus, not ${values.scaler}`);
const minReplicas = count('min', values.min);
const maxReplicas = count('max', values.max);
if (maxReplicas < Math.max(1, minReplicas)) throw new Error('--max must be at least 1 and at least --min');

const manifests = renderManifests({
  settings: readEnvFile(values.settings),
  scaler: values.scaler as Scaler,
  prometheusUrl: values['prometheus-url'],
  minReplicas,
  maxReplicas,
});
const header = `Written by \`pnpm k8s:render\` (deploy/k8s/render.ts); edit settings.env or the flags and render again.`;
const files = {
  'workers.yaml': toYaml(manifests.workers, header),
  'scaling.yaml': toYaml(manifests.scaling, `${header}\nScaler: ${values.scaler}.`),
};
if (values.stdout) {
  process.stdout.write(Object.values(files).join(''));
} else {
  mkdirSync(values.out, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(values.out, name), text);
  console.log(
    `wrote ${Object.keys(files)
      .map((f) => path.join(path.relative(process.cwd(), values.out) || '.', f))
      .join(' and ')} (${manifests.scaling.length} workers, ${values.scaler} scaler)`,
  );
}
