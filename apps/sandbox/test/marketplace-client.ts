import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

/** One answer: its JSON body (undefined when there is none or it is not JSON) typed as the caller reads it. */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export const start = (seed = 11) => startSandbox({ port: 0, seed, log: createLogger({ name: 't', level: 'silent' }) });

/** A tiny HTTP client over one sandbox: JSON in, JSON (when there is some) out, the body typed as `T`. */
export function client(sandbox: RunningSandbox, defaults: Record<string, string> = {}) {
  return async <T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...defaults, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T };
  };
}
