import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '@datasync/sandbox';
import { HttpClient, UpstreamAuthError, UpstreamRateLimiter, UpstreamUnavailableError, type HttpClientOptions } from '../src/index';

let sandbox: RunningSandbox;
let redis: Redis;
const fault = (rule: unknown) =>
  fetch(`${sandbox.url}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
const client = (extra: Partial<HttpClientOptions> = {}) =>
  new HttpClient({
    upstream: 'avito',
    baseURL: `${sandbox.url}/avito`,
    timeoutMs: 2000,
    retry: { retries: 3, baseMs: 10, maxMs: 3000 },
    ...extra,
  });
const SEARCH = '/api/11/items';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 1, log: createLogger({ name: 't', level: 'silent' }) });
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
  await sandbox.close();
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_control/faults`, { method: 'DELETE' });
});

describe('HttpClient', () => {
  it('waits as long as Retry-After says, then succeeds', async () => {
    await fault({ path: '/avito/api/11', kind: 'status', status: 429, retryAfter: 1, times: 1 });
    const started = Date.now();
    const body = await client().get<{ status: string }>(SEARCH, { params: { key: 'k' } });
    expect(body.status).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries server errors, truncated and invalid JSON bodies and dropped connections', async () => {
    await fault([
      { path: '/avito/api/11', kind: 'status', status: 502, times: 1 },
      { path: '/avito/api/11', kind: 'truncate', times: 1 },
      { path: '/avito/api/11', kind: 'invalid-json', times: 1 },
    ]);
    const retries: unknown[] = [];
    const body = await client({ retry: { retries: 4, baseMs: 10, maxMs: 50 }, onRetry: (e) => retries.push(e.status) }).get<{
      status: string;
    }>(SEARCH, { params: { key: 'k' } });
    expect(body.status).toBe('ok');
    expect(retries).toEqual([502, 'ERR_BAD_RESPONSE', 'ERR_BAD_RESPONSE']);
  });

  it('gives up with a retryable error that names the path but never the query string', async () => {
    await fault({ path: '/avito/api/11', kind: 'status', status: 503 });
    const err = await client()
      .get(SEARCH, { params: { key: 'secret-key-123' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toContain('avito GET /api/11/items');
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
    await fault({ path: '/avito/api/11', kind: 'status', status: 401, times: 1 });
    expect((await client({ auth }).get<{ status: string }>(SEARCH, { params: { key: 'k' } })).status).toBe('ok');
    expect(refreshes).toBe(1);

    await fault({ path: '/avito/api/11', kind: 'status', status: 401 });
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
});
