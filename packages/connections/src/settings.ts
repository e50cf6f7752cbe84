import { z } from 'zod';

/**
 * Pieces the sources' `connection` declarations share. JSON bodies carry numbers as numbers: no
 * coercion here (unlike environment variables), so `"5"` for a rate is refused by name.
 */

/** A base URL override (http or https), e.g. a proxy or a regional host of the upstream. */
export const upstreamUrl = z
  .string()
  .url('must be a URL')
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL');

/** A per-connection request budget (per second or per minute). */
export const requestRate = z.number().int('must be an integer').positive('must be positive').max(100_000, 'must be at most 100000');

/** Ids of an upstream's objects (companies, warehouses, campaigns) a connection is limited to. */
export const upstreamIds = z.array(z.number().int('must be an integer').positive('must be positive')).max(1000, 'at most 1000 ids');

/** A credential field: a non-empty string without surrounding blanks (a pasted token's newline is a mistake). */
export const credential = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .refine((v) => v.trim() === v, 'must not start or end with blanks');
