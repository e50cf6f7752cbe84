import type pg from 'pg';
import { describeDeletes, spread, type Keys } from './harness';

/**
 * YClients: a company's staff, services and client categories — lists read whole (one request,
 * one transaction), so each list is a complete pass of its own in every run.
 */
const LISTS = { staff: 'yclients_staff', services: 'yclients_services', client_categories: 'yclients_client_categories' } as const;
type List = keyof typeof LISTS;
const STREAMS = Object.keys(LISTS) as List[];

describeDeletes({
  source: 'yclients',
  async prepare(t) {
    const c = (await t.control.post<{ id: number }>('/yclients/_control/companies', { clients: 300, records: 400 })).id;
    const listed = async (list: List) =>
      (await t.control.get<{ rows: { id: number }[] }>(`/yclients/_control/companies/${c}/source/${list}`)).rows.map((r) => String(r.id));
    const removed = async (): Promise<Keys> => {
      const gone = await t.control.get<Record<List, number[]>>(`/yclients/_control/companies/${c}/catalog/removed`);
      return Object.fromEntries(STREAMS.map((s) => [s, gone[s].map(String)]));
    };
    const stored = async (pool: pg.Pool, deleted: boolean): Promise<Keys> => {
      const out: Keys = {};
      for (const s of STREAMS) {
        out[s] = (
          await pool.query<{ k: string }>(`SELECT id::text AS k FROM ${LISTS[s]} WHERE company_id = $1 AND (deleted_at IS NOT NULL) = $2`, [
            c,
            deleted,
          ])
        ).rows.map((r) => r.k);
      }
      return out;
    };
    return {
      submit: { method: 'POST', path: '/api/yclients/sync', body: { companyId: c } },
      streams: STREAMS,
      async remove(streams = STREAMS) {
        const gone = await removed();
        for (const s of streams as List[]) {
          const ids = spread((await listed(s)).sort(), gone[s]!, 2);
          await t.control.post(`/yclients/_control/companies/${c}/catalog/${s}/remove`, { ids: ids.map(Number) });
        }
      },
      async restoreOne() {
        const gone = await removed();
        const back: Keys = {};
        for (const s of STREAMS) {
          const id = gone[s]![0];
          if (!id) continue;
          await t.control.post(`/yclients/_control/companies/${c}/catalog/${s}/restore`, { ids: [Number(id)] });
          back[s] = [id];
        }
        return back;
      },
      removedUpstream: removed,
      deletedHere: (pool) => stored(pool, true),
      liveHere: (pool) => stored(pool, false),
      // The services list (its only page) fails: no service, and no category (read after it), is deleted.
      lastPageStreams: ['services', 'client_categories'],
      lastPageFault: () => Promise.resolve({ path: `/yclients/api/v1/company/${c}/services`, method: 'GET', kind: 'status', status: 500 }),
      kill: {
        delay: { path: '/yclients/api/v1/', kind: 'delay', delayMs: 100 },
        // The lists are closed, the clients' pages under way.
        ready: (run) => (run.counts.pages ?? 0) >= 2,
      },
    };
  },
});
