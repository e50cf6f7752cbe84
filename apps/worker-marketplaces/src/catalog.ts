import type pg from 'pg';
import type { Queryable } from '@datasync/connector-kit';
import type { Logger } from '@datasync/logger';
import { markPassDeletes, type PassClosed } from '@datasync/runs';
import type { CatalogEntry, Connector, ListingIds, ListingSpec } from './connectors/types';

/** One product as the catalogues describe it, with its listing on each marketplace that lists it. */
export interface ProductRow {
  sku: string;
  name: string;
  barcode: string | null;
  listings: Record<string, ListingIds>;
}

/** A catalogue entry with the marketplace that listed it. */
export type ListedEntry = CatalogEntry & { marketplace: string };

/** What an earlier import stored: a product and (where it has any) one of its listings. */
export interface KnownListing {
  sku: string;
  barcode: string | null;
  marketplace: string | null;
  listingId: string | null;
}

/**
 * Builds one row per internal SKU from every catalogue (reference §1.2): an entry that names the
 * seller's article (`join: 'sku'`, Ozon offer_id, YM offerId) becomes that SKU; the others (WB sizes)
 * join the SKU their listing joined before, else the one with the same barcode, else their default.
 * A listing's fields merge over what an earlier entry of the same run said.
 */
export function mergeCatalogs(
  entries: ListedEntry[],
  specs: Record<string, Pick<ListingSpec, 'listingId'>>,
  known: KnownListing[] = [],
): ProductRow[] {
  const rows = new Map<string, ProductRow>();
  const byBarcode = new Map<string, string>();
  for (const k of known) if (k.barcode) byBarcode.set(k.barcode, k.sku);
  const byListing = new Map(known.filter((k) => k.marketplace && k.listingId).map((k) => [`${k.marketplace}\0${k.listingId}`, k.sku]));
  const list = (row: ProductRow, e: ListedEntry) => {
    row.listings[e.marketplace] = { ...row.listings[e.marketplace], ...e.ids };
    rows.set(row.sku, row);
  };
  for (const e of entries.filter((x) => x.join === 'sku')) {
    const row = rows.get(e.sku) ?? { sku: e.sku, name: e.name, barcode: null, listings: {} };
    row.name ||= e.name;
    row.barcode ??= e.barcodes[0] ?? null;
    list(row, e);
    for (const b of e.barcodes) byBarcode.set(b, row.sku);
  }
  for (const e of entries.filter((x) => x.join === 'barcode')) {
    const listingId = specs[e.marketplace]?.listingId(e.ids);
    const sku =
      (listingId ? byListing.get(`${e.marketplace}\0${listingId}`) : undefined) ??
      e.barcodes.map((b) => byBarcode.get(b)).find((s) => s !== undefined) ??
      e.sku;
    const row = rows.get(sku) ?? { sku, name: e.name, barcode: null, listings: {} };
    row.barcode ??= e.barcodes[0] ?? null;
    list(row, e);
  }
  return [...rows.values()];
}

/** Reads every configured marketplace's warehouses; those no longer listed stop being pushed to. */
export async function refreshWarehouses(pool: pg.Pool, connector: Connector, connectionId: string): Promise<number> {
  const list = await connector.warehouses();
  await pool.query(
    `INSERT INTO marketplace_warehouses (marketplace, connection_id, warehouse_id, name, campaign_id, active, raw, updated_at)
     SELECT $1::text, $7::uuid, *, now() FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::jsonb[])
     ON CONFLICT (marketplace, warehouse_id, connection_id) DO UPDATE SET name = EXCLUDED.name, campaign_id = EXCLUDED.campaign_id, active = EXCLUDED.active,
       raw = EXCLUDED.raw, updated_at = now()`,
    [
      connector.marketplace,
      list.map((w) => w.warehouseId),
      list.map((w) => w.name),
      list.map((w) => w.campaignId ?? null),
      list.map((w) => w.active),
      list.map((w) => JSON.stringify(w.raw ?? {})),
      connectionId,
    ],
  );
  await pool.query(
    `UPDATE marketplace_warehouses SET active = false, updated_at = now()
     WHERE marketplace = $1 AND connection_id = $3 AND NOT (warehouse_id = ANY($2::text[]))`,
    [connector.marketplace, list.map((w) => w.warehouseId), connectionId],
  );
  return list.length;
}

/**
 * The `marketplaces.catalog` job: products, their listing on every configured marketplace, and the
 * warehouses stock is pushed to. A listing's fields are only added or updated (a field the
 * marketplace no longer gives keeps its value); every listing read is stamped with `generation`, and
 * only `closeCatalog` (after every configured catalogue was read whole) soft-deletes what was not.
 * No row is ever removed by a sync.
 */
