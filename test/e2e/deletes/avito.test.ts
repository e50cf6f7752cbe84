import { expect, it } from 'vitest';
import { describeDeletes, spread, type Keys } from './harness';

interface Check {
  status: string;
  result?: Record<string, { name: string; avito_id: string }>;
  errors?: { field: string; message: string }[];
}

/** Avito: a seller's listings (`avito.user`); listings are closed and reopened upstream by the sandbox's control. */
const PAGE = '/avito/api/1/user/profile/items';

describeDeletes({
  source: 'avito',
  env: { AVITO_PAGE_SIZE: '10' },
  async prepare(t) {
    const { sellers } = await t.control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers');
    const seller = sellers.find((s) => s.active > 100)!;
    const active = async () =>
      (await t.control.get<{ listings: { id: number }[] }>(`/avito/_control/listings?sellerId=${seller.hash}`)).listings.map((l) =>
        String(l.id),
      );
    const closed = async () =>
      (await t.control.get<{ closed: number[] }>(`/avito/_control/listings/closed?sellerId=${seller.hash}`)).closed.map(String);
    const stored = async (pool: import('pg').Pool, deleted: boolean): Promise<Keys> => ({
      listings: (
        await pool.query<{ id: string }>(
          `SELECT avito_id::text AS id FROM avito_items WHERE seller_hash = $1 AND (deleted_at IS NOT NULL) = $2`,
          [seller.hash, deleted],
        )
      ).rows.map((r) => r.id),
    });
    return {
      submit: { method: 'GET', path: `/api/avito/user?user=${seller.hash}` },
      streams: ['listings'],
      async remove() {
        const ids = spread((await active()).sort(), await closed());
        await t.control.post('/avito/_control/listings/close', { ids: ids.map(Number) });
      },
      async restoreOne() {
        const back = (await closed()).sort()[0]!;
        await t.control.post('/avito/_control/listings/reopen', { ids: [Number(back)] });
        return { listings: [back] };
      },
      removedUpstream: async () => ({ listings: await closed() }),
      deletedHere: (pool) => stored(pool, true),
      liveHere: (pool) => stored(pool, false),
      lastPageStreams: ['listings'],
      async lastPageFault() {
        // Pages of 10 until a short one: the last page is request number floor(active / 10) + 1.
        const pages = Math.floor((await active()).length / 10) + 1;
        return { path: PAGE, method: 'GET', kind: 'status', status: 500, skip: pages - 1 };
      },
      kill: {
        delay: { path: PAGE, kind: 'delay', delayMs: 150 },
        ready: (run) => (run.counts.pages ?? 0) >= 3,
        firstPage: { prefix: PAGE, is: (r) => String(r.query.page ?? '1') === '1' },
      },
    };
  },
  reads(t) {
    it("a run's result leaves out listings deleted since, unless includeDeleted=true; a bad includeDeleted is a 400", async () => {
      // The first run of the seller found every listing the later passes deleted.
      const { rows } = await t.pool.query<{ id: string; user: string }>(
        `SELECT id, params->>'user' AS user FROM sync_runs WHERE source = 'avito' AND state = 'done' ORDER BY created_at LIMIT 1`,
      );
      const first = rows[0]!;
      const linked = (
        await t.pool.query<{ id: string }>(
          'SELECT i.avito_id::text AS id FROM avito_run_items r JOIN avito_items i ON i.id = r.item_id WHERE r.run_id = $1',
          [first.id],
        )
      ).rows.map((r) => r.id);
      const closed = (await t.control.get<{ closed: number[] }>(`/avito/_control/listings/closed?sellerId=${first.user}`)).closed.map(
        String,
      );
      const gone = linked.filter((id) => closed.includes(id));
      expect(gone.length, 'listings of the first run closed upstream since').toBeGreaterThan(0);
      const ids = (c: Check) =>
        Object.values(c.result ?? {})
          .map((r) => r.avito_id)
          .sort();

      const shown = await t.api.call<Check>('GET', `/api/avito/check?uuid=${first.id}`);
      expect(ids(shown.body)).toEqual(linked.filter((id) => !closed.includes(id)).sort());
      const all = await t.api.call<Check>('GET', `/api/avito/check?uuid=${first.id}&includeDeleted=true`);
      expect(ids(all.body)).toEqual([...linked].sort());
      const bad = await t.api.call<Check>('GET', `/api/avito/check?uuid=${first.id}&includeDeleted=yes`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'includeDeleted', message: 'must be true or false' }]);
    });
  },
});
