import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

// Prisma's native schema engine cannot be downloaded on air-gapped machines; this Node script runs
// Prisma's own WebAssembly schema engine instead (see prisma/engine/README.md).
const root = path.dirname(fileURLToPath(import.meta.url));
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'prisma/engine/schema-engine-wasm.mjs');

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  // Prisma's env() throws when the variable is unset, which would break `prisma generate` on a
  // machine without a database; generate needs no URL. DIRECT_DATABASE_URL first: migrations cannot
  // run through PgBouncer in transaction mode (README "PgBouncer").
  datasource: { url: process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL || '' },
});
