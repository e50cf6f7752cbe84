/**
 * What can go wrong talking to an upstream, as the worker needs to know it: whether another try
 * can help. Messages name the method, the path (never the query string, which may hold keys) and
 * the status; never a header or a body that could carry a secret.
 */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** Whether retrying the whole job later may succeed. */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 5xx, timeouts, resets, unreadable bodies, rate limits: still failing after every retry. */
export class UpstreamUnavailableError extends UpstreamError {
  constructor(message: string, status?: number) {
    super(message, 'upstream_unavailable', true, status);
  }
}

/** The upstream refused our credentials, after one fresh login where the source has one. */
export class UpstreamAuthError extends UpstreamError {
  constructor(message: string, status?: number) {
    super(message, 'upstream_auth_failed', false, status);
  }
}

/** The upstream's anti-bot firewall blocked us, still after backing off. */
export class UpstreamBlockedError extends UpstreamError {
  constructor(message: string, status?: number) {
    super(message, 'upstream_blocked', false, status);
  }
}

/** The upstream rejected the request itself (4xx): the same request will fail again. */
export class UpstreamRequestError extends UpstreamError {
  constructor(
    message: string,
    status: number,
    /** The upstream's error body, for callers that report field errors (never logged whole). */
    readonly body?: unknown,
  ) {
    super(message, 'upstream_rejected', false, status);
  }
}

/** The upstream answered something we cannot use (wrong shape), past retries. */
export class UpstreamDataError extends UpstreamError {
  constructor(message: string) {
    super(message, 'upstream_bad_data', true);
  }
}

/** A path with its query string removed: query strings may hold API keys. */
export function safePath(url: string | undefined): string {
  if (!url) return '?';
  const noQuery = url.split('?')[0] ?? url;
  try {
    return new URL(noQuery).pathname;
  } catch {
    return noQuery;
  }
}
