import { z } from 'zod';
import { credential, requestRate, upstreamUrl, type ConnectionDeclaration } from '@datasync/connections';

/**
 * Avito's mobile surface has no accounts: a connection is a mobile key with its own base URL (a
 * proxy, say) and its own budget, so one banned route does not slow the others.
 */
export const avitoCredentials = z.strictObject({
  mobileKey: credential,
});

export const avitoSettings = z.strictObject({
  /** Overrides AVITO_BASE_URL for this connection (e.g. through another egress). */
  baseUrl: upstreamUrl.optional(),
  /** This connection's budget (default AVITO_REQUESTS_PER_MINUTE). */
  requestsPerMinute: requestRate.optional(),
});

export const avitoConnection: ConnectionDeclaration<typeof avitoSettings> = {
  credentials: avitoCredentials,
  settings: avitoSettings,
  env: [{ credentials: { AVITO_MOBILE_KEY: 'mobileKey' } }],
  probe: () => import('./probe'),
};
