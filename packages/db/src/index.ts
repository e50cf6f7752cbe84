import pg from 'pg';

export type { ColumnMeta, ColumnOf, RowOf, TableMeta } from './table';

export interface DbConfig {
  url: string;
  poolMax?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

export interface Db {
  /** Every query goes through this pool: reads, transactions and connector-kit's bulk writes. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens the database. `sslmode=require` (or verify-full) in the URL turns TLS on, as for a hosted
 * PostgreSQL. Prisma owns the schema and migrations only; no Prisma client is created (ARCHITECTURE.md).
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
  return {
    pool,
    async close() {
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
