import { GatewayClient, type GatewayAnswer, type Run } from '@datasync/cli';
import type { Submit, Submitted } from './answers';
import { waitForRun } from './run-waiter';

/**
 * Our API over HTTP for tests (an optional API key): the CLI's client, answering every status
 * (tests check refusals) with the body typed as the caller says.
 */
export function gatewayClient(url: string, apiKey?: string) {
  const client = new GatewayClient(url, apiKey);
  const call = <T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<GatewayAnswer<T>> =>
    client.request<T>(method, path, body, headers);
  const run = async (id: string): Promise<Run> => (await call<Run>('GET', `/api/runs/${id}`)).body;
  return {
    client,
    call,
    run,
    /** Starts a run; answers its id (fails unless the gateway answered 200 with one). */
    async submit(s: Submit): Promise<string> {
      const res = await call<Partial<Submitted>>(s.method, s.path, s.body);
      if (res.status !== 200 || typeof res.body?.parser_uuid !== 'string') throw new Error(`submit ${s.path}: ${res.status} ${res.text}`);
      return res.body.parser_uuid;
    },
    /** The run once it is `done` or `failed`. */
    finished: (id: string, timeoutMs = 60_000) => waitForRun(() => run(id), id, { timeoutMs }),
  };
}
export type GatewayTestClient = ReturnType<typeof gatewayClient>;
