import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { closeIfBodyUnread } from './close-unread';
import { ApiError, errorBody } from './errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The key from `X-API-Key`, `Authorization: Bearer <key>` (what Prometheus' `authorization`
 * sends), or the password of HTTP basic auth (what a browser sends the dashboard).
 */
function presentedKey(req: Request): string | undefined {
  const header = req.header('x-api-key');
  if (header) return header;
  const bearer = /^Bearer (.+)$/i.exec(req.header('authorization') ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic (.+)$/i.exec(req.header('authorization') ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** Every route but `/health` needs the key; compared in constant time. */
export function requireApiKey(apiKey: string) {
  const expected = digest(apiKey);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path === '/health') return next();
    const key = presentedKey(req);
    if (key !== undefined && timingSafeEqual(digest(key), expected)) return next();
    closeIfBodyUnread(req, res);
    res.setHeader('WWW-Authenticate', 'Basic realm="DataSync", charset="UTF-8"');
    res.status(401).json(errorBody(new ApiError(401, 'unauthorized', 'An API key is required (X-API-Key header or basic auth password)', undefined, 'unauthorized')));
  };
}
