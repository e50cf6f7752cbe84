import type { z } from 'zod';

/**
 * What a source declares about its connections (the `connection` block of
 * `apps/worker-<name>/src/source.ts`): the shape of an account's credentials and settings, how the
 * environment's variables make the implicit `env` connection, and the probe of
 * `POST /api/connections/:id/test`. Light: zod and types only, the probe is loaded when used.
 */

/** Credentials are strings (tokens, logins, passwords), field names camelCase. */
export type CredentialsSchema = z.ZodType<Record<string, string | undefined>>;
/** Non-secret settings: base URL overrides, per-connection limits, company/campaign/warehouse ids. */
export type SettingsSchema = z.ZodType<Record<string, unknown>>;

/** One way the environment makes the `env` connection: its variables → credential fields. */
export interface EnvCredentials {
  /** The settings this set applies to (a marketplace's: `{marketplace: 'ozon'}`); none for a single-account source. */
  settings?: Readonly<Record<string, unknown>>;
  /** Environment variable → credential field, e.g. `YCLIENTS_PARTNER_TOKEN` → `partnerToken`. */
  credentials: Readonly<Record<string, string>>;
}

/** What a probe gets: the connection's own values and the source's configuration (default base URLs). */
export interface ProbeInput {
  credentials: Readonly<Record<string, string>>;
  settings: Readonly<Record<string, unknown>>;
  /** The source's configuration slice as the gateway parsed it (its base URLs, for settings that do not override them). */
  config: Readonly<Record<string, unknown>>;
  /** One upstream call must answer within this. */
  timeoutMs: number;
}

/** The upstream's word: accepted, or refused (with its status when there was an answer). */
export type ProbeResult = { ok: true; detail: string } | { ok: false; error: string; status?: number };

export type Probe = (input: ProbeInput) => Promise<ProbeResult>;

export interface ConnectionDeclaration<S extends SettingsSchema = SettingsSchema> {
  /** The credentials of one account; a function when the settings decide (a marketplace cabinet's). */
  credentials: CredentialsSchema | ((settings: z.infer<S>) => CredentialsSchema);
  settings: S;
  /** How the environment's credential variables make the `env` connection (several for a source whose settings choose a shape). */
  env: readonly EnvCredentials[];
  /** One cheap authenticated upstream call (`() => import('./probe')`). */
  probe: () => Promise<{ default: Probe }>;
}

/** The credentials schema that applies to these (already validated) settings. */
export function credentialsSchemaFor(declaration: ConnectionDeclaration, settings: Record<string, unknown>): CredentialsSchema {
  return typeof declaration.credentials === 'function' ? declaration.credentials(settings) : declaration.credentials;
}
