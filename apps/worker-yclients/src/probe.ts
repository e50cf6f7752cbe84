import { baseUrlOf, probeRequest, type Probe } from '@datasync/connections';

/**
 * One cheap authenticated call: with a user token, `GET /groups` (reference §3, partner + user
 * token); with a login, `POST /auth` (§2.3), which checks the partner token and the login at once.
 */
const probe: Probe = async ({ credentials, settings, config, timeoutMs }) => {
  const base = baseUrlOf(settings.baseUrl, config.YCLIENTS_BASE_URL);
  const { partnerToken, userToken, login, password } = credentials;
  const accept = 'application/vnd.yclients.v2+json';
  if (userToken) {
    return probeRequest({
      what: 'yclients GET /groups',
      url: `${base}/groups`,
      headers: { accept, authorization: `Bearer ${partnerToken}, User ${userToken}` },
      timeoutMs,
      credentials,
    });
  }
  return probeRequest({
    what: 'yclients POST /auth',
    url: `${base}/auth`,
    method: 'POST',
    headers: { accept, authorization: `Bearer ${partnerToken}` },
    body: { login, password },
    timeoutMs,
    credentials,
  });
};
export default probe;
