import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { BenchScenario } from '@datasync/runs';
import { cpuOf } from './cpu';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * The limit: the data set's rows as they are stored, dumped with `COPY … TO` (not timed), the tables
 * emptied, then loaded back with `COPY … FROM STDIN (FORMAT binary)`, one table after another on one
 * connection, parents first (timed). Leaves the rows as they were.
 */
export async function copyBaseline(
  pool: pg.Pool,
  scenario: BenchScenario,
  dataSet: number,
): Promise<{ rows: number; seconds: number; bytes: number; postgresCpu: number }> {
  const tables = Object.values(scenario.tables);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'datasync-bench-'));
  const client = await pool.connect();
  try {
    const files: { table: string; file: string; rows: number }[] = [];
    for (const table of tables) {
      const file = path.join(dir, `${table}.bin`);
      const out = client.query(
        copyTo(`COPY (SELECT * FROM ${table} WHERE ${scenario.scopeColumn} = ${Number(dataSet)}) TO STDOUT (FORMAT binary)`),
      );
      await pipeline(out, createWriteStream(file));
      files.push({ table, file, rows: out.rowCount ?? 0 });
    }
    await client.query(`TRUNCATE ${tables.join(', ')}`);
    // The CPU the loading backend used: the Postgres side of the limit, to set against the sync's.
    const { rows: me } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const cpu0 = cpuOf(me[0]!.pid) ?? NaN;
    const started = process.hrtime.bigint();
    for (const { table, file } of files) {
      await pipeline(createReadStream(file), client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT binary)`)));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const postgresCpu = (cpuOf(me[0]!.pid) ?? NaN) - cpu0;
    const bytes = sum(await Promise.all(files.map(async (f) => (await stat(f.file)).size)));
    return { rows: sum(files.map((f) => f.rows)), seconds, bytes, postgresCpu };
  } finally {
    client.release();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The other limit: the worker's own fetching and parsing of every page of the data set (the
 * scenario's `fetchOnly`: its transport, JSON parse and page iteration), writing nothing. Runs in
 * the bench's process (one Node process, like the worker); timed.
 */
export async function fetchOnlyBaseline(
  scenario: BenchScenario,
  settings: Readonly<Record<string, string>>,
  dataSet: number,
): Promise<{ seconds: number; requests: number; items: number }> {
  if (!scenario.fetchOnly) throw new Error('the bench scenario declares no fetchOnly: figure 1 needs it for its fetch-only limit');
  const started = process.hrtime.bigint();
  const got = await scenario.fetchOnly({ ...settings }, dataSet);
  return { ...got, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
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

/**
 * What a one-off script does: fetch the pages from the sandbox (plain HTTP, `JSON.parse`: the
 * scenario's `naive.fetch`), then one `INSERT … ON CONFLICT DO UPDATE` per row, each its own
 * statement and transaction. Too slow to run on the whole data set within the bench's time, so it
 * loads a sample of about `target` rows (the first rows of the root tables by id, with their
 * dependent rows): the pages holding that many roots are fetched (timed), the sample's rows are
 * deleted (not timed) and written back row by row (timed). The rows written are taken from the
 * database as the sync stored them (the script's own mapping of JSON to columns is not timed).
 */
export async function naiveBaseline(
  pool: pg.Pool,
  scenario: BenchScenario,
  settings: Readonly<Record<string, string>>,
  dataSet: number,
  target: number,
): Promise<{ rows: number; seconds: number; fetchSeconds: number; insertSeconds: number; requests: number }> {
  const { sample, fanout } = scenario.naive;
  const scope = scenario.scopeColumn;
  const roots = sample.filter((s) => s.column === 'id');
  const db = await pool.connect();
  try {
    const counts: Record<string, number> = {};
    for (const { table, root } of roots) {
      counts[root] = Number(
        (await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${scope} = $1`, [dataSet])).rows[0]!.n,
      );
    }
    const all = Object.values(counts).reduce((a, b) => a + b, 0);
    // Dependent rows come along, so aim the roots a bit lower.
    const share = Math.min(1, target / (all * fanout));
    const ids: Record<string, string[]> = {};
    for (const { table, root } of roots) {
      ids[root] = (
        await db.query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE ${scope} = $1 ORDER BY id LIMIT $2`, [
          dataSet,
          Math.ceil(counts[root]! * share),
        ])
      ).rows.map((r) => r.id);
    }

    const work: { sql: string; rows: string[][] }[] = [];
    for (const { table, column, root } of sample) {
      const shape = await shapeOf(db, table);
      const { rows } = await db.query({
        text: `SELECT ${shape.columns.map((col) => `"${col.name}"::text`).join(', ')} FROM ${table} WHERE ${scope} = $1 AND "${column}" = ANY($2::bigint[])`,
        values: [dataSet, ids[root]],
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
    for (const { table, root } of roots) {
      await db.query(`DELETE FROM ${table} WHERE ${scope} = $1 AND id = ANY($2::bigint[])`, [dataSet, ids[root]]);
    }
    const fetchStarted = process.hrtime.bigint();
    let requests = 0;
    if (scenario.naive.fetch)
      for (const { root } of roots) requests += (await scenario.naive.fetch({ ...settings }, dataSet, root, ids[root]!.length)).requests;
    const fetchSeconds = Number(process.hrtime.bigint() - fetchStarted) / 1e9;
    const started = process.hrtime.bigint();
    for (const { sql, rows } of work) for (const row of rows) await db.query(sql, row);
    const insertSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows: sum(work.map((w) => w.rows.length)), seconds: fetchSeconds + insertSeconds, fetchSeconds, insertSeconds, requests };
  } finally {
    db.release();
  }
}
