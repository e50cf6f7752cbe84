import type { NextFunction, Request, Response } from 'express';
import type { OzonCredentials } from './data';
import { fail, invalid } from './envelope';
import type { OzonLimits } from './limits';

/** Auth: both headers on every API call, then the rate limits (control endpoints are free). */
export function apiGuard(limits: OzonLimits, credentials: OzonCredentials) {
  const { settings, window } = limits;
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_control')) return next();
    const clientId = req.header('client-id');
    if (!clientId || !/^\d+$/.test(clientId) || Number(clientId) <= 0) {
      return invalid(res, 'Client-Id header value should be positive integer');
    }
    const apiKey = req.header('api-key');
    if (!apiKey || apiKey !== credentials.apiKey || clientId !== credentials.clientId) {
      return fail(res, 404, 5, 'Invalid Api-Key, please check the key and try again');
    }
    if (settings.enabled) {
      const rule = settings.rule('global');
      const global = window.take(`global:${clientId}`, rule);
      if (!global.ok) return fail(res, 429, 8, 'You have reached request rate limit per second');
      const method =
        req.path === '/v2/products/stocks' ? 'stocks-push' : req.path === '/v1/warehouse/list' ? 'warehouse-list-v1' : undefined;
      if (method && !window.take(`${method}:${clientId}`, settings.rule(method)).ok) {
        return fail(res, 429, 8, 'You have reached request rate limit per second');
      }
    }
    next();
  };
}
