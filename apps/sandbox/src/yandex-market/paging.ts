import type { Request, Response } from 'express';
import { decodeCursor, encodeCursor, toInt } from '../marketplace-params';
import { bad } from './envelope';

/** Every route answers with and without its version prefix (reference §4.1). */
export const both = (version: 'v1' | 'v2' | 'v3', path: string) => [`/${version}${path}`, path];

/** Page over a stable list by opaque token; `page`/`pageSize` (deprecated) also work where allowed. */
export const paging = (
  req: Request,
  res: Response,
  total: number,
  limitMax: number,
  limitDefault: number,
): { offset: number; limit: number } | undefined => {
  const token = req.query.page_token ?? req.query.pageToken;
  const limit = toInt(req.query.limit) ?? limitDefault;
  if (limit < 1 || limit > limitMax) {
    bad(res, `limit must be between 1 and ${limitMax}`);
    return undefined;
  }
  const offset = decodeCursor(token, 'p');
  if (offset === undefined) {
    bad(res, 'Invalid page token');
    return undefined;
  }
  return { offset: Math.min(offset, total), limit };
};
/** The `paging` of an answer: a token for the next page while one is left. */
export const nextToken = (offset: number, limit: number, total: number) =>
  offset + limit < total ? { nextPageToken: encodeCursor(offset + limit, 'p') } : {};
