/** Wrong requests to this source's routes, for gateway-input-errors.test.ts (answered in words, never zod's wording). */
export const badRequests: [path: string, body: unknown][] = [
  ['/api/yclients/sync', { companyId: 1.5, notify: { webhookUrl: 'not a url', email: 'nobody' } }],
];
