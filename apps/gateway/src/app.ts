import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { rateLimit } from 'express-rate-limit';
import swaggerUi from 'swagger-ui-express';
import type { Queue } from 'bullmq';
import type { Logger } from '@datasync/logger';
import type { Cluster, Redis } from 'ioredis';
import { requireApiKey } from './auth';
import { closeIfBodyUnread } from './close-unread';
import { mountDashboard } from './dashboard';
import { boundsViolation, nulFields, type JsonBounds } from './json-bounds';
import {
  ApiError,
  InvalidRequestError,
  NotFoundError,
  UnsupportedMediaTypeError,
  userMessage,
  type GatewayDeps,
  type Route,
} from '@datasync/api-kit';
import { refuseCrossSite } from './cross-site';
import { NotifyQuotaError } from '@datasync/runs';
import { errorHandler } from './error-handler';
import { withIdempotency } from './idempotency';
import type { GatewayMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { RedisWindowStore } from './rate-limit-store';
import { routes } from './routes';

export interface GatewayOptions {
  deps: GatewayDeps;
  log: Logger;
  apiKey?: string;
  bodyLimit: string;
  /** Depth, list length and string length a JSON body may have (checked before any validation). */
  jsonBounds: JsonBounds;
  rateLimitPerMinute: number;
  /** Wrong API keys a client may present a minute (GATEWAY_AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute: number;
  /** GATEWAY_TRUST_PROXY: the proxies whose X-Forwarded-For is believed; unset, none. */
  trustProxy?: string;
  /** Where the rate limiters count (shared by every gateway of the deployment), under `<REDIS_PREFIX>:gateway:`. */
  limiter: { redis: Redis | Cluster; prefix: string };
  publicUrl?: string;
  metrics?: GatewayMetrics;
  /** Queues Bull Board shows besides the sources' (`schedules`, `notifications`). */
  opsQueues?: Queue[];
  /** True once the gateway is stopping (SIGTERM): `/ready` answers 503 from then on. */
  draining?: () => boolean;
}

function mount(app: Express, route: Route, deps: GatewayDeps): void {
  app[route.method](route.path, async (req: Request, res: Response) => {
    const nul = nulFields({
      ...req.params,
      ...(req.query as object),
      ...(req.body !== null && typeof req.body === 'object' ? req.body : {}),
    });
    if (nul.length) throw new InvalidRequestError(nul.map((field) => ({ field, message: 'must not contain a NUL character' })));
    // A form can post text/plain or urlencoded bodies across sites; only JSON is read, never `{}` in its place.
    if (route.body && req.is(['application/json', '+json']) === false) throw new UnsupportedMediaTypeError();
    const handle = () =>
      route.handle({ query: req.query, params: req.params as Record<string, string>, body: req.body }, deps).catch((err: unknown) => {
        if (err instanceof NotifyQuotaError) throw new ApiError(err.status, err.code, err.message, undefined, 'too many targets');
        throw err;
      });
    const result = route.method === 'post' ? await withIdempotency(req, deps, handle) : await handle();
    if ('replayed' in result && result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status ?? 200).json(result.body);
  });
}

/**
 * Reads at most `limit` bytes of the body; past it, stops (the answer closes the connection) and
 * says so: a route that parses bodies itself never holds more than its limit in memory.
 */
function readBounded(req: Request, limit: number): Promise<{ body?: Buffer; tooLarge: boolean }> {
  if (Number(req.header('content-length') ?? 0) > limit) return Promise.resolve({ tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: false }));
    req.once('error', reject);
  });
}

/** An `unauthenticated` route: no API key, no JSON parser, its body raw and bounded, its answers its own. */
function mountUnauthenticated(app: Express, route: Route & { unauthenticated: { rawBodyLimit: number } }, deps: GatewayDeps): void {
  app[route.method](route.path, async (req: Request, res: Response) => {
    // Never to the error handler: it logs the path, and these paths hold a secret.
    const read = await readBounded(req, route.unauthenticated.rawBodyLimit).catch(() => undefined);
    if (!read) {
      if (!res.headersSent) res.status(400).json({ error: 'the request body could not be read' });
      return;
    }
    const { body, tooLarge } = read;
    if (tooLarge) closeIfBodyUnread(req, res);
    const result = await route.handle(
      {
        query: req.query,
        params: req.params as Record<string, string>,
        body: undefined,
        rawBody: body,
        bodyTooLarge: tooLarge,
        ip: req.ip,
      },
      deps,
    );
    res.status(result.status ?? 200).json(result.body);
  });
}

