import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@datasync/logger';
import { ApiError, errorBody, InvalidRequestError } from '@datasync/api-kit';

/**
 * Requests Node's HTTP parser refuses before any route runs (raw UTF-8 or spaces in the URL, a
 * header block too large) get a JSON answer like every other error, instead of Node's empty 400.
 * The commonest case is a pasted URL with Cyrillic in it: `curl '…?search=склад'` sends the bytes
 * as they are, and HTTP allows only ASCII there.
 */
export function answerParserErrors(server: Server, log: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The client went away, or a response is already on its way: nothing to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const api = describe(err);
    log.debug({ code: err.code, status: api.status }, 'request refused by the HTTP parser');
    const body = JSON.stringify(errorBody(api));
    socket.end(
      `HTTP/1.1 ${api.status} ${STATUS_CODES[api.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}

function describe(err: NodeJS.ErrnoException): ApiError {
  switch (err.code) {
    case 'HPE_INVALID_URL':
      return new InvalidRequestError(
        [{ field: '(url)', message: 'holds characters that must be percent-encoded (non-ASCII letters, spaces, quotes)' }],
        "The URL holds characters HTTP does not allow as they are: percent-encode them (search=%D1%81%D0%BA%D0%BB%D0%B0%D0%B4 for search=склад), e.g. curl -G --data-urlencode 'search=склад' <url>",
      );
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(431, 'headers_too_large', 'The request headers are too large', undefined, 'bad request');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'request_timeout', 'The request took too long to arrive', undefined, 'bad request');
    default:
      return new InvalidRequestError(
        [{ field: '(request)', message: `is not valid HTTP (${err.code ?? 'parse error'})` }],
        'The request is not valid HTTP: check the URL and headers',
      );
  }
}
