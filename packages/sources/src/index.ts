import { syncRoutes, type Route } from '@datasync/api-kit';
import { loadConfig as loadEnv, mergedEnvSchema, type Config as ConfigOf, type ConfigSlice } from '@datasync/config';
import { JobCatalog } from '@datasync/queues';
import { avito } from '@datasync/worker-avito/source';
import { datawiz } from '@datasync/worker-datawiz/source';
import { itresume } from '@datasync/worker-itresume/source';
import { marketplaces } from '@datasync/worker-marketplaces/source';
import { yclients } from '@datasync/worker-yclients/source';

/**
 * The registry: every source DataSync has, one declaration each (`apps/worker-<name>/src/source.ts`).
 * Adding a source is one line here (and its package in package.json); the queues, the gateway's
 * routes and OpenAPI, the configuration, `pnpm start` and the tests derive from this list.
 */
export const sources = [avito, datawiz, yclients, marketplaces, itresume] as const;

export type Source = (typeof sources)[number];
export type SourceName = Source['name'];

/** The sources' names, in registry order (each is its queue's name and its `sync_runs.source`). */
export const sourceNames: SourceName[] = sources.map((s) => s.name);

export function sourceByName(name: string): Source | undefined {
  return sources.find((s) => s.name === name);
}

/** Queues and jobs of every source, for what submits, schedules or consumes runs. */
export const catalog = new JobCatalog(sources);

type SlicesOf<T extends readonly unknown[]> = T extends readonly [infer H extends { config: ConfigSlice }, ...infer R]
  ? [H['config'], ...SlicesOf<R>]
  : [];
type Slices = SlicesOf<typeof sources>;

/** The whole configuration: the shared base and every source's slice (what the gateway runs with). */
export type Config = ConfigOf<Slices>;

/** The environment schema of the whole deployment (the base merged with every source's slice). */
export const configSchema = mergedEnvSchema(...sources.map((s) => s.config));

/** Parses the environment once with every source's slice; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadEnv(env, ...(sources.map((s) => s.config) as unknown as Slices));
}

/** Base-URL variable → sandbox path, for every source; `pnpm start` fills the unset ones. */
export const sandboxUpstreams: Readonly<Record<string, string>> = Object.assign({}, ...sources.map((s) => s.sandbox.upstreams));

/** Every credential variable of every source that is a secret (never logged, never in answers). */
export const secretVariables: string[] = sources.flatMap((s) => s.credentials.filter((c) => c.secret).map((c) => c.env));

/** The gateway routes the sources bring: each job's `route` (a `syncRoute`), then the source's own `routes`. */
export const sourceRoutes: Route[] = sources.flatMap((s): Route[] => [...syncRoutes(s), ...(s.routes ?? [])]);
