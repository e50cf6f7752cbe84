import type { FaultInjector } from '../faults';

/** Named Ozon answers a fault rule can ask for (`{"kind":"status","preset":"ozon.rate-limit"}`). */
export function registerOzonPresets(faults: FaultInjector): void {
  faults.registerPreset('ozon.rate-limit', {
    status: 429,
    body: { code: 8, message: 'You have reached request rate limit per second', details: [] },
  });
  faults.registerPreset('ozon.circle-open', { status: 429, body: { code: 8, message: 'Circle is open', details: [] } });
  faults.registerPreset('ozon.invalid-key', {
    status: 404,
    body: { code: 5, message: 'Invalid Api-Key, please check the key and try again', details: [] },
  });
  faults.registerPreset('ozon.key-deactivated', {
    status: 403,
    body: { code: 7, message: 'Api-key is deactivated, use another one or generate a new one', details: [] },
  });
  faults.registerPreset('ozon.internal', { status: 500, body: { code: 13, message: 'Internal error', details: [] } });
}
