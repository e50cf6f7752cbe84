import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Route } from '@datasync/api-kit';

/** Every POST takes it (see `idempotency.ts`). */
const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .describe(
      'Send the request again with the same key within 24 h and get the first answer back (Idempotent-Replayed: true) instead of doing it twice; 409 while the first is in progress, 422 with another body',
    ),
});

/** The OpenAPI document, generated from the same zod schemas the routes validate with. */
export function openApiDocument(routes: Route[], serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  for (const route of routes) {
    registry.registerPath({
      method: route.method,
      path: route.path.replace(/:(\w+)/g, '{$1}'),
      summary: route.summary,
      tags: [route.tag],
      security: [{ apiKey: [] }],
      request: {
        ...(route.query ? { query: route.query } : {}),
        ...(route.params ? { params: route.params } : {}),
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.method === 'post' ? { headers: idempotencyHeader } : {}),
      },
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, r]) => [
          status,
          { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}) },
        ]),
      ),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'DataSync API',
      version: '1.0.0',
      description: 'Start syncs of third-party APIs into PostgreSQL and follow their runs.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
