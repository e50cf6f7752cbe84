import { createLogger } from '@datasync/logger';
import { startSandbox, type FaultRuleInput, type LoggedRequest, type RunningSandbox } from '@datasync/sandbox';

/** The sandbox on a free port of this machine, for one test file. */
export function startTestSandbox(seed = 42, options: { catalogExtra?: number } = {}): Promise<RunningSandbox> {
  return startSandbox({ port: 0, seed, catalogExtra: options.catalogExtra, log: createLogger({ name: 'sandbox', level: 'silent' }) });
}

/** Thin typed client for the sandbox's control endpoints. */
export function sandboxControl(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as unknown);
  };
  return {
    addFault: (rule: FaultRuleInput | FaultRuleInput[]) => call('POST', '/_control/faults', rule),
    clearFaults: () => call('DELETE', '/_control/faults'),
    /** Rule id → how many requests it acted on (retired rules included, until the faults are cleared). */
    injected: async () => ((await call('GET', '/_control/faults')) as { injected: Record<string, number> }).injected,
    reset: () => call('POST', '/_control/reset'),
    requests: async (prefix: string) =>
      (await call('GET', `/_control/requests?prefix=${encodeURIComponent(prefix)}`)) as { total: number; requests: LoggedRequest[] },
    get: <T>(path: string) => call('GET', path) as Promise<T>,
    post: <T>(path: string, body?: unknown) => call('POST', path, body) as Promise<T>,
    delete: (path: string) => call('DELETE', path).then(() => undefined),
  };
}
export type SandboxControl = ReturnType<typeof sandboxControl>;
