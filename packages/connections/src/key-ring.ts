import { z } from 'zod';
import { KeyRingError } from './errors';

/** Bytes of a master key (AES-256). */
export const MASTER_KEY_BYTES = 32;

/**
 * The master keys from `DATASYNC_KEYS`: every key id → its 32 bytes, and the current one, which
 * wraps every new data key (and every data key `keys rotate` re-wraps). Older keys stay in the
 * ring only until a rotation has moved every connection off them.
 */
export interface KeyRing {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

const keyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'key ids are 1 to 64 letters, digits, _ . -');
const ringSchema = z.object({
  current: keyId,
  keys: z.record(keyId, z.string()),
});

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses `DATASYNC_KEYS` (`{"current":"<key id>","keys":{"<key id>":"<base64 of 32 bytes>",…}}`).
 * Unset or blank: no key ring (credentials cannot be stored). Anything malformed throws a
 * KeyRingError naming DATASYNC_KEYS and what is wrong, never echoing a key.
 */
export function parseKeyRing(value: string | undefined): KeyRing | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new KeyRingError('DATASYNC_KEYS is not JSON: expected {"current":"<key id>","keys":{"<key id>":"<base64 of 32 bytes>"}}');
  }
  const parsed = ringSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${['DATASYNC_KEYS', ...i.path].join('.')}: ${i.message}`);
    throw new KeyRingError(`DATASYNC_KEYS is invalid: ${issues.join('; ')}`);
  }
  const keys = new Map<string, Buffer>();
  for (const [id, encoded] of Object.entries(parsed.data.keys)) {
    const trimmed = encoded.trim();
    const bytes = BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
    if (!bytes || bytes.length !== MASTER_KEY_BYTES) {
      throw new KeyRingError(
        `DATASYNC_KEYS.keys.${id} must be the base64 of ${MASTER_KEY_BYTES} random bytes (openssl rand -base64 32)${bytes ? `, not ${bytes.length} bytes` : ''}`,
      );
    }
    keys.set(id, bytes);
  }
  if (!keys.has(parsed.data.current)) {
    throw new KeyRingError(`DATASYNC_KEYS.current names key "${parsed.data.current}", which is not in DATASYNC_KEYS.keys`);
  }
  return { current: parsed.data.current, keys };
}

/** The key of `id`, or a KeyRingError naming the id and DATASYNC_KEYS. */
export function masterKey(ring: KeyRing, id: string): Buffer {
  const key = ring.keys.get(id);
  if (!key) {
    throw new KeyRingError(
      `master key "${id}" is not in DATASYNC_KEYS (it has ${[...ring.keys.keys()].map((k) => `"${k}"`).join(', ')}): put it back, or it was removed before "pnpm datasync keys rotate" moved every connection off it`,
    );
  }
  return key;
}
