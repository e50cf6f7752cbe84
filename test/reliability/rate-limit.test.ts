import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers';
import type { OrError } from '@datasync/testkit';
import { useBench } from './sources';

/**
 * The gateway's limiters (README "Guarantees": rate limiting): counted in Redis, so every gateway of
 * a deployment shares one bucket per client; a client is its TCP peer unless the peer is a proxy
 * named in GATEWAY_TRUST_PROXY; wrong API keys are limited per client before anything answers.
 * Every gateway here is a real HTTP server on loopback; X-Forwarded-For values are only header text.
 */

const API_KEY = 'rate-limit-key-8d1e4f0a92c7';
const t = useBench();

/** A gateway of its own deployment (its own REDIS_PREFIX unless given), without workers. */
async function gateway(extra: Record<string, string>, prefix = `${t.env.REDIS_PREFIX}-${randomUUID().slice(0, 6)}`): Promise<Stack> {
  return startStack({ ...t.env, REDIS_PREFIX: prefix, ...extra }, { workers: [] });
}

async function get(s: Stack, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.gateway.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as OrError<Record<string, unknown>>, headers: res.headers };
}

describe('rate limits', () => {
  it('two gateways of one deployment share one bucket per client (the count is in Redis)', async () => {
    const prefix = `${t.env.REDIS_PREFIX}-shared`;
    const a = await gateway({ GATEWAY_RATE_LIMIT_PER_MINUTE: '10' }, prefix);
    const b = await gateway({ GATEWAY_RATE_LIMIT_PER_MINUTE: '10' }, prefix);
    try {
      const statuses: number[] = [];
      // Alternating: with a bucket per process each would allow 10, 20 in all.
      for (let i = 0; i < 20; i++) statuses.push((await get(i % 2 ? b : a, '/api/runs?limit=1')).status);
      expect(statuses).toEqual([...Array(10).fill(200), ...Array(10).fill(429)]);
      const refused = await get(a, '/api/runs?limit=1');
      expect(refused.body.error?.code).toBe('rate_limited');
      expect(refused.headers.get('ratelimit')).toMatch(/; r=0;/);
      // The count lives under the deployment's prefix.
      const other = await gateway({ GATEWAY_RATE_LIMIT_PER_MINUTE: '10' });
      try {
        expect((await get(other, '/api/runs?limit=1')).status).toBe(200);
      } finally {
        await other.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('ignores X-Forwarded-For from a peer that is not a configured proxy: a forged header gets no fresh bucket', async () => {
    const s = await gateway({ GATEWAY_RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await get(s, '/api/runs?limit=1', { 'x-forwarded-for': `203.0.113.${i + 1}` })).status);
      expect(statuses).toEqual([...Array(5).fill(200), ...Array(5).fill(429)]);
    } finally {
      await s.close();
    }
  });

  it('believes X-Forwarded-For from the proxies in GATEWAY_TRUST_PROXY: each forwarded client has its own bucket', async () => {
    const s = await gateway({ GATEWAY_RATE_LIMIT_PER_MINUTE: '5', GATEWAY_TRUST_PROXY: '127.0.0.1/8, ::1' });
    try {
      const distinct: number[] = [];
      for (let i = 0; i < 10; i++) distinct.push((await get(s, '/api/runs?limit=1', { 'x-forwarded-for': `203.0.113.${i + 1}` })).status);
      expect(distinct).toEqual(Array(10).fill(200));
      const same: number[] = [];
      for (let i = 0; i < 7; i++) same.push((await get(s, '/api/runs?limit=1', { 'x-forwarded-for': '198.51.100.20' })).status);
      expect(same).toEqual([...Array(5).fill(200), 429, 429]);
    } finally {
      await s.close();
    }
  });

  it('limits wrong API keys per client (GATEWAY_AUTH_FAILURES_PER_MINUTE, default 10): 429 then, even with the right key; other clients unaffected', async () => {
    // The default limit: the test settings' high override is removed.
    const { GATEWAY_AUTH_FAILURES_PER_MINUTE: _high, ...env } = t.env;
    const s = await startStack(
      { ...env, REDIS_PREFIX: `${t.env.REDIS_PREFIX}-auth`, GATEWAY_API_KEY: API_KEY, GATEWAY_TRUST_PROXY: 'loopback' },
      { workers: [] },
    );
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    const operator = { 'x-forwarded-for': '198.51.100.20' };
    try {
      expect((await get(s, '/api/runs?limit=1', { ...attacker, 'x-api-key': API_KEY })).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get(s, '/api/runs?limit=1', { ...attacker, 'x-api-key': `guess-${i}` })).status);
      expect(statuses).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
      const blocked = await get(s, '/api/runs?limit=1', { ...attacker, 'x-api-key': API_KEY });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatchObject({ code: 'rate_limited' });
      expect(blocked.body.error?.message).toContain('GATEWAY_AUTH_FAILURES_PER_MINUTE');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // Basic auth (the dashboard's) is the same count.
      const basic = `Basic ${Buffer.from(`ops:${API_KEY}`).toString('base64')}`;
      expect((await fetch(`${s.gateway.url}/admin/queues/`, { headers: { ...attacker, authorization: basic } })).status).toBe(429);
      // Another client, and /health, are unaffected.
      expect((await get(s, '/api/runs?limit=1', { ...operator, 'x-api-key': API_KEY })).status).toBe(200);
      expect((await fetch(`${s.gateway.url}/admin/queues/`, { headers: { ...operator, authorization: basic } })).status).toBe(200);
      expect((await fetch(`${s.gateway.url}/health`, { headers: attacker })).status).toBe(200);
      // Asking without any key (a browser before its password prompt) is a 401 that does not count.
      for (let i = 0; i < 15; i++) expect((await get(s, '/api/runs?limit=1', operator)).status).toBe(401);
      expect((await get(s, '/api/runs?limit=1', { ...operator, 'x-api-key': API_KEY })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
