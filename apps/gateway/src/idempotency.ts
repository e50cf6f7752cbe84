import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { canonicalJson } from '@datasync/runs';
import { ApiError, InvalidRequestError, type GatewayDeps, type RouteResult } from '@datasync/api-kit';

/** How long an answer is remembered for its key. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A key whose first request never finished (its gateway died) is free again after this. */
const PENDING_TTL_SECONDS = 300;

interface Remembered {
  state: 'pending' | 'done';
  /** sha256 of the request's parameters, query and body: the same key must come with the same request. */
  fingerprint: string;
  status?: number;
  body?: unknown;
}

/**
 * `Idempotency-Key` on a state-changing POST: a client that did not hear the answer (timeout,
 * dropped connection) sends the request again with the same key and gets the first answer back,
 * `Idempotent-Replayed: true`, instead of a second stock movement or run. Kept in Redis under the
 * deployment's prefix, so every gateway shares it, for 24 h.
 *
 * - same key, same request, first one answered 2xx: that answer again (nothing is done twice);
 * - same key while the first is still being handled: 409 `idempotency_key_in_use`;
 * - same key, another request (other body, path or query): 422 `idempotency_key_reused`;
 * - a first request that failed (4xx/5xx) changed nothing and is not remembered: a retry runs.
 *
 * Keys are per route (method and path): the same key on two routes are two keys.
 */
export async function withIdempotency(
  req: Request,
  deps: GatewayDeps,
  run: () => Promise<RouteResult>,
): Promise<RouteResult & { replayed?: boolean }> {
  const key = req.header('idempotency-key');
  if (key === undefined) return run();
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new InvalidRequestError([
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters (a UUID is a good key)' },
    ]);
  }
  const redisKey = `${deps.settings.redisPrefix}:idempotency:${sha256(`${req.method} ${req.path}\n${key}`)}`;
  const fingerprint = sha256(canonicalJson({ query: req.query, body: req.body ?? null }));
  const pending: Remembered = { state: 'pending', fingerprint };
  const taken = await deps.redis.set(redisKey, JSON.stringify(pending), 'EX', PENDING_TTL_SECONDS, 'NX');
  if (taken !== 'OK') {
    const raw = await deps.redis.get(redisKey);
    const earlier = raw === null ? undefined : (JSON.parse(raw) as Remembered);
    if (!earlier) return withIdempotency(req, deps, run); // expired between the two calls
    if (earlier.fingerprint !== fingerprint) {
      throw new ApiError(
        422,
        'idempotency_key_reused',
        `Idempotency-Key ${key} was already used for another request (other body or query) on this route; use a new key`,
        undefined,
        'unprocessable',
      );
    }
    if (earlier.state === 'pending') {
      throw new ApiError(
        409,
        'idempotency_key_in_use',
        `A request with Idempotency-Key ${key} is still being handled; ask again once it has been answered`,
        undefined,
        'conflict',
      );
    }
    return { status: earlier.status, body: earlier.body, replayed: true };
  }
  let result: RouteResult;
  try {
    result = await run();
  } catch (err) {
    await deps.redis.del(redisKey).catch(() => undefined);
    throw err;
  }
  const status = result.status ?? 200;
  if (status >= 200 && status < 300) {
    const done: Remembered = { state: 'done', fingerprint, status, body: result.body };
    await deps.redis.set(redisKey, JSON.stringify(done), 'EX', IDEMPOTENCY_TTL_SECONDS);
  } else {
    await deps.redis.del(redisKey);
  }
  return result;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
