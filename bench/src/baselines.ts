import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { YCLIENTS_TABLES } from './bench';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * The limit: the company's rows as they are stored, dumped with `COPY … TO` (not timed), the tables
 * emptied, then loaded back with `COPY … FROM STDIN (FORMAT binary)`, one table after another on one
 * connection, parents first (timed). Leaves the rows as they were.
 */
export async function copyBaseline(pool: pg.Pool, companyId: number): Promise<{ rows: number; seconds: number; bytes: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'datasync-bench-'));
  const client = await pool.connect();
  try {
    const files: { table: string; file: string; rows: number }[] = [];
    for (const table of YCLIENTS_TABLES) {
      const file = path.join(dir, `${table}.bin`);
      const out = client.query(copyTo(`COPY (SELECT * FROM ${table} WHERE company_id = ${Number(companyId)}) TO STDOUT (FORMAT binary)`));
      await pipeline(out, createWriteStream(file));
      files.push({ table, file, rows: out.rowCount ?? 0 });
    }
    await client.query(`TRUNCATE ${YCLIENTS_TABLES.join(', ')}`);
    const started = process.hrtime.bigint();
    for (const { table, file } of files) {
      await pipeline(createReadStream(file), client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT binary)`)));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const bytes = sum(await Promise.all(files.map(async (f) => (await stat(f.file)).size)));
    return { rows: sum(files.map((f) => f.rows)), seconds, bytes };
  } finally {
    client.release();
    await rm(dir, { recursive: true, force: true });
  }
}

interface TableShape {
  columns: { name: string; type: string }[];
  key: string[];
}

async function shapeOf(db: pg.PoolClient, table: string): Promise<TableShape> {
  const { rows: columns } = await db.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
  const { rows: key } = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY k.n`,
    [table],
  );
  return { columns, key: key.map((k) => k.name) };
}

/** Which rows of each table form the sample: a share of the big entities, with their dependent rows. */
const SAMPLE: { table: string; column: string; root: 'clients' | 'records' | 'transactions' }[] = [
  { table: 'yclients_clients', column: 'id', root: 'clients' },
  { table: 'yclients_client_category_links', column: 'client_id', root: 'clients' },
  { table: 'yclients_records', column: 'id', root: 'records' },
  { table: 'yclients_record_services', column: 'record_id', root: 'records' },
  { table: 'yclients_record_staff', column: 'record_id', root: 'records' },
  { table: 'yclients_transactions', column: 'id', root: 'transactions' },
];

/**
 * What a one-off script does: one `INSERT … ON CONFLICT DO UPDATE` per row, each its own statement
 * and transaction. Too slow to run on the whole company within the bench's time, so it loads a
 * sample of about `target` rows (the first clients, records and transactions by id, with their
 * dependent rows), deleted first (not timed) and written back row by row (timed). The rows come
 * from the database, already parsed: the baseline pays nothing for HTTP or JSON.
 */
export async function naiveBaseline(pool: pg.Pool, companyId: number, target: number): Promise<{ rows: number; seconds: number }> {
  const db = await pool.connect();
  try {
    const counts = await db.query<{ clients: string; records: string; transactions: string }>(
      `SELECT (SELECT count(*) FROM yclients_clients WHERE company_id = $1) AS clients,
              (SELECT count(*) FROM yclients_records WHERE company_id = $1) AS records,
              (SELECT count(*) FROM yclients_transactions WHERE company_id = $1) AS transactions`,
      [companyId],
    );
    const c = counts.rows[0]!;
    const all = Number(c.clients) + Number(c.records) + Number(c.transactions);
    // Dependent rows come along (about 1 per record, 0.15 per client), so aim the roots a bit lower.
    const share = Math.min(1, target / (all * 1.8));
    const firstIds = async (table: string, n: number) =>
      (
        await db.query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE company_id = $1 ORDER BY id LIMIT $2`, [
          companyId,
          Math.ceil(n * share),
        ])
      ).rows.map((r) => r.id);
    const ids = {
      clients: await firstIds('yclients_clients', Number(c.clients)),
      records: await firstIds('yclients_records', Number(c.records)),
      transactions: await firstIds('yclients_transactions', Number(c.transactions)),
    };

    const work: { sql: string; rows: string[][] }[] = [];
    for (const { table, column, root } of SAMPLE) {
      const shape = await shapeOf(db, table);
      const { rows } = await db.query({
        text: `SELECT ${shape.columns.map((col) => `"${col.name}"::text`).join(', ')} FROM ${table} WHERE company_id = $1 AND "${column}" = ANY($2::bigint[])`,
        values: [companyId, ids[root]],
        rowMode: 'array',
      });
      const update = shape.columns.filter((col) => !shape.key.includes(col.name));
      const sql = `INSERT INTO ${table} (${shape.columns.map((col) => `"${col.name}"`).join(', ')}) VALUES (${shape.columns
        .map((col, i) => `$${i + 1}::${col.type}`)
        .join(', ')}) ON CONFLICT (${shape.key.map((k) => `"${k}"`).join(', ')}) ${
        update.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${update.map((col) => `"${col.name}" = EXCLUDED."${col.name}"`).join(', ')}`
      }`;
      work.push({ sql, rows: rows as string[][] });
    }
    // Deleting the roots cascades to their dependent rows.
    for (const { table, root } of SAMPLE.filter((s) => s.column === 'id')) {
      await db.query(`DELETE FROM ${table} WHERE company_id = $1 AND id = ANY($2::bigint[])`, [companyId, ids[root]]);
    }
    const started = process.hrtime.bigint();
    for (const { sql, rows } of work) for (const row of rows) await db.query(sql, row);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows: sum(work.map((w) => w.rows.length)), seconds };
  } finally {
    db.release();
  }
}
