/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of our own API and the sandbox, checked by the assertions */
import { beforeEach, describe, expect, it } from 'vitest';
import { avitoSourceIds, datawizExpected, datawizStored, type DatawizFakeData } from '../helpers';
import { allSources, avito, datawiz, itresume, yclients, useBench } from './sources';

/**
 * Upstream pages with broken items (an id missing, a field of the wrong type), through the
 * sandbox's `corrupt` fault. Each broken item is skipped and counted in the run, with a logged
 * reason, and every other row is stored; or (YClients, whose incremental algorithm needs every
 * row of a page) the run fails clearly and keeps no half-parsed rows. Never a broken row stored.
 */

const t = useBench({ workers: allSources.map((s) => s.start) });
beforeEach(async () => {
  await t.control.clearFaults();
});

const idsOf = (rows: { id: unknown }[]) => rows.map((r) => String(r.id)).sort();

describe('malformed upstream items', () => {
  it('avito: a listing without an id and one with a numeric title are skipped and counted; every other listing is stored', async () => {
    const target = await avito.prepare(t.control, t.pool);
    await t.control.addFault([
      { path: avito.dataPath, kind: 'corrupt', field: 'value.id', skip: 1, times: 1 },
      { path: avito.dataPath, kind: 'corrupt', field: 'value.title', value: 12345, skip: 3, times: 1 },
    ]);
    const run = await t.api.finished(await t.api.submit(target.submit));
    expect(run.error ?? null).toBeNull();
    expect(run.state).toBe('done');
    expect(run.counts.skipped).toBe(2);
    expect(run.progress.lastSkipped).toMatch(/^page \d+: title: /);
    const hash = new URL(`http://x${target.submit.path}`).searchParams.get('user')!;
    const source = await avitoSourceIds(t.control, hash);
    const stored = idsOf((await t.pool.query('SELECT avito_id::text AS id FROM avito_items WHERE seller_hash = $1', [hash])).rows);
    // Exactly two listings missing, none extra, none twice.
    expect(stored.every((id) => source.includes(id))).toBe(true);
    expect(new Set(stored).size).toBe(stored.length);
    expect(source.length - stored.length).toBe(2);
  });

  it('datawiz: a promotion whose key is an object and a shop without a name are skipped and counted; the rest equals the source', async () => {
    const target = await datawiz.prepare(t.control, t.pool);
    await t.control.addFault([
      { path: '/datawiz/api/v1/sale', kind: 'corrupt', field: 'sale_id', value: { nested: true }, skip: 1, times: 1 },
      { path: '/datawiz/api/v1/shops', kind: 'corrupt', field: 'name', times: 1 },
    ]);
    const run = await t.api.finished(await t.api.submit(target.submit));
    expect(run.error ?? null).toBeNull();
    expect(run.state).toBe('done');
    expect(run.counts.skipped).toBe(2);
    expect(run.progress.lastSkipped).toMatch(/^sale page 2: sale_id: /);
    const data = await t.control.get<DatawizFakeData>('/datawiz/_control/data');
    const stored = await datawizStored(t.pool);
    expect(stored.sales.length).toBe(data.sales.length - 1);
    expect(stored.shops.length).toBe(data.shops.length - 1);
    // What is stored is exactly the source's rows (no half-parsed one).
    const keptSales = new Set(stored.sales.map((s: any) => s.sale_id));
    const keptShops = new Set(stored.shops.map((s: any) => s.shop_id));
    const expected = datawizExpected({ ...data, sales: data.sales.filter((s) => keptSales.has(s.sale_id)), shops: data.shops.filter((s) => keptShops.has(s.shop_id)) });
    expect({ ...stored, sales: stored.sales.map((s: any) => ({ ...s, shops: s.shops.filter((id: string) => keptShops.has(id)) })) }).toEqual({
      ...expected,
      sales: expected.sales.map((s) => ({ ...s, shops: s.shops.filter((id) => keptShops.has(id)) })),
    });
  });

  it('itresume: attempts whose user id is a number are skipped and counted by reason, beside the seeded malformed ones', async () => {
    const target = await itresume.prepare(t.control, t.pool);
    const clean = await t.api.finished(await t.api.submit(target.submit));
    expect(clean.state).toBe('done');
    const wellFormed = clean.counts.valid as number;
    await t.pool.query('TRUNCATE itresume_attempts');
    await t.control.addFault({ path: itresume.dataPath, kind: 'corrupt', field: 'lti_user_id', value: 12345, count: 3, skip: 2, times: 1 });
    const run = await t.api.finished(await t.api.submit(target.submit));
    expect(run.state).toBe('done');
    expect(run.counts.valid).toBe(wellFormed - 3);
    expect(run.counts.skipped).toBe(clean.counts.skipped + 3);
    expect(run.counts.skipped_bad_user_id).toBe((clean.counts.skipped_bad_user_id ?? 0) + 3);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM itresume_attempts')).rows[0].n).toBe(wellFormed - 3);
  });

  it('yclients: a record whose id is not an id fails the run clearly after its retries, with no broken row kept; once fixed, a sync equals the source', async () => {
    const target = await yclients.prepare(t.control, t.pool);
    const companyId = (target.submit.body as { companyId: number }).companyId;
    await t.control.addFault({ path: `/yclients/api/v1/records/${companyId}`, kind: 'corrupt', field: 'id', value: 'not-an-id' });
    const run = await t.api.finished(await t.api.submit(target.submit));
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/records: \d+ rows stored but the source counts \d+/);
    expect(run.attempts).toBe(3);
    // The entity was emptied for a fresh read, not left half-written.
    expect((await t.pool.query('SELECT count(*)::int AS n FROM yclients_records WHERE company_id = $1', [companyId])).rows[0].n).toBe(0);
    await t.control.clearFaults();
    const again = await t.api.finished(await t.api.submit(target.submit));
    expect(again.state).toBe('done');
    await target.expectEqual(again.id);
    expect(idsOf((await t.pool.query('SELECT id::text AS id FROM yclients_records WHERE company_id = $1', [companyId])).rows).length).toBeGreaterThan(0);
  });
});
