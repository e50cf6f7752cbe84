import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CredentialsUnreadable,
  openCredentials,
  parseKeyRing,
  rewrapDataKey,
  sealCredentials,
  type KeyRing,
  type SealedCredentials,
} from '../src';

const key = () => randomBytes(32).toString('base64');
const ring = (current: string, keys: Record<string, string>): KeyRing => parseKeyRing(JSON.stringify({ current, keys }))!;

const secret = { partnerToken: `partner-${randomUUID()}`, login: 'owner@example.com', password: `pw-${randomUUID()}` };

/** A copy of `buf` with one bit of byte `at` flipped. */
const flip = (buf: Buffer, at = 0) => {
  const copy = Buffer.from(buf);
  copy[at % copy.length]! ^= 0x01;
  return copy;
};

describe('envelope encryption of credentials', () => {
  const k1 = key();
  const ring1 = ring('k1', { k1 });
  const id = randomUUID();

  it('opens what it sealed, and the sealed bytes hold no credential in clear', () => {
    const sealed = sealCredentials(ring1, id, secret);
    expect(openCredentials(ring1, id, sealed)).toEqual(secret);
    expect(sealed.keyId).toBe('k1');
    const stored = Buffer.concat([sealed.wrappedKey, sealed.wrappedKeyIv, sealed.wrappedKeyTag, sealed.iv, sealed.tag, sealed.ciphertext]);
    for (const value of Object.values(secret)) {
      expect(stored.includes(Buffer.from(value))).toBe(false);
      expect(stored.toString('base64')).not.toContain(Buffer.from(value).toString('base64'));
    }
  });

  it('uses a fresh data key and IVs per sealing: the same credentials seal to different bytes', () => {
    const a = sealCredentials(ring1, id, secret);
    const b = sealCredentials(ring1, id, secret);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
  });

  const tampered: [string, (s: SealedCredentials) => SealedCredentials][] = [
    ['ciphertext', (s) => ({ ...s, ciphertext: flip(s.ciphertext, 3) })],
    ['credentials tag', (s) => ({ ...s, tag: flip(s.tag) })],
    ['credentials IV', (s) => ({ ...s, iv: flip(s.iv) })],
    ['wrapped key', (s) => ({ ...s, wrappedKey: flip(s.wrappedKey, 5) })],
    ['wrapped key tag', (s) => ({ ...s, wrappedKeyTag: flip(s.wrappedKeyTag) })],
    ['wrapped key IV', (s) => ({ ...s, wrappedKeyIv: flip(s.wrappedKeyIv) })],
    ['truncated ciphertext', (s) => ({ ...s, ciphertext: s.ciphertext.subarray(0, s.ciphertext.length - 1) })],
    ['truncated tag', (s) => ({ ...s, tag: s.tag.subarray(0, 8) })],
  ];
  for (const [what, tamper] of tampered) {
    it(`refuses a tampered ${what} with CredentialsUnreadable, never garbage`, () => {
      const sealed = sealCredentials(ring1, id, secret);
      const altered = tamper(sealed);
      // The fault is really there: some stored byte differs.
      expect(JSON.stringify(altered)).not.toBe(JSON.stringify(sealed));
      expect(() => openCredentials(ring1, id, altered)).toThrow(CredentialsUnreadable);
      expect(() => openCredentials(ring1, id, altered)).toThrow(new RegExp(`connection ${id}`));
    });
  }

  it("refuses another connection's sealed columns (the connection id is bound in)", () => {
    const sealed = sealCredentials(ring1, id, secret);
    expect(() => openCredentials(ring1, randomUUID(), sealed)).toThrow(CredentialsUnreadable);
  });

  it('refuses a key id swapped for another key of the ring (the key id is bound in)', () => {
    const both = ring('k1', { k1, k2: key() });
    const sealed = sealCredentials(both, id, secret);
    expect(() => openCredentials(both, id, { ...sealed, keyId: 'k2' })).toThrow(CredentialsUnreadable);
  });

  it('refuses a wrong master key under the same id with a message naming the key id', () => {
    const sealed = sealCredentials(ring1, id, secret);
    const impostor = ring('k1', { k1: key() });
    expect(() => openCredentials(impostor, id, sealed)).toThrow(CredentialsUnreadable);
    expect(() => openCredentials(impostor, id, sealed)).toThrow(/master key "k1" of DATASYNC_KEYS/);
  });

  it('names the missing key id and DATASYNC_KEYS when the ring lacks the key', () => {
    const sealed = sealCredentials(ring1, id, secret);
    const other = ring('k2', { k2: key() });
    let thrown: unknown;
    try {
      openCredentials(other, id, sealed);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CredentialsUnreadable);
    expect((thrown as Error).message).toMatch(/master key "k1" is not in DATASYNC_KEYS/);
    expect((thrown as Error).message).toContain('"k2"');
  });

  it('re-wraps the data key under the current key without touching the ciphertext; the old key is then not needed', () => {
    const sealed = sealCredentials(ring1, id, secret);
    const k2 = key();
    const rotated = rewrapDataKey(ring('k2', { k1, k2 }), id, sealed);
    expect(rotated.keyId).toBe('k2');
    expect(rotated.wrappedKey.equals(sealed.wrappedKey)).toBe(false);
    const after = { ...sealed, ...rotated };
    expect(after.ciphertext.equals(sealed.ciphertext) && after.iv.equals(sealed.iv) && after.tag.equals(sealed.tag)).toBe(true);
    // Key 1 gone from the ring: everything still opens.
    expect(openCredentials(ring('k2', { k2 }), id, after)).toEqual(secret);
    // And the old wrapping is refused by a ring without key 1 (proves the test above used the new one).
    expect(() => openCredentials(ring('k2', { k2 }), id, sealed)).toThrow(/"k1" is not in DATASYNC_KEYS/);
  });
});

