/** `pnpm db:migrate`: see packages/db/src/migrate.ts. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@datasync/config';
import { migrate } from '@datasync/db/migrate';

export { ensureDatabase, migrate } from '@datasync/db/migrate';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await migrate(loadConfig().DATABASE_URL);
}
