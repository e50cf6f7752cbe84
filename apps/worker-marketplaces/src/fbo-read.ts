import { z } from 'zod';
import type pg from 'pg';
import { readStreamState, saveStreamState, type RunContext, type StreamKey } from '@datasync/runs';
import type { Marketplace } from '@datasync/queues';
import type { Connector, FboListing, FboRead } from './connectors/types';

/**
 * FBO stock (README "FBO stock"): what a marketplace holds in its own warehouses, read per seller
 * cabinet and stored in `marketplace_fbo_stocks`, replaced whole by each complete read. It is shown
 * (`GET /api/marketplaces/products` → `fbo`, the stock page) and nothing else: the ledger's
 * `stock_levels` and the push never read the table.
 */

const readState = z.object({ readAt: z.string() });
const stateKey = (marketplace: Marketplace, connectionId: string): StreamKey => ({
  source: 'marketplaces',
  stream: 'fbo',
  scope: marketplace,
  connectionId,
});

/** Whether a poll should read it: never read yet, or the last complete read is `everyMs` old (0: never in a poll). */
export async function fboDue(pool: pg.Pool, marketplace: Marketplace, connectionId: string, everyMs: number): Promise<boolean> {
  if (everyMs <= 0) return false;
  const saved = await readStreamState(pool, stateKey(marketplace, connectionId), readState);
  return !saved || Date.now() - Date.parse(saved.readAt) >= everyMs;
}

/** Reads the cabinet's FBO stock and replaces its rows in one transaction with the run's counts. */
export async function readFboStock(ctx: RunContext<unknown>, connector: Connector): Promise<FboRead> {
  const marketplace = connector.marketplace;
  const connectionId = ctx.connection.id;
  const { rows: listings } = await ctx.pool.query<FboListing>(
    `SELECT product_id AS "productId", ids FROM marketplace_listings WHERE marketplace = $1 AND connection_id = $2`,
    [marketplace, connectionId],
  );
  const readAt = new Date();
  if (!connector.fboStocks) throw new Error(`${marketplace}: no FBO stock to read`);
  const read = await connector.fboStocks(listings);
  const { rows } = read;
  await ctx.commitPage(
    async (tx) => {
      await tx.query('DELETE FROM marketplace_fbo_stocks WHERE connection_id = $1 AND marketplace = $2', [connectionId, marketplace]);
      if (rows.length > 0)
        await tx.query(
          `INSERT INTO marketplace_fbo_stocks
             (connection_id, marketplace, warehouse_id, product_id, warehouse_name, listing_key, quantity, details, read_at)
           SELECT $1, $2, w, p, n, k, q, d::jsonb, $9
           FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::text[]) AS t(w, p, n, k, q, d)`,
          [
            connectionId,
            marketplace,
            rows.map((r) => r.warehouseId),
            rows.map((r) => r.productId),
            rows.map((r) => r.warehouseName),
            rows.map((r) => r.listingKey),
            rows.map((r) => r.quantity),
            rows.map((r) => JSON.stringify(r.details)),
            readAt,
          ],
        );
      await saveStreamState(tx, stateKey(marketplace, connectionId), { readAt: readAt.toISOString() });
    },
    {
      checkpoint: { marketplace, kind: 'fbo', cursor: null },
      progress: { [`${marketplace}.fbo`]: 'done' },
      added: { [`${marketplace}.fbo`]: rows.length, ...(read.unmapped > 0 ? { fboUnmapped: read.unmapped } : {}) },
    },
  );
  return read;
}

/**
 * The read as an optional part of a poll: a failure is noted in the run (progress `<mp>.fbo` =
 * `failed`, `fboError`) and logged, never fails the poll; the next poll tries again.
 */
export async function readFboOptional(ctx: RunContext<unknown>, connector: Connector): Promise<boolean> {
  try {
    const read = await readFboStock(ctx, connector);
    ctx.log.info({ marketplace: connector.marketplace, rows: read.rows.length, unmapped: read.unmapped }, 'FBO stock read');
    return true;
  } catch (err) {
    const message = (err as Error).message;
    ctx.log.warn({ marketplace: connector.marketplace, err: message }, 'FBO stock read failed (the poll goes on)');
    await ctx.progress({ [`${connector.marketplace}.fbo`]: 'failed', fboError: message });
    return false;
  }
}
