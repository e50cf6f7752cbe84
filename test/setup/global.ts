import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminQuery, databaseUrl, dropKeysUnder, keysUnder, TEMPLATE_DB, TEST_DB_PREFIX, TEST_PREFIX_ROOT } from '@datasync/testkit';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Once per test run: a template database with every migration applied. Each test file then gets its
 * own database copied from it (`createTestDatabase`), which takes milliseconds.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${TEMPLATE_DB}"`);
  execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], {
    cwd: root,
    // DIRECT_DATABASE_URL too: prisma.config.ts prefers it, and a developer's own must not be migrated here.
    env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DB), DIRECT_DATABASE_URL: databaseUrl(TEMPLATE_DB) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Leftovers of interrupted runs.
  const stale = await adminQuery(`SELECT datname FROM pg_database WHERE starts_with(datname, '${TEST_DB_PREFIX}')`);
  for (const row of stale.rows as { datname: string }[]) {
    await adminQuery(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => {});
  }
  return teardown;
}

/** This checkout's test databases (the template and any file's left behind). */
async function testDatabases(): Promise<string[]> {
  const { rows } = await adminQuery(
    `SELECT datname FROM pg_database WHERE datname = '${TEMPLATE_DB}' OR starts_with(datname, '${TEST_DB_PREFIX}') ORDER BY datname`,
  );
  return (rows as { datname: string }[]).map((r) => r.datname);
}

/**
 * After the run: nothing the tests made is left — no Redis key under this checkout's test prefixes
 * (t-<checkout>-…; other checkouts' are not touched), no template or test database. Checked after
 * removing them; a leftover fails the run.
 */
async function teardown(): Promise<void> {
  const keys = await dropKeysUnder(TEST_PREFIX_ROOT);
  const databases = await testDatabases();
  for (const name of databases) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const keysLeft = (await keysUnder(TEST_PREFIX_ROOT)).length;
  const databasesLeft = await testDatabases();
  console.log(
    `test cleanup: removed ${keys} Redis keys under ${TEST_PREFIX_ROOT}* and ${databases.length} databases (${databases.join(', ') || 'none'}); left: ${keysLeft} keys, ${databasesLeft.length} databases`,
  );
  if (keysLeft > 0 || databasesLeft.length > 0)
    throw new Error(`tests left ${keysLeft} Redis keys and databases ${databasesLeft.join(', ')}`);
}
