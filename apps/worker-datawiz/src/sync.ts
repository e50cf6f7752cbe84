import type pg from 'pg';
import type { z } from 'zod';
import { bulkUpsert, UpstreamDataError } from '@datasync/connector-kit';
import { datawizProducts, datawizSaleProducts, datawizSaleShops, datawizSales, datawizShops } from '@datasync/db/tables';
import {
  productSchema,
  saleSchema,
  shopSchema,
  type DatawizClient,
  type DatawizCollection,
  type Product,
  type Sale,
  type Shop,
} from '@datasync/datawiz-client';
import type { Handlers, RunContext } from '@datasync/runs';

/** Collections in sync order: shops and products before the promotions that link them. */
const STAGES = ['shops', 'products', 'sale'] as const satisfies readonly DatawizCollection[];
type Stage = (typeof STAGES)[number];

/** Where a run stopped: the stage, the next page's URL (null: stage done), rows seen in the stage. */
interface Checkpoint {
  stage: Stage;
  next: string | null;
  page: number;
  seen: number;
}

const COUNT_NAME: Record<Stage, string> = { shops: 'shops', products: 'products', sale: 'sales' };

async function writeShops(tx: pg.PoolClient, rows: { row: Shop; raw: unknown }[]): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizShops,
      // first_seen_at and updated_at are the table's (updated_at moved below when the shop changed).
      columns: ['shop_id', 'format_id', 'group_id', 'name', 'address', 'open_date', 'latitude', 'longitude', 'raw'],
      update: ['format_id', 'group_id', 'name', 'address', 'open_date', 'latitude', 'longitude', 'raw'],
      skipUnchanged: true,
      alsoSet: ['updated_at = now()'],
    },
    rows.map(({ row: s, raw }) => ({
      shop_id: s.shop_id,
      format_id: s.format_id,
      group_id: s.group_id,
      name: s.name,
      address: s.address,
      open_date: s.open_date,
      latitude: s.latitude,
      longitude: s.longitude,
      raw,
    })),
  );
}

async function writeProducts(tx: pg.PoolClient, rows: { row: Product; raw: unknown }[]): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizProducts,
      columns: ['product_id', 'name', 'article', 'barcode', 'category_id', 'brand_id', 'producer_id', 'unit_id', 'active', 'width', 'height', 'depth', 'raw'],
      skipUnchanged: true,
      alsoSet: ['updated_at = now()'],
    },
    rows.map(({ row: p, raw }) => ({
      product_id: p.product_id,
      name: p.name,
      article: p.article,
      barcode: p.barcode,
      category_id: p.category_id,
      brand_id: p.brand_id,
      producer_id: p.producer_id,
      unit_id: p.unit_id,
      active: p.active,
      width: p.width,
      height: p.height,
      depth: p.depth,
      raw,
    })),
  );
}

/**
 * Upserts a page of promotions and their links, marking each with the run that saw it; links the
 * upstream dropped are removed once the whole sync is complete (`removeStaleLinks`).
 */
async function writeSales(tx: pg.PoolClient, runId: string, rows: { row: Sale; raw: unknown }[]): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizSales,
      columns: ['sale_id', 'name', 'description', 'date_from', 'date_to', 'raw', 'last_seen_run'],
      alsoSet: [
        // updated_at moves only when the promotion itself changed, not when a run merely saw it.
        `updated_at = CASE WHEN (datawiz_sales.name, datawiz_sales.description, datawiz_sales.date_from, datawiz_sales.date_to)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.date_from, EXCLUDED.date_to) THEN now() ELSE datawiz_sales.updated_at END`,
      ],
    },
    rows.map(({ row: s, raw }) => ({
      sale_id: s.sale_id,
      name: s.name,
      description: s.description,
      date_from: s.date_from,
      date_to: s.date_to,
      raw,
      last_seen_run: runId,
    })),
  );
  await bulkUpsert(
    tx,
    { table: datawizSaleShops, update: ['last_seen_run'] },
    rows.flatMap(({ row: s }) => s.shops.map((shopId) => ({ sale_id: s.sale_id, shop_id: shopId, last_seen_run: runId }))),
  );
  await bulkUpsert(
    tx,
    { table: datawizSaleProducts },
    rows.flatMap(({ row: s }) => s.products.map((productId, i) => ({ sale_id: s.sale_id, product_id: productId, position: i, last_seen_run: runId }))),
  );
}

