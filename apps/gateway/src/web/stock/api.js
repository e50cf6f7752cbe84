// The gateway's REST API as the page uses it. Same origin only, so the browser sends the API key it
// was given at the basic-auth prompt; JSON bodies always say `content-type: application/json`.

/** An answer other than 2xx, with the words to show a person. */
export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.code = body?.error?.code ?? null;
  }
}

function describe(status, body) {
  const fields = (body?.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
  if (fields) return fields;
  if (body?.error?.message) return body.error.message;
  if (status === 401) return 'the gateway asks for the API key: reload the page to be asked again';
  return `the gateway answered HTTP ${status}`;
}

export async function api(path, { method = 'GET', body } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error('cannot reach the gateway (is DataSync running?)');
  }
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, answer);
  return answer;
}

/** `/path?a=1&b=2`, leaving out empty values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The marketplaces as `GET /api/marketplaces` names them, in its order; filled once by loadMarketplaces(). */
export const MARKETPLACES = [];

export async function loadMarketplaces() {
  const { marketplaces } = await api('/api/marketplaces');
  MARKETPLACES.splice(0, MARKETPLACES.length, ...marketplaces);
  return MARKETPLACES;
}

export const marketplaceName = (id) => MARKETPLACES.find((m) => m.id === id)?.name ?? id;
