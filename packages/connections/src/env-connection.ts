import type { ConnectionDeclaration } from './declaration';
import { credentialsSchemaFor } from './declaration';

/** The implicit connection made of the environment's credentials: not a row, read-only, the default of a sync. */
export const ENV_CONNECTION_ID = '00000000-0000-0000-0000-000000000000';
export const ENV_CONNECTION_NAME = 'env';

/** One complete set of credentials the environment holds for a source, with the settings it applies to. */
export interface EnvConnectionPart {
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
}

/**
 * The credential sets the environment makes for a source: each of its declared env mappings whose
 * variables, read from `env` (the parsed configuration), pass the credentials schema. Empty when no
 * env credentials are set (the API then lists no `env` connection for the source).
 */
export function envConnectionParts(declaration: ConnectionDeclaration, env: Readonly<Record<string, unknown>>): EnvConnectionPart[] {
  const parts: EnvConnectionPart[] = [];
  for (const mapping of declaration.env) {
    const credentials: Record<string, string> = {};
    for (const [variable, field] of Object.entries(mapping.credentials)) {
      const value = env[variable];
      if (typeof value === 'string' && value.trim() !== '') credentials[field] = value;
    }
    if (Object.keys(credentials).length === 0) continue;
    const settings = declaration.settings.safeParse(mapping.settings ?? {});
    if (!settings.success) continue;
    const parsed = credentialsSchemaFor(declaration, settings.data).safeParse(credentials);
    if (!parsed.success) continue;
    parts.push({ settings: { ...(mapping.settings ?? {}) }, credentials });
  }
  return parts;
}
