import type { NextFunction, Request, Response } from 'express';
import { ApiError, errorBody } from '@datasync/api-kit';
import { closeIfBodyUnread } from './close-unread';

/**
 * Refuses requests a browser makes on behalf of another site (cross-site request forgery): once a
 * person typed the key into the browser's basic-auth prompt, or with no key on 127.0.0.1, any page
 * they visit could otherwise start runs or change stock through their browser.
 *
 * - `Sec-Fetch-Site` (every current browser sends it): only `same-origin` (the stock page's own
 *   fetches, the dashboard, the docs) and `none` (typed in the address bar, a bookmark) pass;
 *   `same-site` is refused too, since every port of one host is the same site.
 * - Older browsers: an `Origin` header must name this gateway (its Host, or `PUBLIC_URL`).
 * - Neither header: not a browser (curl, the CLI, Prometheus), nothing to forge.
 *
 * One exception: a top-level GET navigation from a link on another site to a page (not `/api/…`,
 * not Bull Board's `…/api/…`) passes, so links to `/docs`, `/stock` or the dashboard work; a
 * navigation shows the page to the person and starts nothing.
 */
export function refuseCrossSite(options: { publicUrl?: string } = {}) {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const site = req.header('sec-fetch-site');
    const origin = req.header('origin');
    if (site !== undefined ? allowedSite(req, site) : origin === undefined || sameOrigin(req, origin, publicOrigin)) return next();
    closeIfBodyUnread(req, res);
    res
      .status(403)
      .json(
        errorBody(
          new ApiError(
            403,
            'cross_site_refused',
            "Cross-site requests are refused: call the API from this gateway's own pages or from outside a browser",
            undefined,
            'forbidden',
          ),
        ),
      );
  };
}

function allowedSite(req: Request, site: string): boolean {
  if (site === 'same-origin' || site === 'none') return true;
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    req.header('sec-fetch-mode') === 'navigate' &&
    req.header('sec-fetch-dest') === 'document' &&
    !/(^|\/)api(\/|$)/.test(req.path)
  );
}

function sameOrigin(req: Request, origin: string, publicOrigin: string | undefined): boolean {
  if (publicOrigin !== undefined && origin === publicOrigin) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === req.header('host');
  } catch {
    return false; // "null" (sandboxed frames, file: pages) or garbage
  }
}
