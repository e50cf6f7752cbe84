import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yclientsRecordServices as RECORD_SERVICES, type YclientsRecordServicesRow } from '@datasync/db/tables';
import { deleteMissingSql } from '../../apps/worker-yclients/src/rows';
import { createTestDatabase, type TestDatabase } from '../helpers';

/**
 * A records page deletes the services its records no longer have (deleteMissingSql with a scope).
 * On a table that grew since its last ANALYZE — every first big sync — that delete must still touch
 * only the page's records: written as one filter, Postgres scanned the whole company through the
 * (company_id, service_id) index for every page (bench/README.md, figure 1 at full size).
 */
const COMPANY = 4242;
const RECORDS = 60_000;
let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // Statistics as a first sync leaves them: none since the rows arrived.
  await pool.query('ALTER TABLE yclients_record_services SET (autovacuum_enabled = false)');
  await pool.query('ALTER TABLE yclients_records SET (autovacuum_enabled = false)');
  await pool.query(`INSERT INTO yclients_records (company_id, id, raw) SELECT $1, g, '{}' FROM generate_series(1, $2::int) g`, [
    COMPANY,
    RECORDS,
  ]);
  // Two services a record; a second company's rows with the same record ids must never be touched.
  await pool.query(
    `INSERT INTO yclients_record_services (company_id, record_id, service_id)
     SELECT $1, g, s FROM generate_series(1, $2::int) g, (VALUES (1), (2)) v(s)`,
    [COMPANY, RECORDS],
  );
  await pool.query(`INSERT INTO yclients_records (company_id, id, raw) SELECT 7, g, '{}' FROM generate_series(30001, 30200) g`);
  await pool.query(
    `INSERT INTO yclients_record_services (company_id, record_id, service_id) SELECT 7, g, 1 FROM generate_series(30001, 30200) g`,
  );
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('stale child rows of a page', () => {
  it('are deleted by probing the page’s records only, with statistics that lag the table; nothing else is touched', async () => {
    // The page: records 30001–30200, each now with service 1 only (service 2 was removed upstream).
    const page = Array.from({ length: 200 }, (_, i) => BigInt(30_001 + i));
    const kept: YclientsRecordServicesRow[] = page.map((r) => ({
      company_id: BigInt(COMPANY),
      record_id: r,
      service_id: 1n,
      first_cost: null,
      discount: null,
      cost: null,
      amount: null,
    })) as unknown as YclientsRecordServicesRow[];
    const { text, params } = deleteMissingSql(RECORD_SERVICES, COMPANY, kept, { column: 'record_id', ids: page });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const [{ 'QUERY PLAN': plan }] = (await client.query({ text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values: params }))
        .rows as [{ 'QUERY PLAN': [{ Plan: unknown }] }];
      await client.query('COMMIT');
      // Every row the plan read anywhere: a scan of the company would read 120,000.
      const read = (node: Record<string, unknown>): number =>
        Number(node['Actual Rows'] ?? 0) * Number(node['Actual Loops'] ?? 1) +
        Number(node['Rows Removed by Filter'] ?? 0) +
        ((node.Plans as Record<string, unknown>[] | undefined) ?? []).reduce((n, p) => n + read(p), 0);
      expect(read(plan[0]!.Plan as Record<string, unknown>), JSON.stringify(plan)).toBeLessThan(5_000);
    } finally {
      client.release();
    }
    // Exactly the page's removed services are gone: the whole table compared as a set of keys.
    const { rows } = await pool.query<{ company_id: string; record_id: string; service_id: string }>(
      'SELECT company_id::text, record_id::text, service_id::text FROM yclients_record_services',
    );
    const got = new Set(rows.map((r) => `${r.company_id}/${r.record_id}/${r.service_id}`));
    const expected = new Set<string>();
    for (let r = 1; r <= RECORDS; r++)
      for (const s of [1, 2]) if (!(s === 2 && r >= 30_001 && r <= 30_200)) expected.add(`${COMPANY}/${r}/${s}`);
    for (let r = 30_001; r <= 30_200; r++) expected.add(`7/${r}/1`);
    expect(got.size).toBe(expected.size);
    expect([...got].filter((k) => !expected.has(k))).toEqual([]);
  });
});
