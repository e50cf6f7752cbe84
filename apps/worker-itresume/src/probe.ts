import { baseUrlOf, probeRequest, type Probe } from '@datasync/connections';

/** One cheap authenticated call: `GET /api/statistics` for the first second of today (UTC), nearly always empty. */
const probe: Probe = async ({ credentials, settings, config, timeoutMs }) => {
  const day = new Date().toISOString().slice(0, 10);
  const query = new URLSearchParams({
    client: credentials.client ?? '',
    client_key: credentials.clientKey ?? '',
    start: `${day} 00:00:00`,
    end: `${day} 00:00:01`,
  });
  return probeRequest({
    what: 'itresume GET /api/statistics',
    url: `${baseUrlOf(settings.baseUrl, config.ITRESUME_BASE_URL)}/api/statistics?${query}`,
    timeoutMs,
    credentials,
  });
};
export default probe;
