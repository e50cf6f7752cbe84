import type { NextFunction, Request, Response } from 'express';
import type { AccountRegistry } from './accounts';

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, unknown>;
  status: number;
  /** Milliseconds from its arrival to its answer (injected latency included), once answered. */
  ms?: number;
  /** What the request counts against its limit when that is not 1 (e.g. a stock push that counts its SKUs); set by the fake. */
  cost?: number;
  /** A JSON request body (e.g. of a search that pages by body), as the fake parsed it. */
  body?: unknown;
  /** The sandbox account whose credentials the request carried (`a`, `b`), when it carried valid ones. */
  account?: string;
}

/**
 * Remembers the requests the fakes served, so tests can assert what a sync asked for (e.g. "an
 * incremental pass makes one request per entity"). Capped; control endpoints are not logged.
 */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  constructor(
    private readonly registry?: AccountRegistry,
    private readonly cap = 200_000,
  ) {}

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (req.path.includes('/_control')) return next();
      const entry: LoggedRequest = {
        at: Date.now(),
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? '/',
        query: { ...req.query },
        status: 0,
      };
      res.on('finish', () => {
        entry.status = res.statusCode;
        entry.ms = Date.now() - entry.at;
        // Resolved once the fake parsed the body (a login in a body names its account).
        const account = this.registry?.of(req);
        if (account !== undefined) entry.account = account;
        if (typeof res.locals.sandboxCost === 'number') entry.cost = res.locals.sandboxCost;
        // Parsed by the fake's own body parser by now; only objects (pages asked by body), not raw text.
        if (req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body) && Object.keys(req.body as object).length > 0) {
          // Credentials (a login body) are not kept.
          entry.body = Object.fromEntries(Object.entries(req.body as object).filter(([k]) => !/password|secret|token|key|login/i.test(k)));
        }
      });
      res.on('close', () => {
        if (entry.status === 0) entry.status = res.writableFinished ? res.statusCode : -1;
      });
      if (this.entries.length >= this.cap) this.entries.shift();
      this.entries.push(entry);
      next();
    };
  }

  list(prefix = '/'): LoggedRequest[] {
    return this.entries.filter((e) => e.path.startsWith(prefix));
  }

  clear(): void {
    this.entries = [];
  }
}
