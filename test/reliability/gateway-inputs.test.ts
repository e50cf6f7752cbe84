import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceNames as sources } from '@datasync/sources';
import { notAPositiveInteger, RUNS, useInputChecks } from './input-checks';
import { allSources, runBody } from './sources';

/**
 * What the generic input routes accept and refuse, written by hand from README's API section, not read
 * from the routes' own schemas: generated valid requests get a 2xx (and their run or schedule),
 * generated invalid ones a 400 naming the wrong field, and then no run row and no job exist. Then
 * the shapes a fuzzer of depth 2 never makes: 5000-deep params and bodies, numbers past int4 (issue
 * 15, finding 7). Each source's own routes: test/e2e/<source>/gateway-inputs.test.ts.
 */

const { call, expectRefused, expectRunAccepted } = useInputChecks();
/** Whose schedules and runs, when any source will do (the rules checked are the same for all). */
const some = allSources[0]!;

describe('POST /api/schedules', () => {
  it('everyMinutes from the minimum (1) to the most an int4 of milliseconds holds (35791, about 24 days) creates the schedule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 1, max: 35_791 }), fc.constantFrom(1, 35_790, 35_791)), async (everyMinutes) => {
        const res = await call('POST', '/api/schedules', { ...runBody(some), everyMinutes });
        expect(res.status, `everyMinutes ${everyMinutes} → ${res.status} ${res.text.slice(0, 300)}`).toBe(201);
        expect(res.body?.schedule?.everyMinutes ?? res.body?.everyMinutes).toBe(everyMinutes);
        const id = res.body?.schedule?.id ?? res.body?.id;
        expect((await call('DELETE', `/api/schedules/${id}`)).status).toBeLessThan(300);
      }),
      { numRuns: RUNS, seed: 1505 },
    );
  });
  it('everyMinutes that is not a number of minutes in range is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          notAPositiveInteger.filter((v) => !(typeof v === 'number' && v > 0)),
          fc.integer({ min: 35_792 }),
          fc.constantFrom(0.5, 35_792, 527_040, 1e12, 2 ** 53),
        ),
        async (everyMinutes) => {
          await expectRefused('POST', '/api/schedules', { ...runBody(some), everyMinutes }, 'everyMinutes');
        },
      ),
      { numRuns: RUNS, seed: 1506 },
    );
  });
});

describe('POST /api/runs', () => {
  it('a known source with its params starts a run (every source)', async () => {
    for (const source of allSources) await expectRunAccepted('/api/runs', runBody(source), source.params(0));
  });
  it('an unknown source, or params that are not an object, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 10 }).filter((s) => !(sources as readonly string[]).includes(s)),
        async (source) => {
          await expectRefused('POST', '/api/runs', { source, params: {} }, 'source');
        },
      ),
      { numRuns: RUNS, seed: 1507 },
    );
    for (const params of [[], 'x', 5, true]) await expectRefused('POST', '/api/runs', { ...runBody(some), params }, 'params');
  });
  it('an unknown field in params is refused by name, not silently dropped (finding 7; every source)', async () => {
    for (const source of allSources) {
      const body = runBody(source);
      await expectRefused('POST', '/api/runs', { ...body, params: { ...body.params, stat: '2026-01-01' } }, 'params.stat');
    }
  });
});

describe('shapes a small fuzzer never makes (finding 7)', () => {
  // As JSON text: this process's own JSON.stringify would overflow its stack on such a value.
  const deep = (depth: number) => `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;

  it('params nested 5000 deep: a 400 naming params, never a 5xx', async () => {
    const { source, job } = runBody(some);
    await expectRefused('POST', '/api/runs', `{"source":"${source}","job":"${job}","params":${deep(5000)}}`, 'params');
    await expectRefused(
      'POST',
      '/api/schedules',
      `{"source":"${source}","job":"${job}","everyMinutes":60,"params":${deep(5000)}}`,
      'params',
    );
  });

  it('numbers past int4 and past safe integers where the column is int4: a 400 naming the field', async () => {
    for (const limit of [2 ** 31, 2 ** 53, 1e300]) await expectRefused('GET', `/api/runs?limit=${limit}`, undefined, 'limit');
    await expectRefused('POST', '/api/marketplaces/products/SKU-1/adjustments', { onHand: 2_147_483_648, reason: 'audit' }, 'onHand');
  });

  it("a 5000-deep array body on every source's own POST route: 400, never a 5xx", async () => {
    const posts = allSources.map((s) => s.route(s.params(0))).filter((route) => route.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const route of posts) {
      const res = await call('POST', route.path, `${'['.repeat(5000)}${']'.repeat(5000)}`);
      expect(res.status, `${route.path}: ${res.text.slice(0, 200)}`).toBe(400);
    }
  });
});
