import type { Request, Response } from 'express';

/** How long a socket whose body was left unread may linger after the answer, so the client reads the answer before the close. */
const LINGER_MS = 1000;

/**
 * When the gateway answers before reading the request's body (401, 403, 413, 415), Node keeps
 * the socket open to drain whatever the client still sends, so a client trickling a body holds
 * it as long as it likes. Such answers say `Connection: close`; once the answer is written our
 * side of the socket is ended, and the socket is destroyed shortly after (a lingering close: an
 * immediate destroy with unread bytes would reset the connection and could lose the answer).
 */
export function closeIfBodyUnread(req: Request, res: Response): void {
  if (req.complete || res.headersSent) return;
  res.setHeader('Connection', 'close');
  res.once('finish', () => {
    const socket = req.socket;
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
