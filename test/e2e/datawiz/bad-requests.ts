/** Wrong requests to this source's routes, for gateway-input-errors.test.ts (answered in words, never zod's wording). */
export const badRequests: [path: string, body: unknown][] = [['/api/datawiz/sales', [{ sale_id: 1 }]]];
