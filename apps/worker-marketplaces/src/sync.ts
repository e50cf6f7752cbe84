import { UnrecoverableError } from 'bullmq';
import { UpstreamAuthError, UpstreamUnavailableError } from '@datasync/connector-kit';
import { MARKETPLACES, type Marketplace } from '@datasync/queues';
import type { RunConnection, RunContext } from '@datasync/runs';
import type { MarketplacesHandlers } from './source';
import { closedCounts, passGeneration } from '@datasync/runs';
import { closeCatalog, importCatalog } from './catalog';
import type { Connector } from './connectors/types';
import { fboDue, readFboOptional } from './fbo-read';
import { pollKind, type PollKind, type PollSettings } from './poll';
import { awaitPropagation, propagationDone, type PropagationMetrics } from './propagation';
import { reconciledRecently } from './reconcile';
import { pollPushed } from './targeted-poll';
import { pushMarketplace } from './push';

export interface MarketplaceDeps {
  /** The connectors of a run's connection (the environment's three, or a stored cabinet's one). */
  connectors(connection: RunConnection): Record<Marketplace, Connector>;
  poll: PollSettings;
  /** A poll also reads the FBO stock when its last read is this old (0: only `kind: fbo` reads it). */
  fboEveryMs: number;
  /** First wait before a refused push item is retried. */
  pushRetryMs: number;
  /** Starts a push run for every cabinet (deduplicated: a push already queued takes the change along); answers their ids. */
  requestPush(): Promise<string[]>;
  /** MARKETPLACES_RECONCILE_INTERVAL_MS: a pushing connection's scheduled polls read in full this often (0: always). */
  reconcileMs: number;
  /** Where the order → stock pushed times go (datasync_stock_propagation_seconds). */
  metrics: PropagationMetrics;
}

/** The `marketplaces` queue's job handlers. */
export function marketplaceHandlers(deps: MarketplaceDeps): MarketplacesHandlers {
  const configured = (connection: RunConnection) => {
    const connectors = deps.connectors(connection);
    return MARKETPLACES.map((m) => connectors[m]).filter((c) => c.configured);
  };
  // The cabinet's own listings map its order lines to products: read its catalogue first if it has none.
  const listingsFirst = async (ctx: Pick<RunContext<unknown>, 'pool' | 'log' | 'connection'>, marketplace: Marketplace) => {
    const { rows } = await ctx.pool.query('SELECT 1 FROM marketplace_listings WHERE marketplace = $1 AND connection_id = $2 LIMIT 1', [
      marketplace,
      ctx.connection.id,
    ]);
    if (rows.length > 0) return;
    ctx.log.info('no listings of this cabinet yet: reading its catalogue first');
    await importCatalog(ctx.pool, configured(ctx.connection), ctx.log, ctx.connection.id);
  };
  return {
    // One complete pass over every configured catalogue (each read whole before anything is
    // written; a failed read throws first), closed in the run's last commit.
    'marketplaces.catalog': async (ctx) => {
      const connectors = configured(ctx.connection);
      const generation = passGeneration(null);
      const counts = await importCatalog(ctx.pool, connectors, ctx.log, ctx.connection.id, generation);
      const closed = await ctx.commitPage(
        (tx) =>
          closeCatalog(
            tx,
            connectors.map((c) => c.marketplace),
            generation,
            ctx.connection.id,
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
      const cabinet = ctx.connection.settings.marketplace;
      if (ctx.connection.credentials && cabinet !== ctx.params.marketplace)
        throw new UnrecoverableError(`connection ${ctx.connection.name} is a ${String(cabinet)} cabinet, not ${ctx.params.marketplace}`);
      const connector = deps.connectors(ctx.connection)[ctx.params.marketplace];
      if (!connector.configured) throw new UpstreamAuthError(`${connector.marketplace}: credentials are not configured`);
      await listingsFirst(ctx, ctx.params.marketplace);
      if (await reconciledRecently(ctx, ctx.params.marketplace, deps.reconcileMs)) {
        ctx.log.debug('pushes bring the orders; the next full poll reconciles');
        await ctx.progress({ idle: true, reconciledWithin: deps.reconcileMs });
        return;
      }
      const asked = ctx.params.kind;
      const kinds: PollKind[] = asked === 'fbo' ? [] : asked ? [asked] : ['orders', 'returns'];
      let moved = 0;
      const seen: { at?: Date } = {};
      for (const kind of kinds) moved += (await pollKind(ctx, connector, kind, deps.poll, seen)).size;
      // FBO stock: shown only, never moves the ledger; an optional part of the poll (fbo-read.ts).
      const fbo =
        connector.fboStocks !== undefined &&
        (asked === 'fbo' || (asked === undefined && (await fboDue(ctx.pool, connector.marketplace, ctx.connection.id, deps.fboEveryMs))));
      if (fbo) await readFboOptional(ctx, connector);
      if (moved > 0) {
        const runIds = await deps.requestPush();
        await awaitPropagation(ctx.pool, 'poll', seen.at ?? new Date(), runIds, deps.metrics);
        ctx.log.info({ products: moved, pushRuns: runIds }, 'stock moved; push requested');
        await ctx.progress({ pushRun: runIds[0], pushRuns: runIds });
      } else {
        // Routine: run lists leave such a scheduled poll out unless asked (`idle=true`).
        ctx.log.debug('nothing moved');
        await ctx.progress({ idle: true });
      }
    },

    'marketplaces.pushed': async (ctx) => {
      const cabinet = ctx.connection.settings.marketplace;
      if (cabinet !== ctx.params.marketplace)
        throw new UnrecoverableError(`connection ${ctx.connection.name} is not a ${ctx.params.marketplace} cabinet`);
      const connector = deps.connectors(ctx.connection)[ctx.params.marketplace];
      if (!connector.configured) throw new UpstreamAuthError(`${connector.marketplace}: credentials are not configured`);
      await listingsFirst(ctx, ctx.params.marketplace);
      const { changed, seenAt, events } = await pollPushed(ctx, connector, deps.poll);
      if (changed.size > 0) {
        const runIds = await deps.requestPush();
        await awaitPropagation(ctx.pool, 'push', seenAt ?? new Date(), runIds, deps.metrics);
        ctx.log.info({ events, products: changed.size, pushRuns: runIds }, 'pushed orders read; stock push requested');
        await ctx.progress({ pushRun: runIds[0], pushRuns: runIds });
      } else {
        ctx.log.debug({ events }, 'pushed orders moved no stock');
        await ctx.progress({ idle: true });
      }
    },

    'marketplaces.push': async (ctx) => {
      const targets = configured(ctx.connection).filter((c) => !ctx.params.marketplace || c.marketplace === ctx.params.marketplace);
      const failures: string[] = [];
      let sent = 0;
      // One marketplace failing (after the client's retries) does not hold the others back.
      for (const connector of targets) {
        try {
          const totals = await pushMarketplace(ctx, connector, deps.pushRetryMs, ctx.connection.id);
          sent += totals.pushed + totals.failed;
        } catch (err) {
          ctx.log.warn({ marketplace: connector.marketplace, err: (err as Error).message }, 'stock push failed');
          failures.push((err as Error).message);
        }
      }
      if (failures.length > 0) throw new UpstreamUnavailableError(`stock push failed: ${failures.join('; ')}`);
      await propagationDone(ctx.pool, ctx.runId, deps.metrics);
      if (sent === 0) await ctx.progress({ idle: true });
    },
  };
}
