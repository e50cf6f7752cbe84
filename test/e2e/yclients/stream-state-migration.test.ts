import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, TEST_DB_PREFIX } from '../../helpers';

/**
 * The `stream_state` migration moves every row of `sync_state` (YClients) and `marketplace_cursors`
 * (marketplaces) into `stream_state` before dropping them: a scratch database at the migration
 * before it, old rows in, the migration applied, the new table compared with the old rows as sets.
 */
const MIGRATION = '20261207110000_stream_state';
const migrations = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');
const sqlOf = (name: string) => readFileSync(path.join(migrations, name, 'migration.sql'), 'utf8');

const name = `${TEST_DB_PREFIX}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
let db: pg.Client;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE "${name}"`);
  db = new pg.Client({ connectionString: databaseUrl(name) });
  await db.connect();
  // Each migration script whole, as the schema engine sends it (prisma/engine/README.md).
  const before = readdirSync(migrations, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name < MIGRATION)
    .map((d) => d.name)
    .sort();
  for (const m of before) await db.query(sqlOf(m));
});

afterAll(async () => {
  await db?.end();
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe(`migration ${MIGRATION}`, () => {
  it('moves every sync_state and marketplace_cursors row into stream_state and drops the old tables', async () => {
    const syncState = [
      {
        source: 'yclients',
        company_id: '176275',
        entity: 'clients',
        last_ordinal: 5000,
        last_id: '9007199254740993',
        updated_at: '2026-12-01T10:00:00.123Z',
      },
      {
        source: 'yclients',
        company_id: '176275',
        entity: 'records',
        last_ordinal: 1,
        last_id: '0',
        updated_at: '2026-12-02T11:00:00.000Z',
      },
      {
        source: 'yclients',
        company_id: '42',
        entity: 'transactions',
        last_ordinal: 799,
        last_id: '123456',
        updated_at: '2026-12-03T12:30:00.500Z',
      },
    ];
    const cursors = [
      { marketplace: 'ozon', kind: 'orders', cursor: { since: '2026-12-05T08:00:00.000Z' }, updated_at: '2026-12-05T08:01:00.000Z' },
      {
        marketplace: 'wb',
        kind: 'returns',
        cursor: { since: '2026-12-05T09:00:00.000Z', position: { page: 3, token: 'x' } },
        updated_at: '2026-12-05T09:02:00.000Z',
      },
      {
        marketplace: 'ym',
        kind: 'orders',
        cursor: { since: '2026-12-06T00:00:00.000Z', position: null },
        updated_at: '2026-12-06T00:00:01.000Z',
      },
    ];
    for (const r of syncState) {
      await db.query(
        'INSERT INTO sync_state (source, company_id, entity, last_ordinal, last_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [r.source, r.company_id, r.entity, r.last_ordinal, r.last_id, r.updated_at],
      );
    }
    for (const c of cursors) {
      await db.query('INSERT INTO marketplace_cursors (marketplace, kind, cursor, updated_at) VALUES ($1, $2, $3, $4)', [
        c.marketplace,
        c.kind,
        JSON.stringify(c.cursor),
        c.updated_at,
      ]);
    }

    await db.query(sqlOf(MIGRATION));

    const { rows } = await db.query<{ source: string; stream: string; scope: string; state: unknown; updated_at: Date }>(
      'SELECT source, stream, scope, state, updated_at FROM stream_state',
    );
    const stored = rows.map((r) => ({ ...r, updated_at: r.updated_at.toISOString() }));
    const expected = [
      ...syncState.map((r) => ({
        source: r.source,
        stream: r.entity,
        scope: r.company_id,
        state: { ordinal: r.last_ordinal, lastId: r.last_id },
        updated_at: r.updated_at,
      })),
      ...cursors.map((c) => ({ source: 'marketplaces', stream: c.kind, scope: c.marketplace, state: c.cursor, updated_at: c.updated_at })),
    ];
    expect(stored).toHaveLength(expected.length);
    expect(new Set(stored.map((r) => JSON.stringify(r, Object.keys(r).sort())))).toEqual(
      new Set(expected.map((r) => JSON.stringify(r, Object.keys(r).sort()))),
    );
    // The state as the readers parse it: YClients' id stays exact (a bigint beyond 2^53 as text).
    expect(stored.find((r) => r.stream === 'clients')?.state).toEqual({ ordinal: 5000, lastId: '9007199254740993' });

    const { rows: left } = await db.query<{ t: string | null }>(
      `SELECT to_regclass('sync_state')::text AS t UNION ALL SELECT to_regclass('marketplace_cursors')::text`,
    );
    expect(left.map((r) => r.t)).toEqual([null, null]);
  });
});
