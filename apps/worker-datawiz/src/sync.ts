import type pg from 'pg';
import { z } from 'zod';
import { bulkUpsert } from '@datasync/connector-kit';
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
import { runStream, skipItem, withCheckpoint, type RunContext, type StreamDefinition } from '@datasync/runs';
import type { DatawizHandlers } from './source';

/** Collections in sync order: shops and products before the promotions that link them. */
const STAGES = ['shops', 'products', 'sale'] as const satisfies readonly DatawizCollection[];
type Stage = (typeof STAGES)[number];

/** Where a run stopped: the stage, the next page's URL (null: stage done), rows seen in the stage. */
const checkpointSchema = z.object({ stage: z.enum(STAGES), next: z.string().nullable(), page: z.number().int(), seen: z.number().int() });
type Checkpoint = z.infer<typeof checkpointSchema>;
type Ctx = RunContext<unknown, Checkpoint>;

/** A parsed row with the item as the upstream sent it (stored as `raw`). */
interface Parsed<T> {
  row: T;
  raw: unknown;
}

const COUNT_NAME: Record<Stage, string> = { shops: 'shops', products: 'products', sale: 'sales' };

async function writeShops(tx: pg.PoolClient, connectionId: string, rows: Parsed<Shop>[]): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizShops,
      // first_seen_at and updated_at are the table's (updated_at moved below when the shop changed).
      columns: ['shop_id', 'connection_id', 'format_id', 'group_id', 'name', 'address', 'open_date', 'latitude', 'longitude', 'raw'],
      update: ['format_id', 'group_id', 'name', 'address', 'open_date', 'latitude', 'longitude', 'raw'],
      skipUnchanged: true,
      alsoSet: ['updated_at = now()'],
    },
    rows.map(({ row: s, raw }) => ({
      shop_id: s.shop_id,
      connection_id: connectionId,
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

async function writeProducts(tx: pg.PoolClient, connectionId: string, rows: Parsed<Product>[]): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizProducts,
      columns: [
        'product_id',
        'connection_id',
        'name',
        'article',
        'barcode',
        'category_id',
        'brand_id',
        'producer_id',
        'unit_id',
        'active',
        'width',
        'height',
        'depth',
        'raw',
      ],
      skipUnchanged: true,
      alsoSet: ['updated_at = now()'],
    },
    rows.map(({ row: p, raw }) => ({
      product_id: p.product_id,
      connection_id: connectionId,
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
async function writeSales(tx: pg.PoolClient, runId: string, connectionId: string, rows: Parsed<Sale>[]): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizSales,
      columns: ['sale_id', 'connection_id', 'name', 'description', 'date_from', 'date_to', 'raw', 'last_seen_run'],
      alsoSet: [
        // updated_at moves only when the promotion itself changed, not when a run merely saw it.
        `updated_at = CASE WHEN (datawiz_sales.name, datawiz_sales.description, datawiz_sales.date_from, datawiz_sales.date_to)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.date_from, EXCLUDED.date_to) THEN now() ELSE datawiz_sales.updated_at END`,
      ],
    },
    rows.map(({ row: s, raw }) => ({
      sale_id: s.sale_id,
      connection_id: connectionId,
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
    rows.flatMap(({ row: s }) => s.shops.map((shopId) => ({ sale_id: s.sale_id, shop_id: shopId, connection_id: connectionId, last_seen_run: runId }))),
  );
  await bulkUpsert(
    tx,
    { table: datawizSaleProducts },
    rows.flatMap(({ row: s }) =>
      s.products.map((productId, i) => ({
        sale_id: s.sale_id,
        product_id: productId,
        connection_id: connectionId,
        position: i,
        last_seen_run: runId,
      })),
    ),
  );
}

/** Links of promotions this run saw that this run did not see: the upstream removed them. */
async function removeStaleLinks(tx: pg.PoolClient, runId: string): Promise<{ shops: number; products: number }> {
  const stale = (table: string) =>
    tx.query({
      text: `DELETE FROM ${table} l USING datawiz_sales s
             WHERE s.sale_id = l.sale_id AND s.connection_id = l.connection_id AND s.last_seen_run = $1 AND l.last_seen_run <> $1`,
      values: [runId],
    });
  const shops = await stale('datawiz_sale_shops');
  const products = await stale('datawiz_sale_products');
  return { shops: shops.rowCount ?? 0, products: products.rowCount ?? 0 };
}

/**
 * One stage as a stream: every page of a collection through its `next` links (the next one in
 * flight while this one is written), each page committed with the checkpoint (the next URL), so a
 * retry resumes after the last committed page. An empty page mid-way, or a stage ending short of
 * the upstream's `count`, fails the attempt to retry.
 */
function stageStream<T>(
  ctx: Ctx,
  client: DatawizClient,
  stage: Stage,
  schema: z.ZodType<T>,
  write: (tx: pg.PoolClient, rows: Parsed<T>[]) => Promise<void>,
): StreamDefinition<Checkpoint, unknown, Parsed<T>, void> {
  const name = COUNT_NAME[stage];
  return {
    name: `datawiz ${stage}`,
    async *pages(resume) {
      let seen = resume?.seen ?? 0;
      let n = resume?.page ?? 0;
      if (resume?.next) ctx.log.info({ stage, page: n + 1 }, 'resuming from checkpoint');
      for await (const { page } of client.pages(stage, resume?.next ?? undefined)) {
        n += 1;
        seen += page.results.length;
        yield { n, items: page.results, checkpoint: { stage, next: page.next, page: n, seen }, total: page.count, extra: undefined };
      }
    },
    toRow: (raw) => {
      const parsed = schema.safeParse(raw);
      return parsed.success
        ? { row: parsed.data, raw }
        : skipItem('invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    },
    onSkipped: (page, skipped) =>
      ctx.log.warn({ stage, page: page.n, skipped: skipped.slice(0, 5).map((s) => s.skip.detail) }, 'skipped malformed rows'),
    // An empty page mid-way, or a last page short of `count`.
    shortPage: (page) =>
      (page.items.length === 0 && page.checkpoint.next !== null) ||
      (page.checkpoint.next === null && page.checkpoint.seen < (page.total ?? 0))
        ? `datawiz ${stage}/ page ${page.n} listed ${page.items.length} rows (${page.checkpoint.seen} of the ${page.total} announced); retrying`
        : undefined,
    write: (tx, rows) => write(tx, rows),
    report: (page, { rows, skipped }) => ({
      added: { [name]: rows.length },
      progress: {
        stage: name,
        page: page.n,
        [name]: page.checkpoint.seen,
        [`${name}Total`]: page.total,
        // Why the last malformed row was skipped, shown with the run (its count is `counts.skipped`).
        ...(skipped.length ? { lastSkipped: `${stage} page ${page.n}: ${skipped[0]!.skip.detail}` } : {}),
      },
    }),
    committed: (page, { rows }) => ctx.log.info({ stage, page: page.n, rows: rows.length }, 'page saved'),
  };
}

async function syncStage(ctx: Ctx, client: DatawizClient, stage: Stage, resume: Checkpoint | null): Promise<void> {
  await ctx.progress({ stage: COUNT_NAME[stage] });
  // Every row is the connection's: two Datawiz accounts number their shops, products and promotions alike.
  const connectionId = ctx.connection.id;
  if (stage === 'shops') await runStream(ctx, stageStream(ctx, client, stage, shopSchema, (tx, rows) => writeShops(tx, connectionId, rows)), resume);
  else if (stage === 'products')
    await runStream(ctx, stageStream(ctx, client, stage, productSchema, (tx, rows) => writeProducts(tx, connectionId, rows)), resume);
  else
    await runStream(
      ctx,
      stageStream(ctx, client, stage, saleSchema, (tx, rows) => writeSales(tx, ctx.runId, connectionId, rows)),
      resume,
    );
}

/** `clientFor` answers the run's connection's client (its own credentials and base URL). */
export function datawizHandlers(clientFor: (ctx: Ctx) => DatawizClient): DatawizHandlers {
  return {
    'datawiz.sync': withCheckpoint(checkpointSchema, async (ctx) => {
      const client = clientFor(ctx);
      // Unset credentials fail the run at once with the variable's name (not retried).
      client.assertConfigured();
      const checkpoint = ctx.checkpoint;
      const from = checkpoint ? STAGES.indexOf(checkpoint.stage) : 0;
      for (let i = from; i < STAGES.length; i++) {
        const stage = STAGES[i]!;
        const resume = checkpoint && i === from ? checkpoint : null;
        if (resume && resume.next === null) continue; // that stage was complete
        await syncStage(ctx, client, stage, resume);
      }
      const done: Checkpoint = { stage: 'sale', next: null, page: 0, seen: 0 };
      const removed = await ctx.commitPage(
        (tx) => removeStaleLinks(tx, ctx.runId),
        (r) => ({
          checkpoint: done,
          progress: { stage: 'done', removedShopLinks: r.shops, removedProductLinks: r.products },
          added: { removedShopLinks: r.shops, removedProductLinks: r.products },
        }),
      );
      ctx.log.info(removed, 'removed links the upstream dropped');
    }),
  };
}