describe('parseKeyRing (DATASYNC_KEYS)', () => {
  it('is undefined when unset or blank', () => {
    expect(parseKeyRing(undefined)).toBeUndefined();
    expect(parseKeyRing('  ')).toBeUndefined();
  });

  it('reads the current key id and every key', () => {
    const k1 = key();
    const parsed = parseKeyRing(JSON.stringify({ current: 'k2', keys: { k1, k2: key() } }))!;
    expect(parsed.current).toBe('k2');
    expect([...parsed.keys.keys()].sort()).toEqual(['k1', 'k2']);
    expect(parsed.keys.get('k1')!.equals(Buffer.from(k1, 'base64'))).toBe(true);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{current: k1}', /DATASYNC_KEYS is not JSON/],
    ['no current', JSON.stringify({ keys: { k1: key() } }), /DATASYNC_KEYS\.current/],
    ['current not in keys', JSON.stringify({ current: 'k9', keys: { k1: key() } }), /DATASYNC_KEYS\.current names key "k9"/],
    [
      'a short key',
      JSON.stringify({ current: 'k1', keys: { k1: randomBytes(16).toString('base64') } }),
      /DATASYNC_KEYS\.keys\.k1 must be .*not 16 bytes/,
    ],
    ['a key not base64', JSON.stringify({ current: 'k1', keys: { k1: 'not base64!' } }), /DATASYNC_KEYS\.keys\.k1 must be the base64/],
    ['a bad key id', JSON.stringify({ current: 'a b', keys: { 'a b': key() } }), /DATASYNC_KEYS/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what}, naming DATASYNC_KEYS and never echoing a key`, () => {
      let thrown: Error | undefined;
      try {
        parseKeyRing(value);
      } catch (err) {
        thrown = err as Error;
      }
      expect(thrown?.message).toMatch(message);
      for (const k of Object.values((JSON.parse(value.startsWith('{"') ? value : '{}') as { keys?: Record<string, string> }).keys ?? {}))
        expect(thrown?.message).not.toContain(k);
    });
  }
});
