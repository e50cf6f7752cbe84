/** The gateway's HTTP API as the command line uses it (GATEWAY_URL, GATEWAY_API_KEY). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const b = body as { error?: { message?: string }; errors?: { field: string; message: string }[] } | undefined;
    const fields = b?.errors?.map((e) => `  ${e.field}: ${e.message}`).join('\n');
    super(`${b?.error?.message ?? `the gateway answered ${status}`}${fields ? `\n${fields}` : ''}`);
  }
}

export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new Error(`cannot reach the gateway at ${this.baseUrl} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (!res.ok) throw new ApiError(res.status, parsed);
    return parsed as T;
  }
}

export interface Run {
  id: string;
  source: string;
  jobName: string;
  params: unknown;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: Record<string, unknown>;
  percent: number | null;
  /** The entity the run is on (gateways that report it). */
  step?: { entity: string; number: number; of: number } | null;
  counts: Record<string, number>;
  error: string | null;
  attempts: number;
  /** Absent on gateways older than the field. */
  trigger?: 'manual' | 'schedule';
  idle?: boolean;
  createdAt: string;
  durationMs: number | null;
}
