import { z } from 'zod';
import { pushAllowIps } from './push-receiver/allow-list';
import { credential, upstreamIds, upstreamUrl, type ConnectionDeclaration, type CredentialsSchema } from '@datasync/connections';

/**
 * One connection is one seller cabinet of one marketplace: `settings.marketplace` says which, and
 * so which credentials apply. The stock ledger stays one per internal SKU; each cabinet is pushed to.
 */
export const marketplaceSettings = z.discriminatedUnion('marketplace', [
  z.strictObject({
    marketplace: z.literal('ozon'),
    /** Overrides OZON_BASE_URL for this cabinet. */
    baseUrl: upstreamUrl.optional(),
    /** The cabinet's FBS warehouses to push to (the others are stored inactive); unset: every one it lists. */
    warehouseIds: upstreamIds.optional(),
    /** Addresses Ozon may push events from (README "Push notifications"); unset: any. */
    pushAllowIps: pushAllowIps.optional(),
  }),
  z.strictObject({
    marketplace: z.literal('wb'),
    /** Override WB_MARKETPLACE_BASE_URL, WB_CONTENT_BASE_URL, WB_ANALYTICS_BASE_URL for this cabinet. */
    marketplaceBaseUrl: upstreamUrl.optional(),
    contentBaseUrl: upstreamUrl.optional(),
    analyticsBaseUrl: upstreamUrl.optional(),
    /** The cabinet's seller warehouses to push to; unset: every one it lists. */
    warehouseIds: upstreamIds.optional(),
  }),
  z.strictObject({
    marketplace: z.literal('ym'),
    /** Overrides YM_BASE_URL for this cabinet. */
    baseUrl: upstreamUrl.optional(),
    /** The cabinet's campaigns (shops) to read and push; unset: every one its key reaches. */
    campaignIds: upstreamIds.optional(),
    /** Of those campaigns' warehouses, the ones to push to; unset: every one. */
    warehouseIds: upstreamIds.optional(),
    /** Addresses Yandex Market may send notifications from (README "Push notifications"); unset: any. */
    pushAllowIps: pushAllowIps.optional(),
  }),
]);
export type MarketplaceSettings = z.infer<typeof marketplaceSettings>;

export const ozonCredentials = z.strictObject({
  clientId: credential.refine((v) => /^[1-9]\d{0,18}$/.test(v), 'must be the numeric Client-Id of the cabinet'),
  apiKey: credential,
});
export const wbCredentials = z.strictObject({ token: credential });
export const ymCredentials = z.strictObject({ apiKey: credential });

const credentialsOf: Record<MarketplaceSettings['marketplace'], CredentialsSchema> = {
  ozon: ozonCredentials,
  wb: wbCredentials,
  ym: ymCredentials,
};

export const marketplacesConnection: ConnectionDeclaration<typeof marketplaceSettings> = {
  credentials: (settings) => credentialsOf[settings.marketplace],
  settings: marketplaceSettings,
  env: [
    { settings: { marketplace: 'ozon' }, credentials: { OZON_CLIENT_ID: 'clientId', OZON_API_KEY: 'apiKey' } },
    { settings: { marketplace: 'wb' }, credentials: { WB_TOKEN: 'token' } },
    { settings: { marketplace: 'ym' }, credentials: { YM_API_KEY: 'apiKey' } },
  ],
  probe: () => import('./probe'),
};
