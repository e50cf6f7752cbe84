import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrationDatabaseUrl } from '@datasync/config';
import { loadConfig } from '@datasync/sources';
import {
  renderManifests,
  SECRETS_SECRET,
  SETTINGS_CONFIGMAP,
  waitingListKey,
  workerApps,
  workerResourceName,
  type RenderOptions,
} from '@datasync/k8s';
import {
  buildKustomization,
  K8S_DIR,
  ofKind,
  readKustomization,
  readSecretsExample,
  readSettings,
  validateObject,
  yamlObjects,
  type K8sObject,
} from './kustomization';

/**
 * deploy/k8s: every object validates against the Kubernetes and KEDA schemas, for either scaler;
 * each worker of the catalog has its Deployment, PodDisruptionBudget and ScaledObject; grace periods
 * are above the drain time; `pnpm k8s:render` writes what the kustomization lists. The keys the
 * ScaledObjects watch are checked against a real BullMQ queue in scaling-keys.test.ts.
 */
const root = path.resolve(K8S_DIR, '../..');
const settings = readSettings();
const options = (scaler: RenderOptions['scaler']): RenderOptions => ({
  settings,
  scaler,
  prometheusUrl: 'http://prometheus.monitoring:9090',
  minReplicas: 1,
  maxReplicas: 10,
});
const variants = {
  redis: buildKustomization(renderManifests(options('redis'))),
  prometheus: buildKustomization(renderManifests(options('prometheus'))),
};
const workers = workerApps();

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  containers: { name: string; command?: string[]; envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[] }[];
}
const podSpec = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;
const scaledTarget = (o: K8sObject) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name;

