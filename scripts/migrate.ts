/**
 * `pnpm db:migrate`: creates the database if it is missing, then applies every migration
 * (`prisma migrate deploy`, through the WebAssembly schema engine in prisma/engine).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '@datasync/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function ensureDatabase(url: string, quiet = false): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      if (!quiet) console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

export async function migrate(url: string, options: { quiet?: boolean } = {}): Promise<void> {
  await ensureDatabase(url, options.quiet).catch((err: Error) => {
    // A hosted database may not let us connect to `postgres`; it exists already then.
    console.warn(`could not check for the database (${err.message}); migrating anyway`);
  });
  execFileSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await migrate(loadConfig().DATABASE_URL);
}
