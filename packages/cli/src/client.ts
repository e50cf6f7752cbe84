/** The gateway's HTTP API as the command line uses it (GATEWAY_URL, GATEWAY_API_KEY); the tests' kit uses it too. */
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

/** One answer as it came: its status, JSON body (the text when it is not JSON), text and headers. */
export interface GatewayAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  /** Any answer, whatever its status (`call` throws on an error status instead). */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<GatewayAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, extraHeaders);
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new Error(
        `cannot reach the gateway at ${this.baseUrl} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`,
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status < 200 || answer.status > 299) throw new ApiError(answer.status, answer.body);
    return answer.body;
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
  /** `host:pid` of the process working (or last working) it. */
  worker?: string | null;
  scheduleId?: string | null;
  /** Absent on gateways older than the field. */
  trigger?: 'manual' | 'schedule';
  idle?: boolean;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs: number | null;
  /** The backfill this run is a chunk of (absent on older gateways). */
  parentRunId?: string | null;
  /** A backfill's chunk count, and its child runs (GET /api/runs/:id of the parent). */
  childrenTotal?: number | null;
  children?: Run[];
  resync?: string[];
}
