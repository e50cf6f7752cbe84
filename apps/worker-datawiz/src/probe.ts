import { baseUrlOf, probeRequest, type Probe } from '@datasync/connections';

/** One cheap authenticated call: the password grant (`POST /api/o/token/`), which checks all four credentials. */
const probe: Probe = async ({ credentials, settings, config, timeoutMs }) =>
  probeRequest({
    what: 'datawiz POST /api/o/token/',
    url: `${baseUrlOf(settings.baseUrl, config.DATAWIZ_BASE_URL)}/api/o/token/`,
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: credentials.clientId ?? '',
      client_secret: credentials.clientSecret ?? '',
      username: credentials.username ?? '',
      password: credentials.password ?? '',
    }),
    timeoutMs,
    credentials,
  });
export default probe;
