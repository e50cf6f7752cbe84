import type { Express, NextFunction, Request, Response } from 'express';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';

/**
 * Bull Board's page links Google Fonts; offline (and on a machine that should not call out) that
 * request fails with a console error. Its `<link>`s to other origins are dropped, and the page
 * falls back to its own font stack.
 */
export function withoutExternalLinks(html: string): string {
  return html.replace(/<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>\s*/g, '');
}

/** Renders the board's page through `withoutExternalLinks` (the adapter calls `res.render`). */
function localOnly(_req: Request, res: Response, next: NextFunction): void {
  const render = res.render.bind(res);
  res.render = ((view: string, options?: object) => {
    render(view, options ?? {}, (err: Error | null, html?: string) => {
      if (err) return next(err);
      res.type('html').send(withoutExternalLinks(html ?? ''));
    });
  }) as Response['render'];
  next();
}

/** The queue dashboard at `/admin/queues`: every queue given (the sources' and the ops queues). */
export function mountDashboard(app: Express, queues: Queue[]): void {
  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
  app.use('/admin/queues', localOnly, board.getRouter());
}
