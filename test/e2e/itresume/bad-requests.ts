/** Wrong requests to this source's routes, for gateway-input-errors.test.ts (answered in words, never zod's wording). */
export const badRequests: [path: string, body: unknown][] = [
  ['/api/runs', { source: 'itresume', params: { start: 20260401 } }],
  ['/api/itresume/sync', { start: '2026-04-01' }],
  ['/api/schedules', { source: 'itresume', params: {}, cron: 5 }],
];
