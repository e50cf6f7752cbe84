import type { Request, Response, Router } from 'express';
import { type Body, decodeCursor, encodeCursor, obj, toInt } from '../marketplace-params';
import { RESERVE_STATUSES } from './data';
import { fail, invalid } from './envelope';
import { matchPostings, readFilter, sinceTo, unfulfilledWindow } from './posting-filter';
import { postingJson, type With } from './render';
import type { OzonState } from './state';

const withOf = (body: Body): With => obj(body.with) as With;

/** §2.3 FBS postings: the open ones, those of a period (offset and cursor paging each), one by number. */
export function mountPostingRoutes(router: Router, state: OzonState): void {
  // §2.3.1 open postings, offset paging (deprecated but served).
  router.post('/v3/posting/fbs/unfulfilled/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    const offset = toInt(body.offset) ?? 0;
    if (limit === undefined || limit < 1 || limit > 1000) return invalid(res, 'limit must be between 1 and 1000');
    if (offset < 0) return invalid(res, 'offset must not be negative');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = unfulfilledWindow(f, true);
    if (bad) return invalid(res, bad);
    const found = matchPostings(state.postings, f, RESERVE_STATUSES, body.dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    res.json({ result: { postings: page.map((p) => postingJson(p, 3, withOf(body))), count: found.length } });
  });

  // §2.3.2 open postings, cursor paging.
  router.post('/v4/posting/fbs/unfulfilled/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit) ?? 100;
    if (limit < 1 || limit > 100) return invalid(res, 'limit must be between 1 and 100');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = unfulfilledWindow(f, false);
    if (bad) return invalid(res, bad);
    const found = matchPostings(state.postings, f, RESERVE_STATUSES, body.sort_dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const hasNext = !res.locals.sandboxEmptyPage && offset + limit < found.length;
    res.json({
      postings: page.map((p) => postingJson(p, 4, withOf(body))),
      count: page.length,
      has_next: hasNext,
      cursor: hasNext ? encodeCursor(offset + limit) : '',
    });
  });

  // §2.3.3 postings by period, offset paging, at most 50 a page.
  router.post('/v3/posting/fbs/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    const offset = toInt(body.offset) ?? 0;
    if (limit === undefined || limit < 1 || limit > 50) return invalid(res, 'limit must be between 1 and 50');
    if (offset < 0) return invalid(res, 'offset must not be negative');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = sinceTo(f);
    if (bad) return invalid(res, bad);
    const found = matchPostings(state.postings, f, undefined, body.dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    res.json({
      result: {
        postings: page.map((p) => postingJson(p, 3, withOf(body))),
        has_next: !res.locals.sandboxEmptyPage && offset + limit < found.length,
      },
    });
  });

  // §2.3.4 postings by period, cursor paging.
  router.post('/v4/posting/fbs/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    if (limit === undefined || limit < 1 || limit > 100) return invalid(res, 'limit must be between 1 and 100');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const f = readFilter(body.filter);
    if (typeof f === 'string') return invalid(res, f);
    const bad = sinceTo(f);
    if (bad) return invalid(res, bad);
    const found = matchPostings(state.postings, f, undefined, body.sort_dir);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const hasNext = !res.locals.sandboxEmptyPage && offset + limit < found.length;
    res.json({
      postings: page.map((p) => postingJson(p, 4, withOf(body))),
      has_next: hasNext,
      cursor: hasNext ? encodeCursor(offset + limit) : '',
    });
  });

  // §2.3.5 one posting.
  router.post('/v3/posting/fbs/get', (req: Request, res: Response) => {
    const body = obj(req.body);
    const p = state.postings.find((x) => x.postingNumber === body.posting_number);
    if (!p) return fail(res, 404, 5, 'Posting not found');
    res.json({ result: { ...postingJson(p, 3, withOf(body)), additional_data: [], related_postings: { related_posting_numbers: [] } } });
  });
}
