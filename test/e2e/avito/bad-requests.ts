/** Wrong requests to this source's routes, for gateway-input-errors.test.ts (answered in words, never zod's wording). */
export const badRequests: [path: string, body: unknown][] = [
  ['/api/runs', { source: 'avito', job: 'avito.region', params: { search: 5, locationId: 'x', categoryId: -1 } }],
];
