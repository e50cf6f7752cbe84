import { beforeEach, describe, expect, it } from 'vitest';
import type { FaultRuleInput } from '@datasync/sandbox';
import type { Run } from '@datasync/testkit';
import { allSources, type ReliabilitySource, useBench } from './sources';

/**
 * Every upstream fault × every source: the sync ends `done` with the database equal to the source
 * row for row, or (credentials really refused) `failed` at once with a clear error. Each case starts
 * from a fresh target, so a fault that lost rows cannot be hidden by an earlier run's rows.
 */

interface FaultCase {
  name: string;
  /** The rules to add; undefined when the fault does not apply to the source (with the reason in `skip`). */
  rules(s: ReliabilitySource): FaultRuleInput[] | undefined;
  /** Expect a clear failure instead of the source's data. */
  fails?(s: ReliabilitySource): boolean;
  check?(ctx: { source: ReliabilitySource; run: Run }): Promise<void>;
}

const faults: FaultCase[] = [
  { name: '503 on a quarter of the requests', rules: (s) => [{ path: s.dataPath, kind: 'status', status: 503, probability: 0.25 }] },
  {
    name: '502 with an HTML body',
    rules: (s) => [{ path: s.dataPath, kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>', every: 3, times: 3 }],
  },
  {
    name: '429 with Retry-After (honoured)',
    rules: (s) => [{ path: s.dataPath, kind: 'status', status: 429, retryAfter: 1, every: 3, times: 2 }],
    async check({ source }) {
      // The same request was asked again no sooner than Retry-After said.
      const log = (await t.control.requests(source.dataPath)).requests;
      const limited = log.filter((r) => r.status === 429);
      expect(limited.length).toBe(2);
      for (const r of limited) {
        const again = log.find((x) => x.at > r.at && x.path === r.path && JSON.stringify(x.query) === JSON.stringify(r.query));
        expect(again, `retry of ${r.path}`).toBeDefined();
        expect(again!.at - r.at).toBeGreaterThanOrEqual(950);
      }
    },
  },
  { name: '429 without Retry-After', rules: (s) => [{ path: s.dataPath, kind: 'status', status: 429, every: 3, times: 3 }] },
  { name: '420 (Yandex Market style rate limit)', rules: (s) => [{ path: s.dataPath, kind: 'status', status: 420, every: 3, times: 3 }] },
  { name: 'timeouts', rules: (s) => [{ path: s.dataPath, kind: 'timeout', delayMs: 2500, every: 4, times: 2 }] },
  { name: 'connection resets', rules: (s) => [{ path: s.dataPath, kind: 'reset', every: 3, times: 3 }] },
  { name: 'truncated JSON bodies', rules: (s) => [{ path: s.dataPath, kind: 'truncate', every: 3, times: 2 }] },
  { name: 'invalid JSON bodies', rules: (s) => [{ path: s.dataPath, kind: 'invalid-json', every: 3, times: 2 }] },
  {
    name: 'an empty page in the middle',
    // A source answering one unpaged array per day cannot tell an empty day from a day without data.
    rules: (s) => (s.detectsEmptyPage ? [{ path: s.dataPath, kind: 'empty', skip: 2, times: 1 }] : undefined),
  },
  {
    name: 'a 401 mid-run (one fresh login, then on)',
    rules: (s) => [
      { path: s.dataPath, kind: 'status', ...(s.unauthorized ? { preset: s.unauthorized } : { status: 401 }), skip: 2, times: 1 },
    ],
    // Without a login to renew (a public surface, a fixed key) a 401 is final.
    fails: (s) => !s.reauth,
  },
  {
    name: 'credentials really refused (401 every time): a clear failure, not retried',
    rules: (s) => [{ path: s.dataPath, kind: 'status', ...(s.unauthorized ? { preset: s.unauthorized } : { status: 401 }), skip: 1 }],
    fails: () => true,
  },
];

const t = useBench({
  env: () => ({
    HTTP_TIMEOUT_MS: '800',
    // Above Retry-After: 1, so the header is honoured in full; the exponential backoff stays at 20 ms × 2^n.
    HTTP_RETRY_MAX_MS: '1500',
  }),
  workers: allSources.map((s) => s.start),
});
beforeEach(async () => {
  await t.control.clearFaults();
  await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });
});

describe.each(allSources.map((s) => [s.name, s] as const))('%s under upstream faults', (_name, source) => {
  const cases = faults.filter((f) => f.rules(source) !== undefined);
  it.each(cases.map((f) => [f.name, f] as const))(
    '%s',
    async (_fault, fault) => {
      const rules = fault.rules(source)!;
      // `pnpm test:soak` runs every case on targets large enough to last seconds.
      const target = await source.prepare(t.control, t.pool, { large: process.env.SOAK === '1' });
      const { ids } = (await t.control.addFault(rules)) as { ids: number[] };
      const started = Date.now();
      const id = await t.api.submit(target.submit);
      const run = await t.api.finished(id, 90_000);
      const injected = await t.control.injected();
      await t.control.clearFaults();

      // The fault really happened: the sandbox counts every request each rule acted on, retired rules included.
      for (const ruleId of ids) expect(injected[ruleId], `rule ${ruleId} injected`).toBeGreaterThan(0);
      if (fault.fails?.(source)) {
        expect(run.state).toBe('failed');
        expect(run.error).toMatch(/401|credentials|refused/i);
        expect(run.attempts).toBe(1);
        expect(Date.now() - started).toBeLessThan(15_000);
      } else {
        expect(run.error ?? null, JSON.stringify(run.error)).toBeNull();
        expect(run.state).toBe('done');
        await target.expectEqual(id);
        await fault.check?.({ source, run });
      }
    },
    120_000,
  );
});
