import type pg from 'pg';
import { v4 as uuidv4 } from 'uuid';
import { bulkUpsert, numberedPages, prepareUpsert, runUpsert, UpstreamDataError } from '@datasync/connector-kit';
import { avitoItems, avitoRunItems } from '@datasync/db/tables';
import type { Handlers, RunContext } from '@datasync/runs';
import { parseMobileItems, type Listing } from './parse';
import type { AvitoTransport, MobilePage } from './transport';

/** Where a run stopped: the last page whose listings are committed. */
interface Checkpoint {
  page: number;
  position: number;
  lastStamp?: number;
}

/** Upserts a page's listings and links them to the run; answers how many were new to the run. */
async function writePage(
  tx: pg.PoolClient,
  runId: string,
  listings: Listing[],
  firstPosition: number,
  extra: { sellerHash?: string; locationId?: number },
): Promise<number> {
  const saved = await runUpsert<{ id: string; avito_id: string }>(
    tx,
    prepareUpsert(
      {
        table: avitoItems,
        // first_seen_at and last_seen_at are the table's defaults on insert.
        columns: [
          'id', 'avito_id', 'title', 'price', 'price_text', 'url', 'category_id', 'category_name', 'location_id', 'location_name',
          'address', 'seller_hash', 'published_at', 'raw',
        ],
        conflict: ['avito_id'],
        update: ['title', 'price', 'price_text', 'url', 'category_id', 'category_name', 'location_name', 'address', 'published_at', 'raw'],
        alsoSet: [
          'last_seen_at = now()',
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
 * Pages through one result set (a seller's listings or a search), committing each page with the
 * checkpoint, resuming after the last committed page. Stops at a short page, a page with no new
 * listing, or the page cap; a result that ends before the upstream's own total is an error worth
 * retrying (an empty page in the middle), never a silently short result.
 */
async function syncPages(
  ctx: RunContext<unknown>,
  transport: AvitoTransport,
  fetchPage: (page: number, lastStamp: number | undefined) => Promise<MobilePage>,
  extra: { sellerHash?: string; locationId?: number },
  maxPages: number,
): Promise<void> {
  const resume = (ctx.checkpoint as Checkpoint | null) ?? { page: 0, position: 0 };
  let lastStamp = resume.lastStamp;
  let position = resume.position;
  let total: number | undefined;
  let lastPage = resume.page;
  if (resume.page > 0) ctx.log.info({ page: resume.page + 1 }, 'resuming from checkpoint');

  const pages = numberedPages(
    async (n) => {
      const page = await fetchPage(n, lastStamp);
      lastStamp ??= page.lastStamp;
      return { page, parsed: parseMobileItems(page.items) };
    },
    {
      first: resume.page + 1,
      maxPages: Math.max(1, maxPages - resume.page),
      isLast: ({ parsed }) => parsed.itemCount < transport.pageSize,
    },
  );
  for await (const { page: { page, parsed }, n } of pages) {
    total = page.total ?? total;
    if (parsed.skipped.length) ctx.log.warn({ page: n, skipped: parsed.skipped.slice(0, 5) }, 'skipped malformed listings');
    // A short page that leaves the result below the upstream's total (an empty page mid-way): fail
    // before committing it, so the retry asks for this page again instead of resuming after it.
    const accounted = (ctx.counts.listings ?? 0) + (ctx.counts.skipped ?? 0) + parsed.listings.length + parsed.skipped.length;
    if (parsed.itemCount < transport.pageSize && total !== undefined && accounted < total && n < maxPages) {
      throw new UpstreamDataError(`avito page ${n} listed ${parsed.itemCount} items, short of the ${total} announced; retrying`);
    }
    const added = await ctx.commitPage(
      (tx) => writePage(tx, ctx.runId, parsed.listings, position, extra),
      (linked) => ({
        checkpoint: { page: n, position: position + parsed.listings.length, lastStamp } satisfies Checkpoint,
        progress: {
          page: n,
          listings: (ctx.counts.listings ?? 0) + linked,
          total: total ?? null,
          // Why the last malformed listing was skipped, shown with the run (its count is `counts.skipped`).
          ...(parsed.skipped.length ? { lastSkipped: `page ${n}: ${parsed.skipped[0]}` } : {}),
        },
        added: { pages: 1, listings: linked, skipped: parsed.skipped.length },
      }),
    );
    position += parsed.listings.length;
    lastPage = n;
    ctx.log.info({ page: n, listings: parsed.listings.length, new: added }, 'page saved');
    if (added === 0 && parsed.itemCount > 0) break;
  }
  const found = ctx.counts.listings ?? 0;
  if (total !== undefined && found + (ctx.counts.skipped ?? 0) < total && lastPage < maxPages) {
    throw new UpstreamDataError(`avito listed ${found} of the ${total} listings it announced (page ${lastPage} ended early); retrying`);
  }
}

export function avitoHandlers(transport: AvitoTransport, maxPages: number): Handlers<'avito'> {
  return {
    'avito.user': (ctx) =>
      syncPages(ctx, transport, (page) => transport.sellerPage(ctx.params.user, page), { sellerHash: ctx.params.user }, maxPages),
    'avito.region': (ctx) =>
      syncPages(
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
      ),
  };
}
