// The gateway's readiness probe (gateway.yaml): GET http://127.0.0.1:$GATEWAY_PORT<path> with the
// pod's GATEWAY_API_KEY and exit 0 on a 2xx answer. An exec probe because /ready, unlike /health,
// needs the key, and an httpGet probe cannot take a header's value from a Secret. Plain JavaScript:
// it starts in milliseconds, with no tsx.
const target = `http://127.0.0.1:${process.env.GATEWAY_PORT || 3000}${process.argv[2] || '/ready'}`;
const headers = process.env.GATEWAY_API_KEY ? { 'x-api-key': process.env.GATEWAY_API_KEY } : {};
try {
  const res = await fetch(target, { headers, signal: AbortSignal.timeout(3000) });
  if (!res.ok) console.error(`${target}: ${res.status} ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`${target}: ${err.message}`);
  process.exit(1);
}
