import { z } from 'zod';
import { credential, requestRate, upstreamIds, upstreamUrl, type ConnectionDeclaration } from '@datasync/connections';

/** One YClients user (partner token + user token, or a login to get one): what a connection holds. */
export const yclientsCredentials = z
  .strictObject({
    partnerToken: credential,
    /** A fixed user token; or login + password to get one (and a fresh one after a 401). */
    userToken: credential.optional(),
    login: credential.optional(),
    password: credential.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.userToken) return;
    if (!c.login)
      ctx.addIssue({ code: 'custom', path: ['login'], message: 'is required without userToken (userToken, or login and password)' });
    if (!c.password)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required without userToken (userToken, or login and password)' });
  });

export const yclientsSettings = z.strictObject({
  /** Overrides YCLIENTS_BASE_URL for this account. */
  baseUrl: upstreamUrl.optional(),
  /** This account's budgets (default YCLIENTS_REQUESTS_PER_SECOND / _PER_MINUTE). */
  requestsPerSecond: requestRate.optional(),
  requestsPerMinute: requestRate.optional(),
  /** The companies (salons) this account may sync; unset: any its user reaches. */
  companyIds: upstreamIds.optional(),
});

export const yclientsConnection: ConnectionDeclaration<typeof yclientsSettings> = {
  credentials: yclientsCredentials,
  settings: yclientsSettings,
  env: [
    {
      credentials: {
        YCLIENTS_PARTNER_TOKEN: 'partnerToken',
        YCLIENTS_USER_TOKEN: 'userToken',
        YCLIENTS_LOGIN: 'login',
        YCLIENTS_PASSWORD: 'password',
      },
    },
  ],
  probe: () => import('./probe'),
};
