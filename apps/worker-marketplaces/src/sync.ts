import { UpstreamAuthError, UpstreamUnavailableError } from '@datasync/connector-kit';
import { MARKETPLACES, type Marketplace } from '@datasync/queues';
import type { MarketplacesHandlers } from './source';
import { closedCounts, passGeneration } from '@datasync/runs';
import { closeCatalog, importCatalog } from './catalog';
import type { Connector } from './connectors/types';
import { pollKind, type PollKind, type PollSettings } from './poll';
import { pushMarketplace } from './push';

export interface MarketplaceDeps {
  connectors: Record<Marketplace, Connector>;
  poll: PollSettings;
  /** First wait before a refused push item is retried. */
  pushRetryMs: number;
  /** Starts a push run (deduplicated: a push already queued takes the change along). */
  requestPush(): Promise<string>;
}

/** The `marketplaces` queue's job handlers. */
export function marketplaceHandlers(deps: MarketplaceDeps): MarketplacesHandlers {
  const configured = () => MARKETPLACES.map((m) => deps.connectors[m]).filter((c) => c.configured);
  return {
    // One complete pass over every configured catalogue (each read whole before anything is
    // written; a failed read throws first), closed in the run's last commit.
    'marketplaces.catalog': async (ctx) => {
      const connectors = configured();
      const generation = passGeneration(null);
      const counts = await importCatalog(ctx.pool, connectors, ctx.log, generation);
      const closed = await ctx.commitPage(
        (tx) =>
          closeCatalog(
            tx,
            connectors.map((c) => c.marketplace),
            generation,
          ),
        (c) => ({
          checkpoint: null,
          added: {
            ...counts,
            ...closedCounts('listings', c.listings),
            ...closedCounts('products', c.products),
            deleted: c.listings.deleted + c.products.deleted,
          },
          progress: { catalog: 'done' },
        }),
      );
      ctx.log.info({ deletedListings: closed.listings.deleted, deletedProducts: closed.products.deleted }, 'catalogue pass closed');
    },

    'marketplaces.poll': async (ctx) => {
      const connector = deps.connectors[ctx.params.marketplace];
      if (!connector.configured) throw new UpstreamAuthError(`${connector.marketplace}: credentials are not configured`);
      const { rows } = await ctx.pool.query('SELECT 1 FROM marketplace_products LIMIT 1');
      if (rows.length === 0) {
        ctx.log.info('no products yet: reading the catalogues first');
        await importCatalog(ctx.pool, configured(), ctx.log);
      }
      const kinds: PollKind[] = ctx.params.kind ? [ctx.params.kind] : ['orders', 'returns'];
      let moved = 0;
      for (const kind of kinds) moved += (await pollKind(ctx, connector, kind, deps.poll)).size;
      if (moved > 0) {
        const runId = await deps.requestPush();
        ctx.log.info({ products: moved, pushRun: runId }, 'stock moved; push requested');
        await ctx.progress({ pushRun: runId });
      } else {
        // Routine: run lists leave such a scheduled poll out unless asked (`idle=true`).
        ctx.log.debug('nothing moved');
        await ctx.progress({ idle: true });
      }
    },

    'marketplaces.push': async (ctx) => {
      const targets = configured().filter((c) => !ctx.params.marketplace || c.marketplace === ctx.params.marketplace);
      const failures: string[] = [];
      let sent = 0;
      // One marketplace failing (after the client's retries) does not hold the others back.
      for (const connector of targets) {
        try {
          const totals = await pushMarketplace(ctx, connector, deps.pushRetryMs);
          sent += totals.pushed + totals.failed;
        } catch (err) {
          ctx.log.warn({ marketplace: connector.marketplace, err: (err as Error).message }, 'stock push failed');
          failures.push((err as Error).message);
        }
      }
      if (failures.length > 0) throw new UpstreamUnavailableError(`stock push failed: ${failures.join('; ')}`);
      if (sent === 0) await ctx.progress({ idle: true });
    },
  };
}
