import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@datasync/sources';
import { createLogger } from '@datasync/logger';
import { closeQueues, createQueues } from '@datasync/runs';
import { catalog } from '@datasync/sources';
import { waitFor } from '../helpers';
import type { OrError, Submitted } from '@datasync/testkit';
import { allSources, gatewayClient, type Submit, useBench } from './sources';

/**
 * Hundreds of sync requests at once across every source, through the gateway and its real rate
 * limiter (set to half the burst a minute, about the default 600/min in soak): the requests over the
 * limit are refused with 429 and RateLimit headers, the clients retry when those headers say, and
 * then identical requests share one run (and one job), every run ends done, and the gateway keeps
 * answering /health quickly throughout the burst.
 */

const COPIES = Number(process.env.LOAD_COPIES ?? 6);
/** The burst's size, fixed by the sources' seeded data and COPIES (asserted below). */
const burstSize = (distinct: number) => distinct * COPIES;
let limit = 0;
// Workers come later: every identical request of the burst then meets a run still queued.
const t = useBench({
  env: async ({ control }) => {
    const distinct = (await Promise.all(allSources.map((s) => s.syncs.count(control)))).reduce((a, b) => a + b, 0);
    limit = Math.ceil(burstSize(distinct) / 2);
    return { GATEWAY_RATE_LIMIT_PER_MINUTE: String(limit), WORKER_CONCURRENCY: '4' };
  },
});

/** The limiter's answer in the standard headers (draft-7 `limit=, remaining=, reset=` or draft-8 `q=`, `r=`, `t=`). */
function rateLimitOf(headers: Headers): { limit?: number; remaining?: number; resetSeconds?: number } {
  const policy = headers.get('ratelimit-policy') ?? '';
  const state = `${headers.get('ratelimit') ?? ''}, ${headers.get('ratelimit-limit') ? `limit=${headers.get('ratelimit-limit')}` : ''}`;
  const num = (text: string, re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    limit: num(policy, /\bq=(\d+)/) ?? num(policy, /^(\d+)/) ?? num(state, /\blimit=(\d+)/),
    remaining: num(state, /\br=(\d+)/) ?? num(state, /\bremaining=(\d+)/),
    resetSeconds: num(state, /\bt=(\d+)/) ?? num(state, /\breset=(\d+)/),
  };
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

describe('a burst of sync requests', () => {
  it(`hundreds at once (${COPIES} copies of each distinct sync, shuffled): deduplicated, all finished, the gateway responsive`, async () => {
    // Every source's distinct syncs (each ends done against the seeded data), in the sources' order.
    const syncs = [];
    for (const source of allSources) syncs.push(await source.syncs.make(t.control, t.pool));
    const distinct: Submit[] = syncs.flatMap((s) => s.submits);
    const burst = distinct.flatMap((s) => Array.from({ length: COPIES }, () => s));
    // A fixed shuffle, so copies of one sync arrive far apart and side by side with the others.
    for (let i = burst.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [burst[i], burst[j]] = [burst[j]!, burst[i]!];
    }
    expect(burst.length).toBeGreaterThanOrEqual(250);
    expect(burst.length).toBe(burstSize(distinct.length));

    const api = gatewayClient(t.stack.gateway.url);
    const latencies: number[] = [];
    const healthStatuses = new Set<number>();
    let bursting = true;
    const probe = (async () => {
      while (bursting) {
        const t0 = performance.now();
        const res = await fetch(`${t.stack.gateway.url}/health`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        healthStatuses.add(res.status);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const t0 = Date.now();
    const first = await Promise.all(
      burst.map(async (s) => ({ s, key: JSON.stringify(s), res: await api.call<OrError<Submitted>>(s.method, s.path, s.body) })),
    );
    const burstMs = Date.now() - t0;
    bursting = false;
    await probe;

    // The limiter acted: exactly `limit` admitted, the rest refused with 429 and the standard headers.
    const admitted = first.filter((a) => a.res.status === 200);
    const refused = first.filter((a) => a.res.status !== 200);
    expect({ admitted: admitted.length, refused: refused.length }).toEqual({ admitted: limit, refused: burst.length - limit });
    for (const a of refused) {
      expect(a.res.status, a.res.text).toBe(429);
      expect(a.res.body?.error?.code).toBe('rate_limited');
      expect(rateLimitOf(a.res.headers)).toMatchObject({ limit, remaining: 0 });
      expect(rateLimitOf(a.res.headers).resetSeconds).toBeGreaterThan(0);
    }
    for (const a of admitted) expect(rateLimitOf(a.res.headers).limit).toBe(limit);
    // Refused clients come back when the headers say (Retry-After, else the RateLimit reset), not on a guess.
    const retried = await Promise.all(
      refused.map(async (a) => {
        for (;;) {
          const waitS = Number(a.res.headers.get('retry-after') ?? rateLimitOf(a.res.headers).resetSeconds ?? 1);
          await new Promise((r) => setTimeout(r, waitS * 1000 + 100));
          a.res = await api.call(a.s.method, a.s.path, a.s.body);
          if (a.res.status !== 429) return a;
        }
      }),
    );
    const answers = [...admitted, ...retried];
    expect(answers.filter((a) => a.res.status !== 200).map((a) => `${a.res.status} ${a.res.text}`)).toEqual([]);
    const idsByKey = new Map<string, Set<string>>();
    for (const a of answers) idsByKey.set(a.key, (idsByKey.get(a.key) ?? new Set()).add(a.res.body.parser_uuid));
    // Every copy of one sync got the same run; distinct syncs got distinct runs.
    expect([...idsByKey.values()].every((ids) => ids.size === 1)).toBe(true);
    const runIds = [...idsByKey.values()].map((ids) => [...ids][0]!);
    expect(new Set(runIds).size).toBe(distinct.length);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM sync_runs')).rows[0].n).toBe(distinct.length);
    // One job per distinct sync, in its source's queue.
    const redis = new Redis(t.env.REDIS_URL!, { maxRetriesPerRequest: null });
    const queues = createQueues(catalog, redis, t.env.REDIS_PREFIX!);
    try {
      const waiting = await Promise.all(queues.all().map((q) => q.getWaitingCount()));
      expect(waiting.reduce((a, b) => a + b, 0)).toBe(distinct.length);
    } finally {
      await closeQueues(queues);
      redis.disconnect();
    }

    // The gateway kept answering during the burst.
    expect([...healthStatuses]).toEqual([200]);
    expect(latencies.length).toBeGreaterThan(3);
    const p95 = percentile(latencies, 95);
    console.log(
      `burst of ${burst.length} requests (${distinct.length} distinct) in ${burstMs} ms; /health p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} probes`,
    );
    expect(p95).toBeLessThan(1000);

    // Workers for every source: every run reaches an end, each once.
    const log = createLogger({ name: 'load', level: 'silent' });
    const workers = await Promise.all(allSources.map((s) => s.start(loadConfig(t.env), log)));
    try {
      const ends = await waitFor(
        async () => {
          const { rows } = await t.pool.query<{ state: string; n: number }>(
            `SELECT state::text, count(*)::int AS n FROM sync_runs GROUP BY state`,
          );
          const by = Object.fromEntries(rows.map((r) => [r.state, r.n]));
          return (by.done ?? 0) + (by.failed ?? 0) === distinct.length ? by : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: 'every run to finish' },
      );
      const failed = await t.pool.query(`SELECT source, error FROM sync_runs WHERE state = 'failed'`);
      expect(failed.rows).toEqual([]);
      expect(ends.done).toBe(distinct.length);
      for (const s of syncs) await s.expectEqual?.();
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  }, 240_000);
});
