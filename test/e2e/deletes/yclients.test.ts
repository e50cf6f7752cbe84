import type pg from 'pg';
import { expect, it } from 'vitest';
import { describeDeletes, sortedKeys, spread, type Keys } from './harness';

/**
 * YClients: a company's staff, services and client categories — lists read whole (one request,
 * one transaction), so each list is a complete pass of its own in every run — and its clients and
 * records, whose complete passes are the reset passes: rows removed upstream before the saved
 * ordinal move the row at it, so the next run reads the entity again from page 1, stamping what it
 * reads, and marks the rest deleted once it completes (the sandbox's page size is 50 here: clients
 * and records take several pages).
 */
const LISTS = { staff: 'yclients_staff', services: 'yclients_services', client_categories: 'yclients_client_categories' } as const;
const PAGED = { clients: 'yclients_clients', records: 'yclients_records' } as const;
const TABLES = { ...LISTS, ...PAGED };
type List = keyof typeof LISTS;
type Paged = keyof typeof PAGED;
type Stream = keyof typeof TABLES;
const STREAMS = Object.keys(TABLES) as Stream[];
const isPaged = (s: string): s is Paged => s in PAGED;

let company = 0;

describeDeletes({
  source: 'yclients',
  async prepare(t) {
    const c = (await t.control.post<{ id: number }>('/yclients/_control/companies', { clients: 300, records: 400 })).id;
    company = c;
    const listed = async (s: Stream) =>
      (await t.control.get<{ rows: { id: number }[] }>(`/yclients/_control/companies/${c}/source/${s}?offset=0&limit=5000`)).rows.map((r) =>
        String(r.id),
      );
    // The sandbox's own read-back: catalogue items taken off the lists, clients and records removed.
    const removed = async (): Promise<Keys> => {
      const gone = await t.control.get<Record<List, number[]>>(`/yclients/_control/companies/${c}/catalog/removed`);
      const out: Keys = {};
      for (const s of STREAMS) {
        const ids = isPaged(s) ? (await t.control.get<{ ids: number[] }>(`/yclients/_control/companies/${c}/${s}/deleted`)).ids : gone[s];
        out[s] = ids.map(String);
      }
      return out;
    };
    const stored = async (pool: pg.Pool, deleted: boolean): Promise<Keys> => {
      const out: Keys = {};
      for (const s of STREAMS) {
        out[s] = (
          await pool.query<{ k: string }>(
            `SELECT id::text AS k FROM ${TABLES[s]} WHERE company_id = $1 AND (deleted_at IS NOT NULL) = $2`,
            [c, deleted],
          )
        ).rows.map((r) => r.k);
      }
      return out;
    };
    // The clients and records the last `remove` took away (the kill check: not deleted before their pass completes).
    let lastRound: Keys = {};
    return {
      submit: { method: 'POST', path: '/api/yclients/sync', body: { companyId: c } },
      streams: STREAMS,
      async remove(streams = STREAMS) {
        const gone = await removed();
        lastRound = {};
        for (const s of streams as Stream[]) {
          const ids = spread((await listed(s)).sort(), gone[s]!, 2);
          if (!isPaged(s)) {
            await t.control.post(`/yclients/_control/companies/${c}/catalog/${s}/remove`, { ids: ids.map(Number) });
            continue;
          }
          // Clients go at once; records would only be marked `deleted` without `hard`.
          for (const id of ids) await t.control.post(`/yclients/_control/companies/${c}/${s}/delete`, { id: Number(id), hard: true });
          lastRound[s] = ids;
        }
      },
      async restoreOne() {
        const gone = await removed();
        const back: Keys = {};
        for (const s of Object.keys(LISTS) as List[]) {
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
        // The clients' reset pass is under way: some of its pages committed, not all (6 pages of 50).
        // Pages already fetched commit together (page 1 alone, then the pages asked ahead in groups),
        // so any committed page from 2 to 5 is mid-pass (after page 1 a resume asks for page 1 again:
        // it holds the saved ordinal).
        ready: (run) => {
          const clients = (run.progress.entities as Record<string, { state: string; page?: number }> | undefined)?.clients;
          return clients?.state === 'running' && (clients.page ?? 0) >= 2 && (clients.page ?? 0) < 6;
        },
        // Page 1 of the clients asked once: the resumed attempt went on with the killed pass's generation, not a new pass.
        firstPage: {
          prefix: `/yclients/api/v1/company/${c}/clients/search`,
          is: (r) => (r.body as { page?: number } | undefined)?.page === 1,
        },
        // The killed reset pass deleted nothing: every deleted row was removed upstream, and the
        // clients and records removed for this pass are still live (its close was never reached).
        async killed(pool) {
          const removedNow = await removed();
          const deleted = await stored(pool, true);
          for (const s of STREAMS)
            expect(
              deleted[s]!.filter((k) => !removedNow[s]!.includes(k)),
              `${s}: deleted, not removed`,
            ).toEqual([]);
          const live = await stored(pool, false);
          for (const s of Object.keys(PAGED) as Paged[]) {
            expect(lastRound[s]!.length, `${s} removed this round`).toBeGreaterThan(0);
            expect(live[s], `${s}: removed this round, still live while the pass is unfinished`).toEqual(
              expect.arrayContaining(lastRound[s]!),
            );
          }
        },
      },
    };
  },
  reads(t) {
    it('a resync of clients is a complete pass: it deletes the removed client a plain (incremental) run cannot see', async () => {
      const c = company;
      const settled = await t.api.finished(
        await t.api.submit({ method: 'POST', path: '/api/yclients/sync', body: { companyId: c } }),
        90_000,
      );
      expect(settled.state, settled.error ?? '').toBe('done');
      // One client removed mid-list and one added in front: the row at the saved ordinal and the
      // count stay the same, so a plain run resumes after its saved ordinal and sees nothing.
      const live = (
        await t.control.get<{ rows: { id: number }[] }>(`/yclients/_control/companies/${c}/source/clients?offset=0&limit=5000`)
      ).rows.map((r) => r.id);
      const victim = live[Math.floor(live.length / 2)]!;
      await t.control.post(`/yclients/_control/companies/${c}/clients/delete`, { id: victim });
      const added = (await t.control.post<{ row: { id: number } }>(`/yclients/_control/companies/${c}/clients`, { position: 'start' })).row
        .id;
      const removedBefore = (await t.control.get<{ ids: number[] }>(`/yclients/_control/companies/${c}/clients/deleted`)).ids.map(String);
      expect(removedBefore).toContain(String(victim));

      const plain = await t.api.finished(
        await t.api.submit({ method: 'POST', path: '/api/yclients/sync', body: { companyId: c } }),
        90_000,
      );
      expect(plain.state, plain.error ?? '').toBe('done');
      const liveIds = async () =>
        (
          await t.pool.query<{ k: string }>('SELECT id::text AS k FROM yclients_clients WHERE company_id = $1 AND deleted_at IS NULL', [c])
        ).rows.map((r) => r.k);
      expect(await liveIds(), 'an incremental pass deletes nothing').toContain(String(victim));
      expect(plain.counts.deleted_clients ?? 0).toBe(0);

      const submitted = await t.api.call<{ parser_uuid: string }>('POST', '/api/yclients/sync', { companyId: c, resync: ['clients'] });
      expect(submitted.status, submitted.text).toBe(200);
      const resync = await t.api.finished(submitted.body.parser_uuid, 90_000);
      expect(resync.state, resync.error ?? '').toBe('done');
      expect(resync.counts.deleted_clients, 'counts.deleted_clients').toBe(1);
      const deleted = (
        await t.pool.query<{ k: string }>('SELECT id::text AS k FROM yclients_clients WHERE company_id = $1 AND deleted_at IS NOT NULL', [
          c,
        ])
      ).rows.map((r) => r.k);
      expect(sortedKeys({ clients: deleted }), 'deleted clients = clients the sandbox removed').toEqual(
        sortedKeys({ clients: removedBefore }),
      );
      expect(await liveIds(), 'the client added in front is read by the resync').toContain(String(added));
    }, 150_000);
  },
});