export async function importCatalog(
  pool: pg.Pool,
  connectors: Connector[],
  log: Logger,
  /** The connection (seller cabinet) the connectors read: its listings and warehouses are its own; products are shared by SKU. */
  connectionId = '00000000-0000-0000-0000-000000000000',
  /** Stamps the listings read (a complete catalogue pass closes with `closeCatalog`); null: a read that closes nothing. */
  generation: string | null = null,
): Promise<{ products: number; warehouses: number }> {
  const entries: ListedEntry[] = [];
  const specs: Record<string, ListingSpec> = {};
  let warehouses = 0;
  for (const c of connectors.filter((x) => x.configured)) {
    warehouses += await refreshWarehouses(pool, c, connectionId);
    const list = await c.catalog();
    log.info({ marketplace: c.marketplace, items: list.length }, 'catalogue read');
    specs[c.marketplace] = c.listing;
    entries.push(...list.map((e) => ({ ...e, marketplace: c.marketplace })));
  }
  const { rows: known } = await pool.query<KnownListing & { ids: ListingIds | null }>(
    `SELECT p.sku, p.barcode, l.marketplace, l.listing_id AS "listingId", l.ids
     FROM marketplace_products p LEFT JOIN marketplace_listings l ON l.product_id = p.id AND l.connection_id = $1`,
    [connectionId],
  );
  const rows = mergeCatalogs(entries, specs, known);
  await pool.query(
    `INSERT INTO marketplace_products (sku, name, barcode)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (sku) DO UPDATE SET
       name = CASE WHEN EXCLUDED.name = '' THEN marketplace_products.name ELSE EXCLUDED.name END,
       barcode = COALESCE(marketplace_products.barcode, EXCLUDED.barcode),
       updated_at = now()`,
    [rows.map((r) => r.sku), rows.map((r) => r.name), rows.map((r) => r.barcode)],
  );
  await writeListings(pool, rows, specs, known, connectionId, generation);
  return { products: rows.length, warehouses };
}

/**
 * Ends a complete catalogue pass of `marketplaces` (each read whole by `importCatalog` with this
 * generation), in the caller's transaction: their listings it did not see are marked deleted, the
 * ones it saw are live again; a product is deleted when it has listings and none is live, and live
 * again when one is.
 */
export async function closeCatalog(
  tx: Queryable,
  marketplaces: readonly string[],
  generation: string,
  /** The seller cabinet whose catalogue was read: another cabinet's listings are not this pass's to delete. */
  connectionId: string,
): Promise<{ listings: PassClosed; products: PassClosed }> {
  const listings: PassClosed = { deleted: 0, restored: 0 };
  for (const m of marketplaces) {
    const closed = await markPassDeletes(
      tx,
      {
        stream: 'listings',
        table: 'marketplace_listings',
        where: 'marketplace = $2 AND connection_id = $3::uuid',
        params: [m, connectionId],
      },
      generation,
    );
    listings.deleted += closed.deleted;
    listings.restored += closed.restored;
  }
  const live = 'SELECT 1 FROM marketplace_listings l WHERE l.product_id = p.id AND l.deleted_at IS NULL';
  const deleted = await tx.query(
    `UPDATE marketplace_products p SET deleted_at = now()
     WHERE p.deleted_at IS NULL AND EXISTS (SELECT 1 FROM marketplace_listings l WHERE l.product_id = p.id) AND NOT EXISTS (${live})`,
  );
  const restored = await tx.query(
    `UPDATE marketplace_products p SET deleted_at = NULL WHERE p.deleted_at IS NOT NULL AND EXISTS (${live})`,
  );
  return { listings, products: { deleted: deleted.rowCount ?? 0, restored: restored.rowCount ?? 0 } };
}

/** Upserts the listings of `rows`, each the stored fields overlaid with the non-null new ones. */
async function writeListings(
  pool: pg.Pool,
  rows: ProductRow[],
  specs: Record<string, ListingSpec>,
  known: (KnownListing & { ids: ListingIds | null })[],
  connectionId: string,
  generation: string | null,
): Promise<void> {
  const stored = new Map(known.filter((k) => k.marketplace).map((k) => [`${k.sku}\0${k.marketplace}`, k.ids ?? {}]));
  const listings = rows.flatMap((r) =>
    Object.entries(r.listings).map(([marketplace, fresh]) => {
      const spec = specs[marketplace]!;
      const ids: ListingIds = { ...stored.get(`${r.sku}\0${marketplace}`) };
      for (const [field, value] of Object.entries(fresh)) if (value !== null) ids[field] = value;
      return { sku: r.sku, marketplace, ids, listingId: spec.listingId(ids), pushKey: spec.pushKey(ids), matchKeys: spec.matchKeys(ids) };
    }),
  );
  await pool.query(
    `INSERT INTO marketplace_listings (product_id, marketplace, connection_id, listing_id, push_key, match_keys, ids, updated_at, seen_generation)
     SELECT p.id, u.marketplace, $7::uuid, u.listing_id, u.push_key, ARRAY(SELECT jsonb_array_elements_text(u.match_keys)), u.ids, now(), $8::uuid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[]) AS u(sku, marketplace, listing_id, push_key, match_keys, ids)
     JOIN marketplace_products p ON p.sku = u.sku
     ON CONFLICT (product_id, marketplace, connection_id) DO UPDATE SET listing_id = EXCLUDED.listing_id, push_key = EXCLUDED.push_key,
       match_keys = EXCLUDED.match_keys, ids = EXCLUDED.ids, updated_at = now(),
       seen_generation = COALESCE(EXCLUDED.seen_generation, marketplace_listings.seen_generation)`,
    [
      listings.map((l) => l.sku),
      listings.map((l) => l.marketplace),
      listings.map((l) => l.listingId),
      listings.map((l) => l.pushKey),
      listings.map((l) => JSON.stringify(l.matchKeys)),
      listings.map((l) => JSON.stringify(l.ids)),
      connectionId,
      generation,
    ],
  );
}
