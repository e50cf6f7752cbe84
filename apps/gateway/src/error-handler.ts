import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@datasync/logger';
import { QueueUnavailableError, QuotaExceededError, RunStoreUnavailableError, UnknownConnectionError } from '@datasync/runs';
import { ConnectionError } from '@datasync/connections';
import { ApiError, errorBody, InvalidRequestError } from '@datasync/api-kit';
import { closeIfBodyUnread } from './close-unread';

const STATUS_TEXT: Record<number, string> = { 404: 'not found', 409: 'conflict', 500: 'error', 503: 'unavailable' };

/** Express's last handler: every error becomes JSON; nothing unexpected leaks its details. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let api: ApiError;
    if (err instanceof ApiError) api = err;
    else if (err instanceof ConnectionError) api = new ApiError(err.status, err.code, err.message, undefined, STATUS_TEXT[err.status]);
    else if (err instanceof QuotaExceededError) api = new ApiError(429, err.code, err.message, undefined, 'too many requests');
    // Not a field the route's schema can check: whether the connection exists (and is the source's) is known at submit.
    else if (err instanceof UnknownConnectionError)
      api = new InvalidRequestError([{ field: err.field, message: err.message }], `${err.field} is not a connection of ${err.source}`);
    // Nothing was stored or queued (a batch's transaction failed, or its jobs could not be added): a retry may work.
    else if (err instanceof RunStoreUnavailableError || err instanceof QueueUnavailableError) {
      log.error({ err, method: req.method, path: req.path }, 'run not started');
      api = new ApiError(503, err.code, err.message, undefined, 'unavailable');
    } else if (isBodyParserError(err)) {
      api =
        err.type === 'entity.too.large'
          ? new ApiError(413, 'payload_too_large', 'The request body is too large')
          : new InvalidRequestError([{ field: '(body)', message: 'is not valid JSON' }], 'The request body is not valid JSON');
    } else {
      log.error({ err, method: req.method, path: req.path }, 'unhandled error');
      api = new ApiError(500, 'internal_error', 'Something went wrong on our side');
    }
    if (res.headersSent) return;
    closeIfBodyUnread(req, res);
    res.status(api.status).json(errorBody(api));
  };
}

function isBodyParserError(err: unknown): err is { type: string; status: number } {
  return typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string' && 'status' in err;
}
