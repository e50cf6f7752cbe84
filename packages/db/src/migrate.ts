/**
 * Migrations: creates the database if it is missing, then applies every migration
 * (`prisma migrate deploy`, through the WebAssembly schema engine in prisma/engine). Used by
 * `pnpm db:migrate`, `pnpm start` and `pnpm datasync migrate`.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The repository root: prisma.config.ts, prisma/ and the prisma CLI are there. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * The prisma CLI, resolved like an import from here upwards: the root's node_modules in a checkout,
 * /opt/datasync/node_modules in the Docker image (where it is a runtime tool, not a workspace dependency).
 */
const prismaCli = () => path.join(path.dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build/index.js');

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

/** `quiet`: no output but errors (the bench's own databases). */
export async function migrate(url: string, options: { quiet?: boolean } = {}): Promise<void> {
  await ensureDatabase(url, options.quiet).catch((err: Error) => {
    // A hosted database may not let us connect to `postgres`; it exists already then.
    console.warn(`could not check for the database (${err.message}); migrating anyway`);
  });
  execFileSync(process.execPath, [prismaCli(), 'migrate', 'deploy'], {
    cwd: root,
    // prisma.config.ts prefers DIRECT_DATABASE_URL: the URL asked for here goes in both.
    env: { ...process.env, DATABASE_URL: url, DIRECT_DATABASE_URL: url },
    stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
}
