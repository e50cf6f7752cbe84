import { z } from 'zod';
import {
  credentialsSchemaFor,
  ENV_CONNECTION_ID,
  ENV_CONNECTION_NAME,
  envConnectionParts,
  KeyRingMissing,
  type Connection,
  type KeyRing,
} from '@datasync/connections';
import { fieldErrors, InvalidRequestError, keyRingOf, safeParseInput, type FieldError, type GatewayDeps } from '@datasync/api-kit';
import { sourceByName, sourceNames, type Source } from '@datasync/sources';

/** Shared by the `/api/connections*` routes: schemas, the key ring, the actor, validation against a source's declaration. */

export const connectionIdParams = z.object({ id: z.string().uuid('must be a UUID') });

export const connectionName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
  .refine((n) => n !== ENV_CONNECTION_NAME, `"${ENV_CONNECTION_NAME}" is the environment's connection; choose another name`);

const fields = z.record(z.string(), z.unknown());

export const postConnectionBody = z.strictObject({
  source: z.string().describe(`One of the sources: ${sourceNames.join(', ')}`),
  name: connectionName,
  /** Write-only: validated against the source's declared shape, sealed, never answered. */
  credentials: fields.describe('The account\'s credentials, in the source\'s shape (README "Connections"); never returned'),
  settings: fields.default({}).describe("Non-secret settings in the source's shape (base URL override, limits, ids)"),
});

export const patchConnectionBody = z
  .strictObject({
    name: connectionName.optional(),
    settings: fields.optional().describe('The whole new settings (replacing the old ones)'),
    credentials: fields.optional().describe('The whole new credentials (replacing the old ones); never returned'),
  })
  .refine((b) => b.name !== undefined || b.settings !== undefined || b.credentials !== undefined, {
    message: 'must change at least one of name, settings, credentials',
    path: [],
  });

export const connectionSchema = z.object({
  id: z.string().uuid(),
  source: z.string(),
  name: z.string(),
  /** `stored` (a row, sealed credentials) or `env` (the environment's variables; read-only). */
  kind: z.enum(['stored', 'env']),
  settings: z.record(z.string(), z.unknown()),
  state: z.enum(['ok', 'failing']),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  /** The master key of DATASYNC_KEYS wrapping its data key (an id, not a key). */
  keyId: z.string().nullable(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ConnectionView = z.infer<typeof connectionSchema>;

export const connectionListSchema = z.object({ connections: z.array(connectionSchema) });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What an answer shows of a stored connection: never its credentials. */
export function connectionView(c: Connection): ConnectionView {
  return {
    id: c.id,
    source: c.source,
    name: c.name,
    kind: 'stored',
    settings: c.settings,
    state: c.state,
    lastError: c.lastError,
    lastErrorAt: iso(c.lastErrorAt),
    keyId: c.keyId,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    lastUsedAt: iso(c.lastUsedAt),
  };
}

/** The implicit `env` connection of a source whose environment credentials are set, else undefined. */
export function envConnectionView(source: Source, config: Readonly<Record<string, unknown>>): ConnectionView | undefined {
  const parts = envConnectionParts(source.connection, config);
  if (parts.length === 0) return undefined;
  return {
    id: ENV_CONNECTION_ID,
    source: source.name,
    name: ENV_CONNECTION_NAME,
    kind: 'env',
    // One account, its settings; several (a marketplace per cabinet), each one's.
    settings: parts.length === 1 ? parts[0]!.settings : { accounts: parts.map((p) => p.settings) },
    state: 'ok',
    lastError: null,
    lastErrorAt: null,
    keyId: null,
    createdAt: null,
    updatedAt: null,
    lastUsedAt: null,
  };
}

/** The key ring, or the 503 naming DATASYNC_KEYS: nothing is stored without it. */
export function requireKeyRing(deps: GatewayDeps): KeyRing {
  const ring = keyRingOf(deps);
  if (!ring) throw new KeyRingMissing('Storing credentials');
  return ring;
}

/** The source of that name, or a 400 naming `field`. */
export function sourceOr400(name: string, field = 'source'): Source {
  const source = sourceByName(name);
  if (!source) throw new InvalidRequestError([{ field, message: `is not a known source (one of: ${sourceNames.join(', ')})` }]);
  return source;
}

function prefixed(prefix: string, errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ field: e.field === '(request)' ? prefix : `${prefix}.${e.field}`, message: e.message }));
}

/** Settings checked against the source's declaration, or undefined with the errors added. */
export function parseSettings(source: Source, value: unknown, errors: FieldError[]): Record<string, unknown> | undefined {
  const parsed = safeParseInput(source.connection.settings, value);
  if (parsed.success) return parsed.data;
  errors.push(...prefixed('settings', fieldErrors(parsed.error)));
  return undefined;
}

/** Credentials checked against the shape the settings call for; blank optional ones dropped. */
export function parseCredentials(
  source: Source,
  settings: Record<string, unknown>,
  value: unknown,
  errors: FieldError[],
): Record<string, string> | undefined {
  const parsed = safeParseInput(credentialsSchemaFor(source.connection, settings), value);
  if (!parsed.success) {
    errors.push(...prefixed('credentials', fieldErrors(parsed.error)));
    return undefined;
  }
  return Object.fromEntries(Object.entries(parsed.data).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
