import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminQuery, TEMPLATE_DB, TEST_DB_PREFIX, databaseUrl } from '../helpers/database';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Once per test run: a template database with every migration applied. Each test file then gets its
 * own database copied from it (`createTestDatabase`), which takes milliseconds.
 */
export default async function setup(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${TEMPLATE_DB}"`);
  execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DB) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Leftovers of interrupted runs.
  const stale = await adminQuery(`SELECT datname FROM pg_database WHERE starts_with(datname, '${TEST_DB_PREFIX}')`);
  for (const row of stale.rows as { datname: string }[]) {
    await adminQuery(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => {});
  }
}
