import { createHash } from 'node:crypto';
import { parseKeyRing, type KeyRing } from '@datasync/connections';
import type { GatewayDeps } from './route';

/**
 * What a gateway route needs to open or store a connection's credentials: the key ring of its
 * configuration and who acts, for the audit. Shared by the gateway's connection routes and the
 * source routes that send with a connection (Datawiz promotions).
 */

const rings = new WeakMap<GatewayDeps['config'], KeyRing | undefined>();

/** DATASYNC_KEYS of the gateway's configuration, parsed once per configuration (start-up has already refused a malformed one). */
export function keyRingOf(deps: GatewayDeps): KeyRing | undefined {
  if (!rings.has(deps.config)) {
    const value = deps.config.DATASYNC_KEYS;
    rings.set(deps.config, parseKeyRing(typeof value === 'string' ? value : undefined));
  }
  return rings.get(deps.config);
}

/**
 * Who acts, for the audit: a non-secret fingerprint of the API key the gateway takes (the first
 * 12 hex digits of a SHA-256 with a fixed label, so it cannot be looked up as the key's plain
 * hash), or `anonymous` on a gateway without GATEWAY_API_KEY.
 */
export function actorOf(deps: GatewayDeps): string {
  const key = deps.config.GATEWAY_API_KEY;
  if (!key) return 'anonymous';
  return `key:${createHash('sha256').update(`datasync-audit-actor:${key}`).digest('hex').slice(0, 12)}`;
}
