import type { Logger } from '@datasync/logger';

/** Errors of a Redis that is down or restarting: ioredis reconnects by itself, BullMQ carries on after. */
const CONNECTION =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|Stream isn't writeable|LOADING/;

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return CONNECTION.test(`${String(e?.code ?? '')} ${String(e?.message ?? '')}`);
}

/** One `warn` per outage and component, at most every this often; the repeats at `debug`. */
const REPEAT_MS = 30_000;

/**
 * The `error` listener of a BullMQ Queue or Worker, or an ioredis connection. Without one, BullMQ
 * prints every failed reconnect as a stack trace on stderr. A connection error — expected while
 * Redis restarts — is one warning line (`what`: which part noticed), repeats are debug; anything
 * else is an error line. With no logger, connection errors are dropped (another part reports them)
 * and others go to stderr as one line.
 */
export function onRedisError(log: Logger | undefined, what: string): (err: Error) => void {
  let warnedAt = 0;
  return (err) => {
    if (isConnectionError(err)) {
      const now = Date.now();
      if (now - warnedAt >= REPEAT_MS) {
        warnedAt = now;
        log?.warn({ err: err.message }, `${what}: Redis is unreachable; reconnecting`);
      } else log?.debug({ err: err.message }, `${what}: Redis still unreachable`);
      return;
    }
    if (log) log.error({ err: err.message }, `${what} error`);
    else console.error(`${what} error: ${err.message}`);
  };
}
