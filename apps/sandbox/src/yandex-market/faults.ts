import type { FaultInjector } from '../faults';

const rateLimitBody = (message: string) => ({ status: 'ERROR', errors: [{ code: 'HIT_RATE_LIMIT', message }] });

/** Named Yandex Market answers a fault rule can ask for (`{"kind":"status","preset":"ym.rate-limit"}`). */
export function registerYmPresets(faults: FaultInjector): void {
  faults.registerPreset('ym.rate-limit', {
    status: 420,
    headers: {
      'X-RateLimit-Resource-Limit': '10000',
      'X-RateLimit-Resource-Remaining': '0',
      'X-RateLimit-Resource-Until': new Date(Date.UTC(2030, 0, 1)).toUTCString(),
    },
    body: rateLimitBody('Hit rate limit of 10000 requests per 1 hour for resource orders'),
  });
  faults.registerPreset('ym.parallel-limit', { status: 420, body: rateLimitBody('Hit rate limit of 2 parallel requests') });
  faults.registerPreset('ym.unauthorized', {
    status: 401,
    body: { status: 'ERROR', errors: [{ code: 'UNAUTHORIZED', message: 'Api-Key token is revoked' }] },
  });
  faults.registerPreset('ym.forbidden', {
    status: 403,
    body: { status: 'ERROR', errors: [{ code: 'FORBIDDEN', message: 'Access denied' }] },
  });
  faults.registerPreset('ym.locked', {
    status: 423,
    body: { status: 'ERROR', errors: [{ code: 'LOCKED', message: 'Business is migrating' }] },
  });
}
