import fc from 'fast-check';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type Route } from '@datasync/gateway';
import { sourceNames as sources } from '@datasync/sources';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';
import type { ErrorAnswer, OpenApiDocument, OpenApiSchema } from '@datasync/testkit';

/**
 * Property-based fuzz of every route of the gateway's registry (so a new route is fuzzed without
 * touching this file), with values generated from its OpenAPI schema: valid ones, wrong types,
 * missing and extra fields, huge numbers and strings, unicode, injection strings. What this proves
 * does not depend on the routes' schemas: never a 5xx, and a 4xx leaves no run row and no job. The
 * schemas only sort the samples: one they accept must get one of the route's documented answers
 * (a 400 only naming a field a check past the schema refused). Whether the schemas themselves are right (valid input accepted, invalid refused by
 * name, big shapes) is gateway-inputs.test.ts, written by hand from README.
 */

const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 80);

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let redis: Redis;
let queues: Queue[];
let doc: OpenApiDocument;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  // No workers: a job that got in stays countable in its queue.
  stack = await startStack(testEnv(db.url, sandbox.url, { GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000', GATEWAY_BODY_LIMIT: '64kb' }), {
    workers: [],
  });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  redis = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
  queues = sources.map((s) => new Queue(s, { connection: redis, prefix: stack.config.REDIS_PREFIX }));
  doc = (await (await fetch(`${stack.gateway.url}/openapi.json`)).json()) as OpenApiDocument;
}, 60_000);
afterAll(async () => {
  await Promise.all((queues ?? []).map((q) => q.close()));
  redis?.disconnect();
  await stack?.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

const INJECTIONS = [
  "' OR '1'='1",
  '1; DROP TABLE sync_runs; --',
  '{"$gt": ""}',
  '<script>alert(1)</script>',
  '${process.exit(1)}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\ud800',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐',
  '🙂🙃'.repeat(40),
  'ـــــــ؟',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '9007199254740993',
  '2026-02-30',
  '',
  ' ',
  'x'.repeat(300),
  'é'.repeat(600),
];

/** Text a URL can carry (no lone surrogates). */
const encodable = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};
/** Strings nobody should send. */
const nastyString = fc
  .oneof(
    fc.constantFrom(...INJECTIONS),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 3 }).map((s) => s.repeat(2000)),
  )
  .filter(encodable);
/** JSON values of every wrong kind. */
const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e308, -1, 0, 2 ** 31, 0.5, -0),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** Values a client that read the schema would send. */
function validOf(schema: OpenApiSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema || typeof schema !== 'object') return fc.jsonValue({ maxDepth: 1 });
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map(validOf));
  switch (schema.type) {
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.max(schema.minimum ?? 1, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validOf(schema.items), { minLength: schema.minItems ?? 1, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      const props = schema.properties ?? {};
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validOf(v)])), {
        requiredKeys: schema.required ?? [],
      });
    }
    case 'string':
    default:
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time')
        return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'date')
        return fc
          .date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
  }
}

/** A field's value: mostly valid, often of the wrong kind. */
const fieldValue = (schema: OpenApiSchema) => fc.oneof({ arbitrary: validOf(schema), weight: 3 }, { arbitrary: nastyJson, weight: 2 });

/** An object's fields, each maybe missing, maybe wrong, plus maybe unknown ones. */
function objectOf(schema: OpenApiSchema | undefined): fc.Arbitrary<Record<string, unknown>> {
  const props = schema?.properties ?? {};
  return fc
    .tuple(
      fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fieldValue(v)])), { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.constantFrom('extra', 'companyID', 'admin', '__proto__', 'start_date', 'id'), nastyJson, { maxKeys: 2 }), {
        freq: 3,
      }),
    )
    .map(([known, extra]) => ({ ...known, ...(extra ?? {}) }));
}

function bodyOf(schema: OpenApiSchema | undefined): fc.Arbitrary<unknown> {
  const union = schema?.anyOf ?? schema?.oneOf;
  const shaped = union
    ? fc.oneof(...union.map((s) => (s.type === 'array' ? fc.array(objectOf(s.items), { maxLength: 3 }) : objectOf(s))))
    : objectOf(schema);
  return fc.oneof({ arbitrary: shaped, weight: 5 }, { arbitrary: nastyJson, weight: 1 });
}

/** Query and path values travel as text. */
const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

interface Sample {
  query: Record<string, string | string[]>;
  params: Record<string, string>;
  body: unknown;
}

