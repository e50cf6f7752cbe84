import { baseUrlOf, probeRequest, type Probe } from '@datasync/connections';

/**
 * One cheap authenticated call per marketplace: Ozon `POST /v2/warehouse/list` (reference §2.2),
 * WB `GET /api/v3/warehouses`, YM `GET /v2/campaigns` (the lists a catalogue run starts with).
 */
const probe: Probe = async ({ credentials, settings, config, timeoutMs }) => {
  switch (settings.marketplace) {
    case 'ozon':
      return probeRequest({
        what: 'ozon POST /v2/warehouse/list',
        url: `${baseUrlOf(settings.baseUrl, config.OZON_BASE_URL)}/v2/warehouse/list`,
        method: 'POST',
        headers: { 'Client-Id': credentials.clientId ?? '', 'Api-Key': credentials.apiKey ?? '' },
        body: { limit: 1 },
        timeoutMs,
        credentials,
      });
    case 'wb':
      return probeRequest({
        what: 'wb GET /api/v3/warehouses',
        url: `${baseUrlOf(settings.marketplaceBaseUrl, config.WB_MARKETPLACE_BASE_URL)}/api/v3/warehouses`,
        headers: { Authorization: credentials.token ?? '' },
        timeoutMs,
        credentials,
      });
    case 'ym':
      return probeRequest({
        what: 'ym GET /v2/campaigns',
        url: `${baseUrlOf(settings.baseUrl, config.YM_BASE_URL)}/v2/campaigns`,
        headers: { 'Api-Key': credentials.apiKey ?? '' },
        timeoutMs,
        credentials,
      });
    default:
      return { ok: false, error: `unknown marketplace ${String(settings.marketplace)}` };
  }
};
export default probe;
