import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { HttpClient, UpstreamAuthError, UpstreamRateLimiter, UpstreamUnavailableError, type HttpClientOptions } from '../src/index';

/** How the local upstream answers one request instead of its `{"status":"ok"}`. */
type Fault =
  { kind: 'status'; status: number; retryAfter?: number; times?: number } | { kind: 'truncate' | 'invalid-json'; times?: number };

/**
 * A tiny upstream on loopback: it answers `{"status":"ok"}` unless a fault is queued. A fault with
 * `times` is used that many times, then dropped; one without stays for every later request.
 */
let server: Server;
let baseURL: string;
let faults: Fault[] = [];
const OK = JSON.stringify({ status: 'ok' });
function answer(res: ServerResponse) {
  const rule = faults[0];
  if (rule?.times !== undefined && --rule.times <= 0) faults.shift();
  if (!rule) return res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
  switch (rule.kind) {
    case 'status':
      if (rule.retryAfter !== undefined) res.setHeader('retry-after', String(rule.retryAfter));
      return res.writeHead(rule.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `fault ${rule.status}` }));
    case 'truncate':
      return res.writeHead(200, { 'content-type': 'application/json' }).end(OK.slice(0, Math.floor(OK.length / 2)));
    case 'invalid-json':
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": "ok", "result": {"items": [');
  }
}
const fault = (rule: Fault | Fault[]) => {
  faults.push(...(Array.isArray(rule) ? rule : [rule]));
};

let redis: Redis;
const client = (extra: Partial<HttpClientOptions> = {}) =>
  new HttpClient({
    upstream: 'example',
    baseURL,
    timeoutMs: 2000,
    retry: { retries: 3, baseMs: 10, maxMs: 3000 },
    ...extra,
  });
const SEARCH = '/api/11/items';

beforeAll(async () => {
  server = createServer((req, res) => req.resume().on('end', () => answer(res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  faults = [];
});

describe('HttpClient', () => {
  it('waits as long as Retry-After says, then succeeds', async () => {
    fault({ kind: 'status', status: 429, retryAfter: 1, times: 1 });
    const started = Date.now();
    const body = await client().get<{ status: string }>(SEARCH, { params: { key: 'k' } });
    expect(body.status).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries server errors, truncated and invalid JSON bodies and dropped connections', async () => {
    fault([
      { kind: 'status', status: 502, times: 1 },
      { kind: 'truncate', times: 1 },
      { kind: 'invalid-json', times: 1 },
    ]);
    const retries: unknown[] = [];
    const body = await client({ retry: { retries: 4, baseMs: 10, maxMs: 50 }, onRetry: (e) => retries.push(e.status) }).get<{
      status: string;
    }>(SEARCH, { params: { key: 'k' } });
    expect(body.status).toBe('ok');
    expect(retries).toEqual([502, 'ERR_BAD_RESPONSE', 'ERR_BAD_RESPONSE']);
  });

  it('gives up with a retryable error that names the path but never the query string', async () => {
    fault({ kind: 'status', status: 503 });
    const err = await client()
      .get(SEARCH, { params: { key: 'secret-key-123' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toContain('example GET /api/11/items');
    expect((err as Error).message).toContain('503');
    expect((err as Error).message).not.toContain('secret-key-123');
  });

  it('logs in again once on 401, then fails clearly', async () => {
    let token = 'old';
    let refreshes = 0;
    const auth = {
      apply: (config: { headers?: unknown }) => {
        (config.headers as Record<string, string>).authorization = `Bearer ${token}`;
      },
      refresh: async () => {
        refreshes += 1;
        token = 'new';
      },
    };
    fault({ kind: 'status', status: 401, times: 1 });
    expect((await client({ auth }).get<{ status: string }>(SEARCH, { params: { key: 'k' } })).status).toBe('ok');
    expect(refreshes).toBe(1);

    fault({ kind: 'status', status: 401 });
    const err = await client({ auth })
      .get(SEARCH, { params: { key: 'k' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamAuthError);
    expect(refreshes).toBe(2);
  });

  it('keeps several processes within one shared budget (Redis)', async () => {
    const key = `test-${randomUUID()}`;
    const a = new UpstreamRateLimiter(key, [{ points: 5, durationSeconds: 1 }], { redis, prefix: 't' });
    const b = new UpstreamRateLimiter(key, [{ points: 5, durationSeconds: 1 }], { redis, prefix: 't' });
    const started = Date.now();
    await Promise.all([...Array(6)].map(() => a.acquire()).concat([...Array(6)].map(() => b.acquire())));
    // 12 requests at 5 a second: the third window opens two seconds after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('charges every window once per request across processes, also while another window makes it wait', async () => {
    const key = `test-${randomUUID()}`;
    const prefix = `t-${randomUUID()}`;
    const limits = [
      { points: 2, durationSeconds: 1 },
      { points: 100, durationSeconds: 60 },
    ];
    const a = new UpstreamRateLimiter(key, limits, { redis, prefix });
    const b = new UpstreamRateLimiter(key, limits, { redis, prefix });
    // 5 requests, 2 a second: three of them wait for the per-second window to reopen.
    await Promise.all([a.acquire(), a.acquire(), a.acquire(), b.acquire(), b.acquire()]);
    const minute = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:1`, points: 100, duration: 60 });
    expect((await minute.get(key))?.consumedPoints).toBe(5);
    // The per-second window holds only the requests of its own second, never more than its budget.
    const second = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:0`, points: 2, duration: 1 });
    expect((await second.get(key))?.consumedPoints ?? 0).toBeLessThanOrEqual(2);
  });
});
