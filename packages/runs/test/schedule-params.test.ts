import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobCatalog } from '@datasync/queues';
import { progressPercent, resolveParams, scheduleInputSchema } from '../src';

/** Two sources of the shape the schedules see: a window of days (dates checked), and a job without parameters. */
const catalog = new JobCatalog([
  {
    name: 'window',
    jobs: {
      'window.load': {
        params: z
          .object({ start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), end: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) })
          .refine((p) => p.start <= p.end, { message: 'start must not be after end', path: ['end'] }),
      },
    },
  },
  { name: 'plain', jobs: { 'plain.sync': { params: z.object({}) } } },
]);

describe('schedule parameters', () => {
  it('resolves date tokens in the schedule time zone at the tick', () => {
    // 22:30 UTC on April 2 is already April 3 in Moscow.
    const tick = new Date('2026-04-02T22:30:00Z');
    const params = { start: '{{daysAgo:7}}', end: '{{yesterday}}', on: '{{ today }}', keep: 'text {{today}}', n: 5 };
    expect(resolveParams(params, 'Europe/Moscow', tick)).toEqual({
      start: '2026-03-27',
      end: '2026-04-02',
      on: '2026-04-03',
      keep: 'text {{today}}',
      n: 5,
    });
    expect(resolveParams(params, 'UTC', tick)).toMatchObject({ end: '2026-04-01', on: '2026-04-02' });
  });

  it('checks the parameters against the job schema after resolving them, naming params.<field>', () => {
    const schema = scheduleInputSchema({ minIntervalSeconds: 60, catalog });
    const ok = schema.safeParse({
      source: 'window',
      params: { start: '{{yesterday}}', end: '{{yesterday}}' },
      cron: '0 6 * * *',
      timezone: 'Europe/Moscow',
    });
    expect(ok.success).toBe(true);
    const bad = schema.safeParse({ source: 'window', params: { start: '{{today}}', end: '{{daysAgo:3}}' }, cron: '0 6 * * *' });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['params.end', 'start must not be after end']]);
    const often = schema.safeParse({ source: 'plain', cron: '*/10 * * * * *' });
    expect(often.error?.issues.map((i) => i.path.join('.'))).toEqual(['cron']);
  });
});

describe('progressPercent', () => {
  it('reads the progress shapes of the connectors', () => {
    expect(progressPercent({ page: 3, listings: 30, total: 120 })).toBe(25);
    expect(progressPercent({ stage: 'products', page: 2, products: 50, productsTotal: 200 })).toBe(25);
    expect(
      progressPercent({
        entities: { clients: { rows: 30, total: 100 }, records: { rows: 10, total: 100 }, staff: { state: 'done', rows: 4 } },
      }),
    ).toBe(20);
    expect(progressPercent({ percent: 130 })).toBe(100);
    expect(progressPercent({ stage: 'load', day: '2026-04-01' })).toBeNull();
  });
});
