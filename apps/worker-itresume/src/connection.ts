import { z } from 'zod';
import { credential, upstreamUrl, type ConnectionDeclaration } from '@datasync/connections';

/** One IT Resume client (a school): its name and key, both sent in the query string. */
export const itresumeCredentials = z.strictObject({
  client: credential,
  clientKey: credential,
});

export const itresumeSettings = z.strictObject({
  /** Overrides ITRESUME_BASE_URL for this account. */
  baseUrl: upstreamUrl.optional(),
});

export const itresumeConnection: ConnectionDeclaration<typeof itresumeSettings> = {
  credentials: itresumeCredentials,
  settings: itresumeSettings,
  env: [{ credentials: { ITRESUME_CLIENT: 'client', ITRESUME_CLIENT_KEY: 'clientKey' } }],
  probe: () => import('./probe'),
};
