import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialsUnreadable, KeyRingError } from './errors';
import { masterKey, type KeyRing } from './key-ring';

/**
 * Envelope encryption of a connection's credentials (node:crypto, AES-256-GCM only):
 * - a random 32-byte data key per connection seals the credentials JSON; the additional data
 *   binds the ciphertext to its connection, so sealed columns copied onto another row fail;
 * - the current master key of DATASYNC_KEYS wraps the data key; its additional data binds the
 *   connection id and the key id, so a wrapped key cannot be passed off under another key id.
 * Rotation re-wraps the data key only: the credentials' ciphertext, IV and tag are never rewritten.
 */
export interface SealedCredentials {
  /** The master key that wrapped the data key. */
  keyId: string;
  wrappedKey: Buffer;
  wrappedKeyIv: Buffer;
  wrappedKeyTag: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** The wrapped data key alone: what a rotation rewrites. */
export type WrappedDataKey = Pick<SealedCredentials, 'keyId' | 'wrappedKey' | 'wrappedKeyIv' | 'wrappedKeyTag'>;

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

const credentialsAad = (connectionId: string) => Buffer.from(`datasync/connection/${connectionId}/credentials`);
const dataKeyAad = (connectionId: string, keyId: string) => Buffer.from(`datasync/connection/${connectionId}/data-key/${keyId}`);

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** The plaintext, or undefined when authentication fails (wrong key, anything tampered). */
function decrypt(key: Buffer, sealed: { iv: Buffer; tag: Buffer; ciphertext: Buffer }, aad: Buffer): Buffer | undefined {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function wrapDataKey(ring: KeyRing, connectionId: string, dataKey: Buffer): WrappedDataKey {
  const keyId = ring.current;
  const wrapped = encrypt(masterKey(ring, keyId), dataKey, dataKeyAad(connectionId, keyId));
  return { keyId, wrappedKey: wrapped.ciphertext, wrappedKeyIv: wrapped.iv, wrappedKeyTag: wrapped.tag };
}

function unwrapDataKey(ring: KeyRing, connectionId: string, wrapped: WrappedDataKey): Buffer {
  let key: Buffer;
  try {
    key = masterKey(ring, wrapped.keyId);
  } catch (err) {
    if (err instanceof KeyRingError)
      throw new CredentialsUnreadable(`credentials of connection ${connectionId}: ${err.message}`, connectionId);
    throw err;
  }
  const dataKey = decrypt(
    key,
    { iv: wrapped.wrappedKeyIv, tag: wrapped.wrappedKeyTag, ciphertext: wrapped.wrappedKey },
    dataKeyAad(connectionId, wrapped.keyId),
  );
  if (!dataKey || dataKey.length !== DATA_KEY_BYTES) {
    throw new CredentialsUnreadable(
      `credentials of connection ${connectionId}: the data key does not open with master key "${wrapped.keyId}" of DATASYNC_KEYS (a different key under that id, or the stored key was altered)`,
      connectionId,
    );
  }
  return dataKey;
}

/** Seals credentials for a connection under a fresh data key wrapped by the ring's current key. */
export function sealCredentials(ring: KeyRing, connectionId: string, credentials: Record<string, string>): SealedCredentials {
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    const sealed = encrypt(dataKey, Buffer.from(JSON.stringify(credentials), 'utf8'), credentialsAad(connectionId));
    return { ...wrapDataKey(ring, connectionId, dataKey), ...sealed };
  } finally {
    dataKey.fill(0);
  }
}

/** Opens sealed credentials; anything that does not authenticate throws CredentialsUnreadable. */
export function openCredentials(ring: KeyRing, connectionId: string, sealed: SealedCredentials): Record<string, string> {
  const dataKey = unwrapDataKey(ring, connectionId, sealed);
  let plaintext: Buffer | undefined;
  try {
    plaintext = decrypt(dataKey, sealed, credentialsAad(connectionId));
  } finally {
    dataKey.fill(0);
  }
  if (!plaintext) {
    throw new CredentialsUnreadable(
      `credentials of connection ${connectionId} fail authentication: their ciphertext, IV or tag was altered`,
      connectionId,
    );
  }
  const value: unknown = JSON.parse(plaintext.toString('utf8'));
  plaintext.fill(0);
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new CredentialsUnreadable(`credentials of connection ${connectionId} are not an object of strings`, connectionId);
  }
  return value as Record<string, string>;
}

/**
 * The data key re-wrapped under the ring's current master key (what `keys rotate` writes); the
 * credentials' ciphertext is not touched. Throws CredentialsUnreadable if the old key cannot open it.
 */
export function rewrapDataKey(ring: KeyRing, connectionId: string, wrapped: WrappedDataKey): WrappedDataKey {
  const dataKey = unwrapDataKey(ring, connectionId, wrapped);
  try {
    return wrapDataKey(ring, connectionId, dataKey);
  } finally {
    dataKey.fill(0);
  }
}
