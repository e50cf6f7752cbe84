import type { FaultInjector } from '../faults';

/** Named Wildberries answers a fault rule can ask for (`{"kind":"status","preset":"wb.rate-limit"}`). */
export function registerWbPresets(faults: FaultInjector): void {
  faults.registerPreset('wb.rate-limit', {
    status: 429,
    headers: { 'X-Ratelimit-Retry': '2', 'X-Ratelimit-Limit': '20', 'X-Ratelimit-Reset': '29' },
    body: {
      title: 'too many requests',
      detail: 'limited by c122a060-a7fb-4bb4-abb0-32fd4e18d489',
      code: '07e4668e-ac2242d5c8',
      requestId: '9d3c02cc698f8b041c661a7c28bed293',
      origin: 's2s-api-auth-marketplace',
      status: 429,
      statusText: 'Too Many Requests',
      timestamp: '2024-09-30T06:52:38Z',
    },
  });
  faults.registerPreset('wb.unauthorized', {
    status: 401,
    body: {
      title: 'unauthorized',
      detail: 'token expired',
      code: '6f1c2a9e',
      requestId: 'sandbox',
      origin: 's2s-api-auth-marketplace',
      status: 401,
      statusText: 'Unauthorized',
      timestamp: '2024-09-30T06:52:38Z',
    },
  });
  faults.registerPreset('wb.store-processing', {
    status: 409,
    body: [{ code: 'StoreIsProcessing', message: 'Склад обрабатывается, повторите через несколько секунд', data: [] }],
  });
  faults.registerPreset('wb.stocks-blocked', {
    status: 406,
    body: { code: 'StatusNotAcceptable', message: 'Обновление остатков заблокировано в связи с баном поставщика' },
  });
}
