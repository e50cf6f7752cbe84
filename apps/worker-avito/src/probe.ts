import { baseUrlOf, probeRequest, type Probe } from '@datasync/connections';

/**
 * One cheap call with the key: the first item of the default search (all of Russia, commercial real
 * estate). Avito bans fast clients; a test is one request, outside the runs' shared budget.
 */
const probe: Probe = async ({ credentials, settings, config, timeoutMs }) => {
  const query = new URLSearchParams({
    key: credentials.mobileKey ?? '',
    locationId: '621540',
    categoryId: '42',
    page: '1',
    limit: '1',
    display: 'list',
  });
  return probeRequest({
    what: 'avito GET /api/11/items',
    url: `${baseUrlOf(settings.baseUrl, config.AVITO_BASE_URL)}/api/11/items?${query}`,
    timeoutMs,
    credentials,
  });
};
export default probe;
