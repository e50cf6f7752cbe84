import express, { type NextFunction, type Request, type Response } from 'express';
import type { Fake, FakeContext } from '../fake';
import { Credentials, Users } from './auth';
import { controlRouter } from './control';
import { fail, MESSAGES } from './envelope';
import { RateLimiter } from './rate-limit';
import { apiRouter } from './routes';
import { YclientsState } from './state';

/**
 * The YClients REST API v2 (shared/reference/yclients.md §11). Clients reach it at
 * `http://<sandbox>/yclients/api/v1` (the real `https://api.yclients.com/api/v1`); the same routes
 * also answer without `/api/v1`. Assumptions where the reference is unconfirmed are listed in
 * apps/sandbox/README.md.
 */
export function createYclientsFake(ctx: FakeContext): Fake {
  const state = new YclientsState(ctx.seed);
  // One partner (DataSync), one user per sandbox account, each owning its own companies.
  const users = new Users(ctx.accounts.map((account) => new Credentials(ctx.seed, account)));
  ctx.registry.register('/yclients', (req) => {
    const body = (req.body ?? {}) as { login?: unknown; password?: unknown };
    const user = users.byToken(Credentials.parse(req.header('authorization')).user) ?? users.byLogin(body.login, body.password);
    return user?.account.name;
  });
  const limiter = new RateLimiter();

  ctx.faults.registerPreset('yclients.rate-limit', {
    status: 429,
    body: { success: false, data: null, meta: { message: MESSAGES.rateLimited } },
    headers: { 'Retry-After': '1' },
  });
  ctx.faults.registerPreset('yclients.unauthorized', {
    status: 401,
    body: { success: false, data: null, meta: { message: MESSAGES.badUser } },
  });
  ctx.faults.registerPreset('yclients.forbidden', {
    status: 403,
    body: { success: false, data: null, meta: { message: MESSAGES.forbidden } },
  });
  ctx.faults.registerPreset('yclients.licence', {
    status: 403,
    body: { success: false, data: null, meta: { message: 'Необходимо продлить лицензию в филиале с id: 176275' } },
  });
  ctx.faults.registerPreset('yclients.server-error', {
    status: 500,
    body: { success: false, data: null, meta: { message: 'Внутренняя ошибка сервера' } },
  });

  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  router.use('/_control', controlRouter(state, users, limiter));
  router.use(limiter.middleware());
  const api = apiRouter(state, users);
  router.use('/api/v1', api);
  router.use(api);
  router.use((_req, res) => fail(res, 404, MESSAGES.notFound));
  // A body that is not JSON: 400 in the envelope rather than the sandbox's generic 500.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SyntaxError) return fail(res, 400, MESSAGES.badParameter, { body: ['Некорректный JSON'] });
    next(err);
  });

  const reset = () => {
    state.reset();
    limiter.reset();
    users.reset();
  };
  return { name: 'yclients', prefix: '/yclients', router, reset };
}