describe('deploy/k8s manifests', () => {
  it('has workers to render (the catalog is not empty)', () => {
    expect(workers.length).toBeGreaterThanOrEqual(1);
  });

  for (const [scaler, objects] of Object.entries(variants)) {
    it(`every object validates against the Kubernetes and KEDA schemas (${scaler} scaler)`, () => {
      const problems = objects.flatMap((o) => {
        try {
          validateObject(o);
          return [];
        } catch (err) {
          return [`${o.kind}/${o.metadata?.name}: ${(err as Error).message}`];
        }
      });
      expect(problems).toEqual([]);
      expect(objects.length).toBe(new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`)).size);
    });
  }

  it('refuses what the schemas refuse (the validation can fail)', () => {
    const [so] = ofKind(variants.redis, 'ScaledObject');
    const numeric = structuredClone(so!) as K8sObject & { spec: { triggers: { metadata: Record<string, unknown> }[] } };
    numeric.spec.triggers[0]!.metadata.listLength = 2;
    expect(() => validateObject(numeric)).toThrow(/listLength/);
    const [deployment] = ofKind(variants.redis, 'Deployment');
    const noSelector = structuredClone(deployment!) as K8sObject & { spec: Record<string, unknown> };
    delete noSelector.spec.selector;
    expect(() => validateObject(noSelector)).toThrow(/selector/);
    expect(() => validateObject({ ...deployment!, apiVersion: 'apps/v1beta1' })).toThrow(/apiVersion/);
    expect(() => validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toThrow(/no schema/);
  });

  it('a Deployment, a PodDisruptionBudget and a ScaledObject per worker; the gateway and the migrate Job', () => {
    for (const objects of Object.values(variants)) {
      const deployments = ofKind(objects, 'Deployment').map((o) => o.metadata.name);
      expect(deployments.sort()).toEqual(['datasync-gateway', ...workers.map(workerResourceName)].sort());
      expect(
        ofKind(objects, 'PodDisruptionBudget')
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual(deployments.sort());
      expect(ofKind(objects, 'ScaledObject').map(scaledTarget).sort()).toEqual(workers.map(workerResourceName).sort());
      const [job] = ofKind(objects, 'Job');
      expect(podSpec(job!).containers[0]!.command).toEqual(['pnpm', 'db:migrate']);
      expect(ofKind(objects, 'Service').map((o) => o.metadata.name)).toEqual(['datasync-gateway']);
    }
  });

  it("every worker runs its own app's start script, and reads the ConfigMap and the Secret", () => {
    const packages = new Map(
      readdirSync(path.join(root, 'apps')).map((dir) => {
        const pkg = JSON.parse(readFileSync(path.join(root, 'apps', dir, 'package.json'), 'utf8')) as {
          name: string;
          scripts?: Record<string, string>;
        };
        return [pkg.name, pkg.scripts ?? {}] as const;
      }),
    );
    const objects = variants.redis;
    for (const o of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')]) {
      const [container] = podSpec(o).containers;
      const command = container!.command!;
      if (command[1] === '--filter') expect(packages.get(command[2]!)?.start, `${o.metadata.name}: ${command.join(' ')}`).toBeDefined();
      expect(container!.envFrom).toEqual([{ configMapRef: { name: SETTINGS_CONFIGMAP } }, { secretRef: { name: SECRETS_SECRET } }]);
    }
    expect(ofKind(objects, 'ConfigMap').map((o) => o.metadata.name)).toEqual([SETTINGS_CONFIGMAP]);
    expect(ofKind(objects, 'Secret').map((o) => o.metadata.name)).toEqual([SECRETS_SECRET]);
  });

  it('terminationGracePeriodSeconds is above SHUTDOWN_GRACE_MS everywhere', () => {
    const drainSeconds = Number(settings.SHUTDOWN_GRACE_MS) / 1000;
    expect(drainSeconds).toBeGreaterThan(0);
    for (const o of ofKind(variants.redis, 'Deployment')) {
      expect(podSpec(o).terminationGracePeriodSeconds, o.metadata.name).toBeGreaterThan(drainSeconds);
    }
    // Rendered from the setting: a longer drain gives longer grace periods.
    const longer = renderManifests({ ...options('redis'), settings: { ...settings, SHUTDOWN_GRACE_MS: '120000' } });
    for (const o of ofKind(longer.workers as K8sObject[], 'Deployment'))
      expect(podSpec(o).terminationGracePeriodSeconds).toBeGreaterThan(120);
  });

  it("every worker's probes ask its health listener (WORKER_HEALTH_PORT): /ready for readiness, /health for start-up and liveness", () => {
    type Probe = { httpGet: { path: string; port: number } };
    type Probed = { readinessProbe?: Probe; livenessProbe?: Probe; startupProbe?: Probe };
    const port = Number(settings.WORKER_HEALTH_PORT);
    expect(port).toBeGreaterThan(0);
    expect(settings.WORKER_HEALTH_HOST, 'the kubelet probes the pod address').toBe('0.0.0.0');
    for (const o of ofKind(variants.redis, 'Deployment').filter((d) => d.metadata.name !== 'datasync-gateway')) {
      const container = podSpec(o).containers[0] as Probed;
      expect(
        [container.readinessProbe, container.livenessProbe, container.startupProbe].map((p) => p?.httpGet),
        o.metadata.name,
      ).toEqual([
        { path: '/ready', port },
        { path: '/health', port },
        { path: '/health', port },
      ]);
    }
    const unset = renderManifests({ ...options('redis'), settings: { ...settings, WORKER_HEALTH_PORT: '' } });
    for (const o of ofKind(unset.workers as K8sObject[], 'Deployment'))
      expect((podSpec(o).containers[0] as Probed).readinessProbe).toBeUndefined();
    expect(() => renderManifests({ ...options('redis'), settings: { ...settings, WORKER_HEALTH_HOST: '127.0.0.1' } })).toThrow(
      /0\.0\.0\.0/,
    );
  });

  it('settings.env and secrets.env.example are a configuration the apps accept; the key ring has its placeholder', () => {
    const config = loadConfig({ ...settings, ...readSecretsExample() });
    expect(config.REDIS_PREFIX).toBe(settings.REDIS_PREFIX);
    expect(readSecretsExample()).toHaveProperty('DATASYNC_KEYS');
    // The migrate Job reads the Secret too: a direct URL filled in there is where it migrates.
    expect(readSecretsExample()).toHaveProperty('DIRECT_DATABASE_URL');
    expect(migrationDatabaseUrl(config)).toBe(config.DATABASE_URL);
    const direct = 'postgresql://datasync:change-me@postgres-direct:5432/datasync';
    expect(migrationDatabaseUrl(loadConfig({ ...settings, ...readSecretsExample(), DIRECT_DATABASE_URL: direct }))).toBe(direct);
    // KEDA reads these from the worker's environment (addressFromEnv, passwordFromEnv).
    expect(settings).toHaveProperty('KEDA_REDIS_ADDRESS');
    expect(readSecretsExample()).toHaveProperty('KEDA_REDIS_PASSWORD');
  });

  it('the Redis scaler watches <REDIS_PREFIX>:<queue>:wait of the prefix in settings.env; the Prometheus one datasync_queue_jobs', () => {
    const bySo = new Map(ofKind(variants.redis, 'ScaledObject').map((o) => [scaledTarget(o), o]));
    for (const w of workers) {
      const trigger = (bySo.get(workerResourceName(w))!.spec as { triggers: { type: string; metadata: Record<string, string> }[] })
        .triggers;
      expect(trigger).toEqual([
        expect.objectContaining({
          type: 'redis',
          metadata: expect.objectContaining({
            listName: waitingListKey(settings.REDIS_PREFIX!, w.queue),
            listLength: settings.WORKER_CONCURRENCY,
          }),
        }),
      ]);
    }
    for (const o of ofKind(variants.prometheus, 'ScaledObject')) {
      const [trigger] = (o.spec as { triggers: { type: string; metadata: Record<string, string> }[] }).triggers;
      expect(trigger!.type).toBe('prometheus');
      expect(trigger!.metadata.query).toContain('datasync_queue_jobs{');
    }
    expect(() => renderManifests({ ...options('redis'), settings: { ...settings, REDIS_PREFIX: 'bad prefix' } })).toThrow();
  });

  it("on a Sentinel group or a Redis Cluster the Redis ScaledObjects use KEDA's redis-sentinel / redis-cluster scaler with the apps' own variables, on the hash-tagged key", () => {
    const modes = {
      sentinel: { REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'mymaster', REDIS_PREFIX: 'datasync' },
      cluster: { REDIS_CLUSTER_NODES: 'n1:6379,n2:6379', REDIS_PREFIX: '{datasync}' },
    };
    const expected = {
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
    };
    for (const [mode, extra] of Object.entries(modes) as [keyof typeof modes, Record<string, string>][]) {
      const { KEDA_REDIS_ADDRESS: _single, ...rest } = settings;
      const objects = buildKustomization(renderManifests({ ...options('redis'), settings: { ...rest, ...extra } }));
      for (const o of objects) validateObject(o);
      for (const w of workers) {
        const so = ofKind(objects, 'ScaledObject').find((o) => scaledTarget(o) === workerResourceName(w))!;
        const [trigger] = (so.spec as { triggers: { type: string; metadata: Record<string, string> }[] }).triggers;
        expect(trigger, `${mode} ${w.name}`).toEqual({
          type: expected[mode].type,
          metadata: {
            ...expected[mode].metadata,
            // Written out: the key BullMQ writes under a tagged prefix keeps the tag, braces and all.
            listName: mode === 'cluster' ? `{datasync}:${w.queue}:wait` : `datasync:${w.queue}:wait`,
            listLength: settings.WORKER_CONCURRENCY,
            activationListLength: '0',
          },
        });
      }
    }
    // The apps' start-up checks hold for the manifests too: a Cluster prefix needs its hash tag, one Redis mode only.
    expect(() => renderManifests({ ...options('redis'), settings: { ...settings, ...modes.cluster, REDIS_PREFIX: 'datasync' } })).toThrow(
      /REDIS_PREFIX: must hold a hash tag with REDIS_CLUSTER_NODES/,
    );
    expect(() => renderManifests({ ...options('redis'), settings: { ...settings, ...modes.cluster, ...modes.sentinel } })).toThrow(
      /not REDIS_SENTINELS and REDIS_CLUSTER_NODES/,
    );
  });

  it('pnpm k8s:render writes the generated files the kustomization lists, for either scaler', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'datasync-k8s-'));
    try {
      const render = (...args: string[]) => promisify(execFile)('pnpm', ['--silent', 'k8s:render', '--out', out, ...args], { cwd: root });
      for (const scaler of ['redis', 'prometheus'] as const) {
        await render('--scaler', scaler, '--prometheus-url', 'http://prometheus.monitoring:9090');
        const expected = renderManifests(options(scaler));
        expect(yamlObjects(readFileSync(path.join(out, 'workers.yaml'), 'utf8'))).toEqual(expected.workers);
        expect(yamlObjects(readFileSync(path.join(out, 'scaling.yaml'), 'utf8'))).toEqual(expected.scaling);
      }
      expect(
        readKustomization()
          .resources.filter((r) => r.startsWith('generated/'))
          .sort(),
      ).toEqual(['generated/scaling.yaml', 'generated/workers.yaml']);
      await expect(render('--scaler', 'keda')).rejects.toThrow(/--scaler must be redis or prometheus/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  // Without kubectl the build above (buildKustomization) stands in; this says so rather than passing.
  it.skipIf(!kubectl)(
    `kubectl kustomize builds the same objects, every one valid${kubectl ? '' : ' (skipped: kubectl is not installed here)'}`,
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'datasync-kustomize-'));
      try {
        for (const entry of readdirSync(K8S_DIR)) {
          if (entry !== 'node_modules' && entry !== 'generated' && entry !== 'secrets.env')
            cpSync(path.join(K8S_DIR, entry), path.join(dir, entry), { recursive: true });
        }
        cpSync(path.join(dir, 'secrets.env.example'), path.join(dir, 'secrets.env'));
        execFileSync('pnpm', ['--silent', 'k8s:render', '--out', path.join(dir, 'generated')], { cwd: root });
        const built = yamlObjects(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
        // kustomize wraps a Secret's long base64 values over lines; the API server's decoder skips the
        // line breaks, the schema's "byte" format does not.
        for (const secret of ofKind<{ data?: Record<string, string> }>(built, 'Secret')) {
          for (const key of Object.keys(secret.data ?? {})) secret.data![key] = secret.data![key]!.replace(/\s/g, '');
        }
        for (const o of built) validateObject(o);
        const names = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
        expect(names(built)).toEqual(names(variants.redis));
        // The generators' hashed names reach every workload that reads them.
        const [configMap] = ofKind(built, 'ConfigMap');
        for (const o of [...ofKind(built, 'Deployment'), ...ofKind(built, 'Job')]) {
          expect(podSpec(o).containers[0]!.envFrom![0]!.configMapRef!.name).toBe(configMap!.metadata.name);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
