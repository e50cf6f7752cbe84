import { describe, expect, it } from 'vitest';
import { sourceWorker } from '../../helpers';
import { reliabilitySource, useBench } from '../../reliability/sources';
import { expectYclientsEqualToSource, yclientsSource } from '../yclients/equal-to-source';

/**
 * Targeted resync (issue #21): `resync: ["clients"]` drops the clients stream's saved state and reads
 * it from page 1, while records and transactions stay incremental (one request each: the page that
 * holds their saved ordinal). Counted in the sandbox's own request log, not in our counts.
 */
const yclients = reliabilitySource('yclients');
const t = useBench({ sources: [yclients], workers: [sourceWorker('yclients')] });

type Logged = { method: string; path: string; query: Record<string, unknown>; body?: unknown; status: number };
/** Page requests per entity: `clients p3`, `records p6`, … (clients page by POST body, the others by query). */
function pagesAsked(requests: Logged[], companyId: number): Record<string, number[]> {
  const out: Record<string, number[]> = { clients: [], records: [], transactions: [] };
  for (const r of requests) {
    if (r.status !== 200) continue;
    if (r.path.endsWith(`/company/${companyId}/clients/search`)) out.clients!.push(Number((r.body as { page?: unknown }).page));
    else if (r.path.endsWith(`/records/${companyId}`)) out.records!.push(Number(r.query.page));
    else if (r.path.endsWith(`/transactions/${companyId}`) && !('start_date' in r.query)) out.transactions!.push(Number(r.query.page));
  }
  for (const k of Object.keys(out)) out[k]!.sort((a, b) => a - b);
  return out;
}

describe('resync of one YClients stream', () => {
  it('reads that stream from page 1, only that stream, and the tables equal the source afterwards', async () => {
    const target = await yclients.prepare(t.control, t.pool); // 180 clients, 260 records; pages of 50
    const companyId = (target.submit.body as { companyId: number }).companyId;
    const first = await t.api.finished(await t.api.submit(target.submit));
    expect(first.state).toBe('done');

    // A client changed in place upstream (same place in the list): an incremental pass never sees it.
    const [client] = await yclientsSource<{ id: number }>(t.control, companyId, 'clients');
    await fetch(`${t.sandbox.url}/yclients/_control/companies/${companyId}/clients/${client!.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed Upstream' }),
    });
    await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });
    const plain = await t.api.finished(await t.api.submit(target.submit));
    expect(plain.state).toBe('done');
    const stale = await t.pool.query<{ name: string }>('SELECT name FROM yclients_clients WHERE company_id = $1 AND id = $2', [
      companyId,
      client!.id,
    ]);
    expect(stale.rows[0]?.name, 'an incremental pass keeps the old name (why resync exists)').not.toBe('Renamed Upstream');
    const incremental = pagesAsked((await t.control.requests('/yclients/api/v1/')).requests as Logged[], companyId);
    expect(incremental).toEqual({ clients: [4], records: [6], transactions: [incremental.transactions![0]!] });

    await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });
    const submitted = await t.api.call<{ parser_uuid: string }>('POST', '/api/yclients/sync', { companyId, resync: ['clients'] });
    expect(submitted.status, submitted.text).toBe(200);
    const run = await t.api.finished(submitted.body.parser_uuid);
    expect(run.state, run.error ?? '').toBe('done');
    expect(run.resync).toEqual(['clients']);

    const asked = pagesAsked((await t.control.requests('/yclients/api/v1/')).requests as Logged[], companyId);
    // Clients: every page from 1, once each; records and transactions: the one page holding their saved row, as before.
    expect(asked).toEqual({ clients: [1, 2, 3, 4], records: [6], transactions: incremental.transactions });
    expect(run.counts).toMatchObject({ clients: 180, records: 0 });
    await expectYclientsEqualToSource(t.pool, t.control, companyId);

    // A resync run and a plain run of the same company are different runs (not deduplicated into one).
    const [a, b] = await Promise.all([
      t.api.call<{ parser_uuid: string }>('POST', '/api/runs', { source: 'yclients', params: { companyId }, resync: ['records'] }),
      t.api.call<{ parser_uuid: string }>('POST', '/api/runs', { source: 'yclients', params: { companyId } }),
    ]);
    expect(a.body.parser_uuid).not.toBe(b.body.parser_uuid);
    for (const id of [a.body.parser_uuid, b.body.parser_uuid]) expect((await t.api.finished(id)).state).toBe('done');
    await expectYclientsEqualToSource(t.pool, t.control, companyId);
  }, 120_000);
});
