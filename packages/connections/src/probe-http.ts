import type { ProbeResult } from './declaration';

export interface ProbeRequest {
  /** What the call is, for the answer: `yclients GET /groups`. */
  what: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A JSON body, or a form (URLSearchParams). */
  body?: unknown;
  timeoutMs: number;
  /** Every value is scrubbed from the upstream's words before they are answered. */
  credentials: Readonly<Record<string, string>>;
}

/** The upstream's message out of a JSON or text answer (its common places), at most 300 characters. */
function upstreamMessage(text: string): string | undefined {
  let found: unknown = text;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const meta = body.meta as Record<string, unknown> | undefined;
    found = body.message ?? meta?.message ?? body.error_description ?? body.error ?? body.detail ?? body.title ?? body.errors;
    if (found !== undefined && typeof found !== 'string') found = JSON.stringify(found);
  } catch {
    // Not JSON: the text itself.
  }
  if (typeof found !== 'string' || found.trim() === '') return undefined;
  return found.trim().slice(0, 300);
}

function scrub(text: string, credentials: Readonly<Record<string, string>>): string {
  let out = text;
  for (const value of Object.values(credentials)) if (value.length >= 4) out = out.split(value).join('[redacted]');
  return out;
}

/**
 * One authenticated call for `POST /api/connections/:id/test`: 2xx is ok, anything else the
 * upstream's refusal (status and its own message, with every credential value scrubbed out), a
 * network failure or timeout a refusal without a status. Never retried: a test is one call.
 */
export async function probeRequest(request: ProbeRequest): Promise<ProbeResult> {
  const form = request.body instanceof URLSearchParams;
  let res: Response;
  try {
    res = await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: {
        accept: 'application/json',
        'user-agent': 'DataSync/1.0',
        ...(request.body === undefined ? {} : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : form ? String(request.body) : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${request.timeoutMs} ms` : 'could not connect';
    return { ok: false, error: `${request.what}: ${reason}` };
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { ok: true, detail: `${request.what} answered ${res.status}` };
  const message = upstreamMessage(text);
  return {
    ok: false,
    status: res.status,
    error: scrub(`${request.what} answered ${res.status}${message ? `: ${message}` : ''}`, request.credentials),
  };
}

/** The base URL a probe calls: the connection's override, else the source's configured one, without a trailing slash. */
export function baseUrlOf(override: unknown, configured: unknown): string {
  const url = typeof override === 'string' && override ? override : String(configured);
  return url.replace(/\/+$/, '');
}
