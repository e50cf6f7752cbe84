/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies read loosely in assertions */
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export const start = (seed = 11) => startSandbox({ port: 0, seed, log: createLogger({ name: 't', level: 'silent' }) });

/** A tiny HTTP client over one sandbox: JSON in, JSON (when there is some) out. */
export function client(sandbox: RunningSandbox, defaults: Record<string, string> = {}) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...defaults, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
}
