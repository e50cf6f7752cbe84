import { z } from 'zod';
import { credential, upstreamUrl, type ConnectionDeclaration } from '@datasync/connections';

/** One Datawiz client: its OAuth2 application and user (password grant). */
export const datawizCredentials = z.strictObject({
  clientId: credential,
  clientSecret: credential,
  username: credential,
  password: credential,
});

export const datawizSettings = z.strictObject({
  /** Overrides DATAWIZ_BASE_URL for this account. */
  baseUrl: upstreamUrl.optional(),
  /** Rows per list page (the API caps page_size at 1000; default DATAWIZ_PAGE_SIZE). */
  pageSize: z.number().int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
});

export const datawizConnection: ConnectionDeclaration<typeof datawizSettings> = {
  credentials: datawizCredentials,
  settings: datawizSettings,
  env: [
    {
      credentials: {
        DATAWIZ_CLIENT_ID: 'clientId',
        DATAWIZ_CLIENT_SECRET: 'clientSecret',
        DATAWIZ_USERNAME: 'username',
        DATAWIZ_PASSWORD: 'password',
      },
    },
  ],
  probe: () => import('./probe'),
};
