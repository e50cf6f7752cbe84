import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MASTER_KEY_BYTES, parseKeyRing, type KeyRing } from '@datasync/connections';

/** Where `pnpm start` keeps the development key ring (git-ignored: `.datasync/`). */
export const DEV_KEYS_FILE = path.join('.datasync', 'dev-keys.json');

export interface DevKeyRing {
  ring: KeyRing;
  /** The DATASYNC_KEYS value the apps get. */
  value: string;
  /** What `pnpm start` says about it. */
  note: string;
}

/**
 * `pnpm start` only (never the production start): without DATASYNC_KEYS, connections' credentials
 * would have nothing to be sealed under, so a development key ring is made once into a local file
 * (owner-only, git-ignored) and reused on every start, so stored connections stay readable.
 * Deleting the file makes them unreadable (their data keys were wrapped under it).
 */
export function devKeyRing(root: string): DevKeyRing {
  const file = path.join(root, DEV_KEYS_FILE);
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    try {
      return { ring: parseKeyRing(value)!, value, note: `DATASYNC_KEYS is not set: using the development key ring in ${DEV_KEYS_FILE}` };
    } catch (err) {
      throw new Error(`${DEV_KEYS_FILE} is not a valid key ring (${(err as Error).message}); delete it to have a new one made`);
    }
  }
  // A fresh key id per ring, so connections sealed under a deleted ring are told apart by key id.
  const id = `dev-${randomBytes(4).toString('hex')}`;
  const value = JSON.stringify({ current: id, keys: { [id]: randomBytes(MASTER_KEY_BYTES).toString('base64') } });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return {
    ring: parseKeyRing(value)!,
    value,
    note: `DATASYNC_KEYS is not set: generated a development key ring into ${DEV_KEYS_FILE} (git-ignored; for this machine only, never for production)`,
  };
}
