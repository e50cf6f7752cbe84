// Container healthcheck: GET $HEALTHCHECK_URL (default: the gateway's liveness endpoint) and exit 0
// on a 2xx answer. HEALTHCHECK_URL=none turns it off for containers without an HTTP port.
const url = process.env.HEALTHCHECK_URL || `http://127.0.0.1:${process.env.GATEWAY_PORT || 3000}/health`;
if (url === 'none') process.exit(0);
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`healthcheck ${url}: ${err.message}`);
  process.exit(1);
}
