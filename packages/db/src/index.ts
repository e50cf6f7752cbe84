import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export { Prisma, PrismaClient } from './generated/client';
export type * from './generated/models';
export { RunState } from './generated/enums';

export interface DbConfig {
  url: string;
  poolMax?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

export interface Db {
  prisma: PrismaClient;
  /** The same connections Prisma uses, for bulk SQL (connector-kit's bulk writers). */
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens the database. `sslmode=require` (or verify-full) in the URL turns TLS on, as for a hosted
 * PostgreSQL; Prisma and the bulk writers share one pg pool.
 */
export function createDb(config: DbConfig): Db {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax ?? 10,
    application_name: config.applicationName ?? 'datasync',
  });
  // An idle client that loses its connection (Postgres restarted) must not crash the process;
  // the pool replaces it and the next query reconnects.
  pool.on('error', () => {});
  // The same for a client checked out between two statements of a transaction (a connection
  // terminated, Postgres restarted): the next statement fails and the transaction rolls back.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

/** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