/** The gateway's Express app: validation, enqueueing, run status, dashboard, docs, health. */
export function createGatewayApp(options: GatewayOptions): Express {
  const { deps, log } = options;
  // Words a user reads in every validation error of this process, nested parses included (a
  // schedule's job parameters); a schema's own message still wins.
  z.config({ customError: userMessage });
  const app = express();
  app.disable('x-powered-by');
  // A client is its TCP peer unless the peer is a configured proxy: a forged X-Forwarded-For from
  // anyone else must not give a client a fresh rate-limit bucket.
  app.set('trust proxy', options.trustProxy ?? false);
  app.set('query parser', 'simple');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(refuseCrossSite({ publicUrl: options.publicUrl }));
  // Marketplaces push events without our API key (they authenticate with a secret in the path), in
  // bursts, with bodies the route parses itself: served before the key check, the limiter and the JSON parser.
  for (const route of routes)
    if (route.unauthenticated) mountUnauthenticated(app, { ...route, unauthenticated: route.unauthenticated }, deps);
  const keys = `${options.limiter.prefix}:gateway:`;
  if (options.apiKey) {
    // Wrong keys are counted before anything else answers, so guessing is limited too.
    const failures = new RedisWindowStore(options.limiter.redis, `${keys}auth-failures:`);
    failures.windowMs = 60_000;
    app.use(requireApiKey(options.apiKey, { store: failures, limit: options.authFailuresPerMinute, log }));
  }

  // The dashboard and the docs page need their inline styles; the API gets helmet's full policy.
  app.use(['/admin', '/docs'], helmet({ contentSecurityPolicy: false }));
  app.use(/^\/(?!admin|docs).*/, helmet());
  app.use(
    '/api',
    rateLimit({
      windowMs: 60_000,
      limit: options.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: new RedisWindowStore(options.limiter.redis, `${keys}rate:`),
      // Redis unreachable: serve unthrottled rather than refuse everyone (the API needs Redis anyway).
      passOnStoreError: true,
      logger: {
        error: (err, message) => log.warn({ err: err instanceof Error ? err.message : String(err) }, message ?? 'rate limiter error'),
        warn: (err, message) => log.warn({ err: err instanceof Error ? err.message : String(err) }, message ?? 'rate limiter warning'),
      },
      // X-Forwarded-For from a peer that is not a configured proxy is ignored on purpose.
      validate: { xForwardedForHeader: false },
      handler: (_req, res) => {
        res.status(429).json({ status: 'too many requests', error: { code: 'rate_limited', message: 'Too many requests; slow down' } });
      },
    }),
  );
  app.use(express.json({ limit: options.bodyLimit }));
  // Before zod, the NUL check or anything else walks the body: a body nested thousands deep or with
  // a million-item list is a 400 naming the field, not a stack overflow or a minute of CPU.
  app.use((req, _res, next) => {
    const violation = boundsViolation(req.body, options.jsonBounds);
    next(violation ? new InvalidRequestError([violation], 'The request body is nested too deeply or holds too much') : undefined);
  });

  app.get('/ready', async (_req, res) => {
    if (options.draining?.()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const status = await deps.ping();
    res
      .status(status.redis && status.postgres ? 200 : 503)
      .json({ status: status.redis && status.postgres ? 'ready' : 'not ready', ...status });
  });

  // Behind the API key like everything but /health: queue names and counts are not public.
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics.scrape();
      res.setHeader('content-type', contentType);
      res.send(body);
    });
  }

  const document = openApiDocument(routes, options.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));

  mountDashboard(app, [...deps.queues.all(), ...(options.opsQueues ?? [])]);

  // The stock page for a person managing marketplace stock: static HTML, CSS and JS modules over the
  // REST API, all served from here (the page loads nothing from anywhere else).
  const stockPage = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web', 'stock');
  app.get('/stock', (_req, res) => {
    res.sendFile(path.join(stockPage, 'index.html'));
  });
  app.use('/stock', express.static(stockPage, { index: false, fallthrough: true }));

  for (const route of routes) if (!route.unauthenticated) mount(app, route, deps);

  app.use((req, _res, next) => next(new NotFoundError(`no route ${req.method} ${req.path}`)));
  app.use(errorHandler(log));
  return app;
}
