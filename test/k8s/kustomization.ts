import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parseEnvFile, readEnvFile, type RenderedManifests } from '@datasync/k8s';

/**
 * deploy/k8s as `kubectl apply -k` would build it, without kubectl: the resources kustomization.yaml
 * lists (generated/… taken from a render in memory, so a test does not depend on what was last
 * rendered into the checkout) and the ConfigMap and Secret its generators make from env files.
 * Name hashes, `namespace:` and `images:` are left out: they change no schema.
 */
export const K8S_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/k8s');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface Kustomization {
  resources: string[];
  configMapGenerator?: { name: string; envs: string[] }[];
  secretGenerator?: { name: string; envs: string[] }[];
}

export function readKustomization(): Kustomization {
  return parse(readFileSync(path.join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

export function yamlObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** secrets.env is the user's and git-ignored: its example stands in. */
const envFile = (name: string) => {
  const file = path.join(K8S_DIR, name);
  return existsSync(file) || name !== 'secrets.env' ? file : `${file}.example`;
};

export function buildKustomization(rendered: RenderedManifests): K8sObject[] {
  const k = readKustomization();
  const generated: Record<string, object[]> = { 'generated/workers.yaml': rendered.workers, 'generated/scaling.yaml': rendered.scaling };
  const objects: K8sObject[] = [];
  for (const resource of k.resources) {
    const inMemory = generated[resource];
    if (inMemory) objects.push(...(JSON.parse(JSON.stringify(inMemory)) as K8sObject[]));
    else objects.push(...yamlObjects(readFileSync(path.join(K8S_DIR, resource), 'utf8')));
  }
  const envs = (files: string[]) => Object.assign({}, ...files.map((f) => readEnvFile(envFile(f)))) as Record<string, string>;
  for (const g of k.configMapGenerator ?? [])
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data: envs(g.envs) });
  for (const g of k.secretGenerator ?? []) {
    const data = Object.fromEntries(Object.entries(envs(g.envs)).map(([key, v]) => [key, Buffer.from(v).toString('base64')]));
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: g.name }, type: 'Opaque', data });
  }
  return objects;
}

export function readSettings(): Record<string, string> {
  return readEnvFile(path.join(K8S_DIR, 'settings.env'));
}

export function readSecretsExample(): Record<string, string> {
  return parseEnvFile(readFileSync(path.join(K8S_DIR, 'secrets.env.example'), 'utf8'));
}

/** The schema (kubernetes-models, @kubernetes-models/keda) of every kind the manifests use. */
const MODELS: Record<string, { apiVersion: string; validate(o: K8sObject): void }> = Object.fromEntries(
  [Namespace, ConfigMap, Secret, Service, Deployment, Job, PodDisruptionBudget, ScaledObject].map((Model) => [
    Model.kind,
    { apiVersion: Model.apiVersion, validate: (o: K8sObject) => new Model(o as never).validate() },
  ]),
);

/** Throws unless the object validates against its kind's schema (an unknown kind or version throws too). */
export function validateObject(o: K8sObject): void {
  const model = MODELS[o.kind];
  if (!model) throw new Error(`${o.kind}/${o.metadata?.name}: no schema for kind ${o.kind}`);
  if (o.apiVersion !== model.apiVersion)
    throw new Error(`${o.kind}/${o.metadata.name}: apiVersion ${o.apiVersion}, the schema is ${model.apiVersion}`);
  model.validate(o);
}

export function ofKind<T = K8sObject>(objects: K8sObject[], kind: string): (K8sObject & T)[] {
  return objects.filter((o) => o.kind === kind) as (K8sObject & T)[];
}