function sampleOf(route: Route): fc.Arbitrary<Sample> {
  const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method];
  const parameters = op?.parameters ?? [];
  const textOf = (p: { schema: OpenApiSchema }) =>
    fc.oneof(
      { arbitrary: validOf(p.schema).map(asText), weight: 3 },
      { arbitrary: nastyString, weight: 2 },
      { arbitrary: fc.array(nastyString, { minLength: 2, maxLength: 2 }), weight: 1 },
    );
  const query = fc
    .tuple(
      fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, textOf(p)])), { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.constantFrom('extra', 'limit', 'x'), nastyString, { maxKeys: 1 }), { freq: 4 }),
    )
    .map(([known, extra]) => ({ ...(extra ?? {}), ...known }) as Record<string, string | string[]>);
  const params = fc.record(
    Object.fromEntries(
      parameters
        .filter((p) => p.in === 'path')
        .map((p) => [
          p.name,
          fc.oneof(
            validOf(p.schema).map(asText),
            nastyString.filter((s) => s.length > 0 && s.length < 500),
            fc.string({ minLength: 256, maxLength: 400 }).filter(encodable),
          ),
        ]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  const body = route.method === 'get' ? fc.constant(undefined) : bodyOf(schema);
  return fc.record({ query, params, body });
}

/** What the route's own schemas say about the request, as the handler receives it. */
function acceptable(route: Route, s: Sample): boolean {
  if (route.method !== 'get' && (s.body === null || typeof s.body !== 'object')) return false; // express.json takes objects and arrays only
  const body = s.body === undefined ? undefined : JSON.parse(JSON.stringify(s.body));
  if (route.params && !route.params.safeParse(s.params).success) return false;
  if (route.query && !route.query.safeParse(s.query).success) return false;
  if (route.body && !route.body.safeParse(body ?? {}).success) return false;
  return true;
}

async function jobCount(): Promise<number> {
  let n = 0;
  for (const q of queues) n += Object.values(await q.getJobCounts()).reduce((a, b) => a + b, 0);
  return n;
}
const runCount = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_runs')).rows[0]!.n;

describe('fuzzing every gateway route', () => {
  it('the registry and the OpenAPI document list the same routes', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).sort());
  });

  it.each(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    '%s: never a 5xx; invalid input is a 4xx naming the fields, and queues nothing',
    async (_name, route) => {
      let invalid = 0;
      await fc.assert(
        fc.asyncProperty(sampleOf(route), async (s) => {
          let path = route.path;
          for (const [k, v] of Object.entries(s.params)) path = path.replace(`:${k}`, encodeURIComponent(v));
          const qs = new URLSearchParams();
          for (const [k, v] of Object.entries(s.query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
          const url = `${stack.gateway.url}${path}${qs.size ? `?${qs}` : ''}`;
          // A push receiver (no API key, no schemas: the marketplace's own format) has no invalid input of
          // its own: whatever comes, one of its documented answers (a 403 for a secret that is not the connection's).
          const ok = route.unauthenticated ? true : acceptable(route, s);
          const [runsBefore, jobsBefore] = [await runCount(), await jobCount()];
          const res = await fetch(url, {
            method: route.method.toUpperCase(),
            headers: route.method === 'get' ? {} : { 'content-type': 'application/json' },
            body: route.method === 'get' ? undefined : JSON.stringify(s.body),
          });
          const text = await res.text();
          const what = `${route.method} ${url.slice(0, 200)} ${JSON.stringify(s.body)?.slice(0, 200)} → ${res.status} ${text.slice(0, 200)}`;
          expect(res.status, what).not.toBe(500);
          // A request its schemas accept gets one of the route's documented answers (e.g. 503 when its
          // upstream is not configured, 404 for an id that does not exist when documented); a 400 only
          // from a check past the schema (a NUL character, a source's run id that does not exist), naming the field.
          if (ok) {
            expect(Object.keys(route.responses).map(Number), what).toContain(res.status);
            if (res.status === 400)
              expect(((JSON.parse(text) as ErrorAnswer).errors ?? []).map((e) => e.field).filter(Boolean).length, what).toBeGreaterThan(0);
            return;
          }
          invalid += 1;
          // 431/414: the URL is over Node's header limit, refused before the app.
          expect([400, 404, 413, 414, 431], what).toContain(res.status);
          if (res.status === 400) {
            const body = JSON.parse(text);
            expect(body.errors?.length, text).toBeGreaterThan(0);
            for (const e of body.errors) {
              expect(typeof e.field === 'string' && e.field.length > 0).toBe(true);
              expect(typeof e.message === 'string' && e.message.length > 0).toBe(true);
            }
          }
          expect(await runCount()).toBe(runsBefore);
          expect(await jobCount()).toBe(jobsBefore);
        }),
        { numRuns: RUNS_PER_ROUTE, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
      );
      // The generator really produced invalid requests for a route that takes input (one that takes none ignores unknown query parameters).
      if (route.params || route.query || route.body) expect(invalid).toBeGreaterThan(0);
    },
    120_000,
  );
});
