import type { Request, Response } from 'express';
import { queryParam } from './urls';

/** DRF renderers: JSONRenderer (`json`) and the browsable API (`api`, HTML). */
export type Format = 'json' | 'api';
export const RENDERS = ['application/json', 'text/html'];
export const PARSES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * DRF content negotiation: a `.json`/`.api` suffix wins over `?format=`, which wins over `Accept`.
 * An unknown format is a 404; an Accept nothing satisfies, 406 (both answered as JSON).
 */
export function negotiate(req: Request, suffix: string | undefined): Format | 'unknown-format' | 'not-acceptable' {
  const format = suffix ?? queryParam(req, 'format');
  if (format !== undefined) return format === 'json' || format === 'api' ? format : 'unknown-format';
  const accept = req.header('accept');
  if (!accept) return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { type } of ranges) {
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return 'json';
    if (type === 'text/html' || type === 'text/*') return 'api';
  }
  return 'not-acceptable';
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  415: 'Unsupported Media Type',
};

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Sends a DRF response: `Allow` and `Vary: Accept` on every answer, the body in the chosen format. */
export function send(res: Response, format: Format, status: number, body: unknown, view: { name: string; allow: string[] }): void {
  res.status(status);
  res.setHeader('Allow', view.allow.join(', '));
  res.setHeader('Vary', 'Accept');
  if (format === 'json') {
    res.type('application/json').send(JSON.stringify(body));
    return;
  }
  const head = [
    `<b>HTTP ${status} ${STATUS_TEXT[status] ?? ''}</b>`,
    `<b>Allow:</b> <span class="lit">${view.allow.join(', ')}</span>`,
    `<b>Content-Type:</b> <span class="lit">application/json</span>`,
    `<b>Vary:</b> <span class="lit">Accept</span>`,
  ].join('\n');
  res
    .type('text/html')
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escape(view.name)} – Django REST framework</title></head>` +
        `<body><div class="content-main"><h1>${escape(view.name)}</h1><pre class="prettyprint"><span class="meta nocode">${head}\n\n</span>` +
        `${escape(JSON.stringify(body, null, 4))}</pre></div></body></html>`,
    );
}
