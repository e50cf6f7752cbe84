import { expect } from 'vitest';
import { sourceWorker } from '../../helpers';
import type { Control, ReliabilitySource } from '../../reliability/source';
import { avitoSourceIds, expectAvitoEqualToSource } from './equal-to-source';

const idsOf = (rows: { id: unknown }[]) => rows.map((r) => String(r.id)).sort();
const sellersOf = async (control: Control) =>
  (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;

/** Avito in the reliability suite (test/reliability). */
export const reliability: ReliabilitySource = {
  name: 'avito',
  app: 'worker-avito',
  start: sourceWorker('avito'),
  dataPath: '/avito/api/1/user',
  isPage: (r) => r.path.startsWith('/avito/api/1/user'),
  reauth: false,
  detectsEmptyPage: true,
  env: () => Promise.resolve({ AVITO_PAGE_SIZE: '10' }),
  secrets: () => [],
  async prepare(control, pool) {
    const sellers = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
    const seller = sellers.find((s) => s.active > 100)!;
    await pool.query('DELETE FROM avito_run_items; DELETE FROM avito_items;');
    return {
      submit: { method: 'GET', path: `/api/avito/user?user=${seller.hash}` },
      expectEqual: (runId) => expectAvitoEqualToSource(pool, control, runId, seller.hash),
    };
  },
  job: 'avito.user',
  // Seller hashes: 32 lowercase hex characters.
  params: (n) => ({ user: n.toString(16).padStart(32, '0') }),
  route: (params) => ({ method: 'GET', path: `/api/avito/user?user=${String(params.user)}` }),
  syncs: {
    count: async (control) => (await sellersOf(control)).length,
    // Each seller's run is checked by its own id (expectEqual of `prepare`), not as a set.
    make: async (control) => ({ submits: (await sellersOf(control)).map((s) => reliability.route({ user: s.hash })) }),
  },
  tables: ['avito_items'],
  kill: { delayMs: 900 },
  malformed: {
    title: 'avito: a listing without an id and one with a numeric title are skipped and counted; every other listing is stored',
    async check(t) {
      const target = await reliability.prepare(t.control, t.pool);
      await t.control.addFault([
        { path: reliability.dataPath, kind: 'corrupt', field: 'value.id', skip: 1, times: 1 },
        { path: reliability.dataPath, kind: 'corrupt', field: 'value.title', value: 12345, skip: 3, times: 1 },
      ]);
      const run = await t.api.finished(await t.api.submit(target.submit));
      expect(run.error ?? null).toBeNull();
      expect(run.state).toBe('done');
      expect(run.counts.skipped).toBe(2);
      expect(run.progress.lastSkipped).toMatch(/^page \d+: title: /);
      const hash = new URL(`http://x${target.submit.path}`).searchParams.get('user')!;
      const source = await avitoSourceIds(t.control, hash);
      const stored = idsOf(
        (await t.pool.query<{ id: string }>('SELECT avito_id::text AS id FROM avito_items WHERE seller_hash = $1', [hash])).rows,
      );
      // Exactly two listings missing, none extra, none twice.
      expect(stored.every((id) => source.includes(id))).toBe(true);
      expect(new Set(stored).size).toBe(stored.length);
      expect(source.length - stored.length).toBe(2);
    },
  },
};
