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
import {
  closePass,
  generationSchema,
  passGeneration,
  runStream,
  skipItem,
  withCheckpoint,
  type RunContext,
  type StreamDefinition,
} from '@datasync/runs';
import type { DatawizHandlers } from './source';

/** Collections in sync order: shops and products before the promotions that link them. */
const STAGES = ['shops', 'products', 'sale'] as const satisfies readonly DatawizCollection[];
type Stage = (typeof STAGES)[number];

/**
 * Where a run stopped: the stage, the next page's URL (null: stage done), rows seen in the stage,
 * and the generation of the stage's pass (soft deletes: a resumed pass keeps stamping with it).
 */
const checkpointSchema = z.object({
  stage: z.enum(STAGES),
  next: z.string().nullable(),
  page: z.number().int(),
  seen: z.number().int(),
  generation: generationSchema.optional(),
});
type Checkpoint = z.infer<typeof checkpointSchema>;
type Ctx = RunContext<unknown, Checkpoint>;

/** A parsed row with the item as the upstream sent it (stored as `raw`). */
interface Parsed<T> {
  row: T;
  raw: unknown;
}

const COUNT_NAME: Record<Stage, string> = { shops: 'shops', products: 'products', sale: 'sales' };

/** `updated_at` moves when one of `columns` changed, not when a pass merely stamped the row as seen. */
const touchedWhenChanged = (table: string, columns: readonly string[]) =>
  `updated_at = CASE WHEN (${columns.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${columns
    .map((c) => `EXCLUDED.${c}`)
    .join(', ')}) THEN now() ELSE ${table}.updated_at END`;

const SHOP_FIELDS = ['format_id', 'group_id', 'name', 'address', 'open_date', 'latitude', 'longitude', 'raw'] as const;
const PRODUCT_FIELDS = [
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
] as const;

async function writeShops(tx: pg.PoolClient, connectionId: string, rows: Parsed<Shop>[], generation: string): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizShops,
      // first_seen_at and updated_at are the table's (updated_at moved below when the shop changed).
      columns: ['shop_id', 'connection_id', ...SHOP_FIELDS, 'seen_generation'],
      update: [...SHOP_FIELDS, 'seen_generation'],
      skipUnchanged: true,
      alsoSet: [touchedWhenChanged('datawiz_shops', SHOP_FIELDS)],
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
      seen_generation: generation,
    })),
  );
}

async function writeProducts(tx: pg.PoolClient, connectionId: string, rows: Parsed<Product>[], generation: string): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizProducts,
      columns: ['product_id', 'connection_id', ...PRODUCT_FIELDS, 'seen_generation'],
      skipUnchanged: true,
      alsoSet: [touchedWhenChanged('datawiz_products', PRODUCT_FIELDS)],
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
      seen_generation: generation,
    })),
  );
}

/**
 * Upserts a page of promotions and their links, marking each with the run that saw it; links the
 * upstream dropped are removed once the whole sync is complete (`removeStaleLinks`).
 */
async function writeSales(tx: pg.PoolClient, runId: string, connectionId: string, rows: Parsed<Sale>[], generation: string): Promise<void> {
  await bulkUpsert(
    tx,
    {
      table: datawizSales,
      columns: ['sale_id', 'connection_id', 'name', 'description', 'date_from', 'date_to', 'raw', 'last_seen_run', 'seen_generation'],
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
      seen_generation: generation,
    })),
  );
  await bulkUpsert(
    tx,
    { table: datawizSaleShops, update: ['last_seen_run'] },
    rows.flatMap(({ row: s }) =>
      s.shops.map((shopId) => ({ sale_id: s.sale_id, shop_id: shopId, connection_id: connectionId, last_seen_run: runId })),
    ),
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
  write: (tx: pg.PoolClient, rows: Parsed<T>[], generation: string) => Promise<void>,
  generation: string,
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
        yield {
          n,
          items: page.results,
          checkpoint: { stage, next: page.next, page: n, seen, generation },
          total: page.count,
          extra: undefined,
        };
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
    write: (tx, rows) => write(tx, rows, generation),
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

const STAGE_TABLE: Record<Stage, string> = { shops: 'datawiz_shops', products: 'datawiz_products', sale: 'datawiz_sales' };

/**
 * One stage as a complete pass over its collection: its pages (from the checkpoint on), then the
 * close — rows of the collection the pass did not see are marked deleted. A stage that fails or
 * ends short throws before the close. It deletes nothing either when the run skipped a malformed
 * item (it is there upstream, but which row it is cannot be told), or when it resumes a checkpoint
 * without a generation (a pass of an older version, or the run's last step, whose pages stamped none).
 */
async function syncStage(ctx: Ctx, client: DatawizClient, stage: Stage, resume: Checkpoint | null): Promise<void> {
  await ctx.progress({ stage: COUNT_NAME[stage] });
  const generation = passGeneration(resume?.generation);
  const stamped = !resume || resume.generation !== undefined;
  // Every row is the connection's: two Datawiz accounts number their shops, products and promotions alike.
  const connectionId = ctx.connection.id;
  let done;
  if (resume?.next === null)
    done = undefined; // every page committed; only the close may be missing
  else if (stage === 'shops')
    done = await runStream(
      ctx,
      stageStream(ctx, client, stage, shopSchema, (tx, rows, g) => writeShops(tx, connectionId, rows, g), generation),
      resume,
    );
  else if (stage === 'products')
    done = await runStream(
      ctx,
      stageStream(ctx, client, stage, productSchema, (tx, rows, g) => writeProducts(tx, connectionId, rows, g), generation),
      resume,
    );
  else
    done = await runStream(
      ctx,
      stageStream(ctx, client, stage, saleSchema, (tx, rows, g) => writeSales(tx, ctx.runId, connectionId, rows, g), generation),
      resume,
    );
  const at = done?.last?.checkpoint ?? resume ?? { stage, next: null, page: 0, seen: 0, generation };
  if (!stamped || (ctx.counts.skipped ?? 0) > 0) {
    ctx.log.info({ stage, stamped, skipped: ctx.counts.skipped ?? 0 }, 'pass not closable; nothing marked deleted');
    return;
  }
  // Only this connection's rows: another account's are not this pass's to delete.
  await closePass(
    ctx,
    { stream: COUNT_NAME[stage], table: STAGE_TABLE[stage], where: 'connection_id = $2::uuid', params: [connectionId] },
    generation,
    at,
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
        // A stage whose pages are all committed is closed again (a no-op if it already was).
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
