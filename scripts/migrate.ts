/** `pnpm db:migrate`: see packages/db/src/migrate.ts. DIRECT_DATABASE_URL when set (a pooled DATABASE_URL cannot migrate). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, migrationDatabaseUrl } from '@datasync/config';
import { migrate } from '@datasync/db/migrate';

export { ensureDatabase, migrate } from '@datasync/db/migrate';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await migrate(migrationDatabaseUrl(loadConfig()));
}
