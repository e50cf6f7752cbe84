import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Where tests find PostgreSQL: TEST_DATABASE_URL's server, else the machine's local one. */
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Databases of this checkout carry a hash of its path, so several checkouts can test at once. */
const checkout = createHash('sha1')
  .update(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'))
  .digest('hex')
  .slice(0, 8);
export const TEMPLATE_DB = `datasync_tpl_${checkout}`;
export const TEST_DB_PREFIX = `datasync_t_${checkout}_`;

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      // A pool's `end()` resolves before its sockets have closed; forcing the drop at that moment
      // hands those closing clients an unhandled 57P01. Give them a moment to leave first.
      for (let i = 0; i < 50; i++) {
        const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${name}'`);
        if ((rows[0] as { n: number }).n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
