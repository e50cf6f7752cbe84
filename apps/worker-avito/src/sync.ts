import type pg from 'pg';
import { v4 as uuidv4 } from 'uuid';
import { z } from 'zod';
import { bulkUpsert, numberedPages, prepareUpsert, runUpsert, UpstreamDataError } from '@datasync/connector-kit';
import { avitoItems, avitoRunItems } from '@datasync/db/tables';
import {
  closePass,
  generationSchema,
  passGeneration,
  runStream,
  skipItem,
  withCheckpoint,
  type RunConnection,
  type RunContext,
  type StreamDefinition,
} from '@datasync/runs';
import { parseMobileItems, type Listing } from './parse';
import type { AvitoHandlers } from './source';
import type { AvitoTransport, MobilePage } from './transport';

/**
 * Where a run stopped: the last page whose listings are committed, and the generation of its pass
 * (soft deletes: a resumed pass keeps stamping with the one its first pages used).
 */
const checkpointSchema = z.object({
  page: z.number().int(),
  position: z.number().int(),
  lastStamp: z.number().optional(),
  generation: generationSchema.optional(),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

/** A page's entry: a listing, or why a malformed one was skipped. */
type PageItem = Listing | { skipped: string };

/** What a page carries besides its listings. */
interface PageExtra {
  /** Top-level listings on the page (what a full page is counted in). */
  itemCount: number;
  /** The run position of the page's first listing. */
  firstPosition: number;
}

/** Upserts a page's listings and links them to the run; answers how many were new to the run. */
async function writePage(
  tx: pg.PoolClient,
  runId: string,
  listings: Listing[],
  firstPosition: number,
  extra: { sellerHash?: string; locationId?: number },
  /** The seller pass's generation; null for a search, which never closes and must not restamp a seller's rows. */
  generation: string | null,
): Promise<number> {
  const saved = await runUpsert<{ id: string; avito_id: string }>(
    tx,
    prepareUpsert(
      {
        table: avitoItems,
        // first_seen_at and last_seen_at are the table's defaults on insert.
        columns: [
          'id',
          'avito_id',
          'title',
          'price',
          'price_text',
          'url',
          'category_id',
          'category_name',
          'location_id',
          'location_name',
          'address',
          'seller_hash',
          'published_at',
          'raw',
          'seen_generation',
        ],
        conflict: ['avito_id'],
        update: ['title', 'price', 'price_text', 'url', 'category_id', 'category_name', 'location_name', 'address', 'published_at', 'raw'],
        alsoSet: [
          'last_seen_at = now()',
          // A search run (no generation) leaves the seller pass's stamp alone: it may be mid-pass.
          'seen_generation = COALESCE(EXCLUDED.seen_generation, avito_items.seen_generation)',
          'seller_hash = COALESCE(EXCLUDED.seller_hash, avito_items.seller_hash)',
          'location_id = COALESCE(EXCLUDED.location_id, avito_items.location_id)',
        ],
        returning: ['id', 'avito_id'],
      },
      listings.map((l) => ({
        id: uuidv4(),
        avito_id: l.avitoId,
        title: l.title,
        price: l.price,
        price_text: l.priceText,
        url: l.url,
        category_id: l.categoryId,
        category_name: l.categoryName,
        location_id: extra.locationId ?? null,
        location_name: l.locationName,
        address: l.address,
        seller_hash: extra.sellerHash ?? null,
        published_at: l.publishedAt,
        raw: l.raw,
        seen_generation: generation,
      })),
    ),
  );
  const idOf = new Map(saved.map((r) => [String(r.avito_id), r.id]));
  const order = [...new Set(listings.map((l) => String(l.avitoId)))];
  const linked = await bulkUpsert(
    tx,
    { table: avitoRunItems, update: [], returning: ['item_id'] },
    order.map((avitoId, i) => ({ run_id: runId, item_id: idOf.get(avitoId)!, position: firstPosition + i })),
  );
  return linked.length;
}

/**
 * One result set (a seller's listings or a search) as a stream: numbered pages from the page after
 * the checkpoint, each committed with the checkpoint. Stops at a short page, a page with no new
 * listing, or the page cap; a result that ends before the upstream's own total is an error worth
 * retrying (an empty page in the middle), never a silently short result.
 */
function listingStream<P>(
  ctx: RunContext<P, Checkpoint>,
  transport: AvitoTransport,
  fetchPage: (page: number, lastStamp: number | undefined) => Promise<MobilePage>,
  extra: { sellerHash?: string; locationId?: number },
  maxPages: number,
  pass: ListingPass,
): StreamDefinition<Checkpoint, PageItem, Listing, number, PageExtra> {
  return {
    name: 'avito listings',
    async *pages(resume) {
      const from = resume ?? { page: 0, position: 0 };
      let lastStamp = from.lastStamp;
      let position = from.position;
      let total: number | undefined;
      if (from.page > 0) ctx.log.info({ page: from.page + 1 }, 'resuming from checkpoint');
      const pages = numberedPages(
        async (n) => {
          const page = await fetchPage(n, lastStamp);
          lastStamp ??= page.lastStamp;
          return { page, parsed: parseMobileItems(page.items) };
        },
        {
          first: from.page + 1,
          maxPages: Math.max(1, maxPages - from.page),
          isLast: ({ parsed }) => parsed.itemCount < transport.pageSize,
        },
      );
      for await (const {
        page: { page, parsed },
        n,
      } of pages) {
        total = page.total ?? total;
        const firstPosition = position;
        position += parsed.listings.length;
        yield {
          n,
          items: [...parsed.listings, ...parsed.skipped.map((detail) => ({ skipped: detail }))],
          checkpoint: { page: n, position, lastStamp, generation: pass.generation },
          total,
          extra: { itemCount: parsed.itemCount, firstPosition },
        };
      }
    },
    toRow: (item) => ('skipped' in item ? skipItem('invalid', item.skipped) : item),
    write: (tx, listings, page) =>
      writePage(tx, ctx.runId, listings, page.extra.firstPosition, extra, extra.sellerHash === undefined ? null : pass.generation),
    // A short page that leaves the result below the upstream's total (an empty page mid-way).
    shortPage: (page, counts) =>
      page.extra.itemCount < transport.pageSize &&
      page.total !== undefined &&
      (counts.listings ?? 0) + (counts.skipped ?? 0) + page.items.length < page.total &&
      page.n < maxPages
        ? `avito page ${page.n} listed ${page.extra.itemCount} items, short of the ${page.total} announced; retrying`
        : undefined,
    onSkipped: (page, skipped) =>
      ctx.log.warn({ page: page.n, skipped: skipped.slice(0, 5).map((s) => s.skip.detail) }, 'skipped malformed listings'),
    report: (page, { skipped, written }) => ({
      added: { listings: written },
      progress: {
        page: page.n,
        listings: (ctx.counts.listings ?? 0) + written,
        total: page.total ?? null,
        // Why the last malformed listing was skipped, shown with the run (its count is `counts.skipped`).
        ...(skipped.length ? { lastSkipped: `page ${page.n}: ${skipped[0]!.skip.detail}` } : {}),
      },
    }),
    committed: (page, { rows, written }) => {
      // A short page is the result's natural end; a full one (the page cap, a page with nothing new) is not.
      if (page.extra.itemCount < transport.pageSize) pass.reachedEnd = true;
      ctx.log.info({ page: page.n, listings: rows.length, new: written }, 'page saved');
    },
    stopAfter: (page, { written }) => written === 0 && page.extra.itemCount > 0,
  };
}

/** A pass over one result set: the generation its rows are stamped with, and whether it read the last page. */
interface ListingPass {
  generation: string;
  reachedEnd: boolean;
}

/**
 * The pass of this run: the checkpoint's generation when resuming. A checkpoint from before soft
 * deletes has pages stamped with none, so that pass may not delete anything (`closable` false).
 */
function listingPass(resume: Checkpoint | null): ListingPass & { closable: boolean } {
  return {
    generation: passGeneration(resume?.generation),
    reachedEnd: false,
    closable: !resume || resume.generation !== undefined,
  };
}

/**
 * Runs a result set's stream, then checks the run found every listing the upstream announced. A
 * seller's pass that read through to its last page then closes: the seller's listings it did not
 * see are marked deleted (a search's result is not a closed set: a listing gone from it may still be
 * on sale, so searches delete nothing).
 */
async function syncPages<P>(
  ctx: RunContext<P, Checkpoint>,
  stream: StreamDefinition<Checkpoint, PageItem, Listing, number, PageExtra>,
  maxPages: number,
  pass: ReturnType<typeof listingPass>,
  sellerHash?: string,
): Promise<void> {
  const done = await runStream(ctx, stream);
  const lastPage = done.last?.n ?? ctx.checkpoint?.page ?? 0;
  const total = done.last?.total;
  const found = ctx.counts.listings ?? 0;
  if (total !== undefined && found + (ctx.counts.skipped ?? 0) < total && lastPage < maxPages) {
    throw new UpstreamDataError(`avito listed ${found} of the ${total} listings it announced (page ${lastPage} ended early); retrying`);
  }
  const at = done.last?.checkpoint ?? ctx.checkpoint;
  if (sellerHash === undefined || !at) return;
  // A skipped (malformed) listing is there upstream, but which row it is cannot be told: no deletes.
  const skipped = ctx.counts.skipped ?? 0;
  if (!pass.reachedEnd || !pass.closable || skipped > 0) {
    ctx.log.info({ reachedEnd: pass.reachedEnd, closable: pass.closable, skipped }, 'pass not complete; nothing marked deleted');
    return;
  }
  await closePass(ctx, { stream: 'listings', table: 'avito_items', where: 'seller_hash = $2', params: [sellerHash] }, pass.generation, at);
}

/** `transportFor` answers the run's connection's transport (its key, base URL and budget). Listings are public: their rows are not scoped. */
export function avitoHandlers(transportFor: (ctx: { connection: RunConnection }) => AvitoTransport, maxPages: number): AvitoHandlers {
  return {
    'avito.user': withCheckpoint(checkpointSchema, (ctx) => {
      const pass = listingPass(ctx.checkpoint);
      const transport = transportFor(ctx);
      return syncPages(
        ctx,
        listingStream(
          ctx,
          transport,
          (page) => transport.sellerPage(ctx.params.user, page),
          { sellerHash: ctx.params.user },
          maxPages,
          pass,
        ),
        maxPages,
        pass,
        ctx.params.user,
      );
    }),
    'avito.region': withCheckpoint(checkpointSchema, (ctx) => {
      const transport = transportFor(ctx);
      const pass = listingPass(ctx.checkpoint);
      return syncPages(
        ctx,
        listingStream(
          ctx,
          transport,
          (page, lastStamp) =>
            transport.searchPage(
              { query: ctx.params.search, locationId: ctx.params.locationId, categoryId: ctx.params.categoryId },
              page,
              lastStamp ?? Math.floor(Date.now() / 1000),
            ),
          { locationId: ctx.params.locationId === 621540 ? undefined : ctx.params.locationId },
          maxPages,
          pass,
        ),
        maxPages,
        pass,
      );
    }),
  };
}
