import type { Request, Response } from 'express';

/**
 * When the gateway answers before reading the request's body (401, 403, 413, 415), Node keeps
 * the socket open to drain whatever the client still sends, so a client trickling a body holds
 * it as long as it likes. Such answers say `Connection: close` and the socket is destroyed once
 * the answer is written.
 */
export function closeIfBodyUnread(req: Request, res: Response): void {
  if (req.complete || res.headersSent) return;
  res.setHeader('Connection', 'close');
  res.once('finish', () => req.socket.destroy());
}
