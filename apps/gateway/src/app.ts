import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import swaggerUi from 'swagger-ui-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Logger } from '@datasync/logger';
import { requireApiKey } from './auth';
import { refuseCrossSite } from './cross-site';
import { NotifyQuotaError } from '@datasync/runs';
import { ApiError, errorHandler, InvalidRequestError, NotFoundError, UnsupportedMediaTypeError } from './errors';
import { withIdempotency } from './idempotency';
import type { GatewayMetrics } from './metrics';
import { openApiDocument } from './openapi';
import type { GatewayDeps, Route } from './route';
import { routes } from './routes';

export interface GatewayOptions {
  deps: GatewayDeps;
  log: Logger;
  apiKey?: string;
  bodyLimit: string;
  rateLimitPerMinute: number;
  publicUrl?: string;
  metrics?: GatewayMetrics;
}

/** Where `value` holds a NUL character (PostgreSQL text and jsonb cannot store one), as field paths. */
function nulFields(value: unknown, path: string[] = [], out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path.join('.') || '(request)');
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) out.push([...path, k.replaceAll('\u0000', '\\0')].join('.'));
      nulFields(v, [...path, k], out);
    }
  }
  return out;
}

function mount(app: Express, route: Route, deps: GatewayDeps): void {
  app[route.method](route.path, async (req: Request, res: Response) => {
    const nul = nulFields({ ...req.params, ...(req.query as object), ...(req.body !== null && typeof req.body === 'object' ? req.body : {}) });
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

/** The gateway's Express app: validation, enqueueing, run status, dashboard, docs, health. */
export function createGatewayApp(options: GatewayOptions): Express {
  const { deps, log } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(refuseCrossSite({ publicUrl: options.publicUrl }));
  if (options.apiKey) app.use(requireApiKey(options.apiKey));

  // The dashboard and the docs page need their inline styles; the API gets helmet's full policy.
  app.use(['/admin', '/docs'], helmet({ contentSecurityPolicy: false }));
  app.use(/^\/(?!admin|docs).*/, helmet());
  app.use(
    '/api',
    rateLimit({ windowMs: 60_000, limit: options.rateLimitPerMinute, standardHeaders: 'draft-8', legacyHeaders: false,
      handler: (_req, res) => {
        res.status(429).json({ status: 'too many requests', error: { code: 'rate_limited', message: 'Too many requests; slow down' } });
      },
    }),
  );
  app.use(express.json({ limit: options.bodyLimit }));

  app.get('/ready', async (_req, res) => {
    const status = await deps.ping();
    res.status(status.redis && status.postgres ? 200 : 503).json({ status: status.redis && status.postgres ? 'ready' : 'not ready', ...status });
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

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q)), serverAdapter: board });
  app.use('/admin/queues', board.getRouter());

  // The stock page for a person managing marketplace stock: static HTML + JS over the REST API.
  const web = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');
  app.get('/stock', (_req, res) => {
    res.sendFile(path.join(web, 'stock.html'));
  });
  app.use('/stock', express.static(web, { index: false, fallthrough: true }));

  for (const route of routes) mount(app, route, deps);

  app.use((req, _res, next) => next(new NotFoundError(`no route ${req.method} ${req.path}`)));
  app.use(errorHandler(log));
  return app;
}