/** Links of promotions this run saw that this run did not see: the upstream removed them. */
async function removeStaleLinks(tx: pg.PoolClient, runId: string): Promise<{ shops: number; products: number }> {
  const stale = (table: string) =>
    tx.query({
      text: `DELETE FROM ${table} l USING datawiz_sales s
             WHERE s.sale_id = l.sale_id AND s.last_seen_run = $1 AND l.last_seen_run <> $1`,
      values: [runId],
    });
  const shops = await stale('datawiz_sale_shops');
  const products = await stale('datawiz_sale_products');
  return { shops: shops.rowCount ?? 0, products: products.rowCount ?? 0 };
}

function parseRows<T>(schema: z.ZodType<T>, results: unknown[]): { rows: { row: T; raw: unknown }[]; skipped: string[] } {
  const rows: { row: T; raw: unknown }[] = [];
  const skipped: string[] = [];
  for (const raw of results) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) rows.push({ row: parsed.data, raw });
    else skipped.push(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return { rows, skipped };
}

/**
 * One stage: every page of a collection through its `next` links, each page committed with the
 * checkpoint (the next URL), so a retry resumes after the last committed page. An empty page
 * mid-way, or a stage ending short of the upstream's `count`, fails the attempt to retry.
 */
async function syncStage(ctx: RunContext<unknown>, client: DatawizClient, stage: Stage, resume: Checkpoint | null): Promise<void> {
  let seen = resume?.seen ?? 0;
  let pageNo = resume?.page ?? 0;
  if (resume?.next) ctx.log.info({ stage, page: pageNo + 1 }, 'resuming from checkpoint');
  await ctx.progress({ stage: COUNT_NAME[stage] });
  for await (const { page } of client.pages(stage, resume?.next ?? undefined)) {
    pageNo += 1;
    const { rows, skipped } =
      stage === 'shops'
        ? parseRows(shopSchema, page.results)
        : stage === 'products'
          ? parseRows(productSchema, page.results)
          : parseRows(saleSchema, page.results);
    if (skipped.length) ctx.log.warn({ stage, page: pageNo, skipped: skipped.slice(0, 5) }, 'skipped malformed rows');
    // An empty page mid-way, or a last page short of `count`: fail before committing, so the retry
    // asks for this page again rather than resuming past it.
    if ((page.results.length === 0 && page.next !== null) || (page.next === null && seen + page.results.length < page.count)) {
      throw new UpstreamDataError(
        `datawiz ${stage}/ page ${pageNo} listed ${page.results.length} rows (${seen + page.results.length} of the ${page.count} announced); retrying`,
      );
    }
    seen += page.results.length;
    const name = COUNT_NAME[stage];
    await ctx.commitPage(
      async (tx) => {
        if (stage === 'shops') await writeShops(tx, rows as { row: Shop; raw: unknown }[]);
        else if (stage === 'products') await writeProducts(tx, rows as { row: Product; raw: unknown }[]);
        else await writeSales(tx, ctx.runId, rows as { row: Sale; raw: unknown }[]);
      },
      {
        checkpoint: { stage, next: page.next, page: pageNo, seen } satisfies Checkpoint,
        progress: {
          stage: name,
          page: pageNo,
          [name]: seen,
          [`${name}Total`]: page.count,
          // Why the last malformed row was skipped, shown with the run (its count is `counts.skipped`).
          ...(skipped.length ? { lastSkipped: `${stage} page ${pageNo}: ${skipped[0]}` } : {}),
        },
        added: { pages: 1, [name]: rows.length, skipped: skipped.length },
      },
    );
    ctx.log.info({ stage, page: pageNo, rows: rows.length }, 'page saved');
  }
}

export function datawizHandlers(client: DatawizClient): Handlers<'datawiz'> {
  return {
    'datawiz.sync': async (ctx) => {
      // Unset credentials fail the run at once with the variable's name (not retried).
      client.assertConfigured();
      const checkpoint = ctx.checkpoint as Checkpoint | null;
      const from = checkpoint ? STAGES.indexOf(checkpoint.stage) : 0;
      for (let i = from; i < STAGES.length; i++) {
        const stage = STAGES[i]!;
        const resume = checkpoint && i === from ? checkpoint : null;
        if (resume && resume.next === null) continue; // that stage was complete
        await syncStage(ctx, client, stage, resume);
      }
      const done: Checkpoint = { stage: 'sale', next: null, page: 0, seen: 0 };
      const removed = await ctx.commitPage((tx) => removeStaleLinks(tx, ctx.runId), (r) => ({
        checkpoint: done,
        progress: { stage: 'done', removedShopLinks: r.shops, removedProductLinks: r.products },
        added: { removedShopLinks: r.shops, removedProductLinks: r.products },
      }));
      ctx.log.info(removed, 'removed links the upstream dropped');
    },
  };
}
