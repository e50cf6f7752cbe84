import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  spawnGateway,
  spawnWorker,
  startRedisServer,
  startStack,
  waitFor,
  type RedisServer,
  type Stack,
  type WorkerProcess,
} from '../helpers';
import { marketplaceEnv } from '../helpers/marketplaces';
import type { ErrorAnswer } from '@datasync/testkit';
import { allSources, gatewayClient, sourceWithRoute, useBench, withNotify } from './sources';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const API_KEY = 'reliability-key-3f9c2a7e51b04d68';
const WEBHOOK_SECRET = 'whsec-reliability-8d41c0b7e2a95f36';

// A Redis of this file's own, so the leak search can read every key and value on it.
let ownRedis: RedisServer;
// Registered before the bench, so it runs after the bench's own teardown (hooks unwind like a stack).
afterAll(async () => {
  await ownRedis?.close();
});
const t = useBench({
  env: async ({ sandboxUrl }) => {
    ownRedis = await startRedisServer();
    return {
      ...(await marketplaceEnv(sandboxUrl)),
      REDIS_URL: ownRedis.url,
      GATEWAY_API_KEY: API_KEY,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_BODY_LIMIT: '16kb',
      WEBHOOK_SECRET,
      // The webhook receiver of the leak test listens on loopback.
      NOTIFY_ALLOW_PRIVATE: 'true',
      NOTIFY_BACKOFF_MS: '50',
    };
  },
});
const workers: WorkerProcess[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
});

/**
 * Bull Board's state-changing actions (PUT/POST/DELETE), read from the installed @bull-board/api's
 * route table so a new action of an upgrade is probed too, with its path parameters filled in.
 */
function bullBoardActions(queue: string, jobId: string): { method: string; path: string }[] {
  const gatewayRequire = createRequire(path.join(root, 'apps/gateway/package.json'));
  const apiRequire = createRequire(gatewayRequire.resolve('@bull-board/express'));
  const routesFile = path.join(path.dirname(apiRequire.resolve('@bull-board/api')), 'routes.js');
  const text = readFileSync(routesFile, 'utf8');
  const found: { method: string; path: string }[] = [];
  for (const m of text.matchAll(/method:\s*'(put|post|delete|patch)',\s*route:\s*('[^']+'|\[[^\]]+\])/g)) {
    for (const route of m[2]!.match(/'[^']+'/g)!.map((r) => r.slice(1, -1))) {
      const filled = route
        .replace(':queueName', queue)
        .replace(':queueStatus', 'waiting')
        .replace(':jobId', jobId)
        .replace(':schedulerId', 'nightly');
      found.push({ method: m[1]!.toUpperCase(), path: `/admin/queues${filled}` });
    }
  }
  return found;
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: unknown;
}

/** Every path the gateway serves: its Express routes and mounted apps (Bull Board, docs), and the OpenAPI paths. */
async function everyPath(s: Stack): Promise<{ method: string; path: string }[]> {
  // Express 5's router internals (no public type): each layer is a route or a mounted app.
  const app = s.gateway.server.listeners('request')[0] as unknown as { router: { stack: ExpressLayer[] } };
  const found = new Map<string, { method: string; path: string }>();
  const fill = (p: string) => p.replace(/:(\w+)|\{(\w+)\}/g, '00000000-0000-4000-8000-000000000000');
  for (const layer of app.router.stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods))
        found.set(`${method} ${layer.route.path}`, { method, path: fill(String(layer.route.path)) });
    } else if (typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
      found.set(`mount ${layer.rawPath}`, { method: 'get', path: `${layer.rawPath}/` });
    }
  }
  const doc = (await gatewayClient(s.gateway.url, API_KEY).call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json'))
    .body;
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) found.set(`${method} ${p.replace(/\{(\w+)\}/g, ':$1')}`, { method, path: fill(p) });
  }
  // What Bull Board's page calls: the queue list with job data.
  found.set('get /admin/queues/api/queues', { method: 'get', path: '/admin/queues/api/queues' });
  return [...found.values()].filter((p) => p.path !== '/health');
}

describe('who gets in', () => {
  it('with GATEWAY_API_KEY set, every route but /health refuses a request without the key, or with a wrong one', async () => {
    const paths = await everyPath(t.stack);
    // The registry is really enumerated: every API route, the dashboard and the docs are in the list.
    expect(paths.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        // Every source's own sync route.
        ...allSources.map((s) => new URL(s.route(s.params(0)).path, 'http://x').pathname),
        '/api/runs',
        '/admin/queues/',
        '/docs/',
        '/openapi.json',
        '/ready',
        '/metrics',
        '/stock',
      ]),
    );
    expect(paths.length).toBeGreaterThanOrEqual(12);
    const before = await t.pool.query('SELECT count(*)::int AS n FROM sync_runs');
    // The marketplaces' push receivers take no API key (a marketplace cannot send ours): the push
    // secret in their path is checked instead, and without it they refuse too (403, in the marketplace's format).
    const receivers = paths.filter((p) => p.path.startsWith('/api/marketplaces/push/'));
    expect(receivers.map((p) => p.method)).toEqual(['post', 'post']);
    for (const { path: p } of receivers) {
      const res = await fetch(`${t.stack.gateway.url}${p}`, {
        method: 'POST',
        body: '{"message_type":"TYPE_PING","notificationType":"PING"}',
      });
      expect(res.status, p).toBe(403);
    }
    for (const { method, path: p } of paths.filter((x) => !receivers.includes(x))) {
      const attempts: Record<string, string>[] = [
        {},
        { 'x-api-key': 'wrong' },
        { 'x-api-key': `${API_KEY}x` },
        { authorization: `Basic ${Buffer.from(`admin:${API_KEY.slice(0, -1)}`).toString('base64')}` },
        { 'x-api-key': 'k'.repeat(10_000) },
      ];
      for (const headers of attempts) {
        const res = await fetch(`${t.stack.gateway.url}${p}`, {
          method: method.toUpperCase(),
          headers: { ...headers, ...(method === 'get' ? {} : { 'content-type': 'application/json' }) },
          body: method === 'get' ? undefined : JSON.stringify({ companyId: 1, start: '2026-04-01', end: '2026-04-01' }),
        });
        expect(res.status, `${method} ${p} ${JSON.stringify(headers).slice(0, 40)}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      }
    }
    expect((await t.pool.query('SELECT count(*)::int AS n FROM sync_runs')).rows[0].n).toBe(before.rows[0].n);
    expect((await fetch(`${t.stack.gateway.url}/health`)).status).toBe(200);
    // With the key (header, or basic auth password for a browser) the same routes answer.
    const keyed = gatewayClient(t.stack.gateway.url, API_KEY);
    expect((await keyed.call('GET', '/api/runs')).status).toBe(200);
    expect(
      (
        await fetch(`${t.stack.gateway.url}/admin/queues/`, {
          headers: { authorization: `Basic ${Buffer.from(`ops:${API_KEY}`).toString('base64')}` },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses every Bull Board action (PUT/POST/DELETE) without the key, and the queue is left as it was', async () => {
    // A job waiting in a queue (no worker in this process): what an empty, clean, obliterate or pause would touch.
    const keyed = gatewayClient(t.stack.gateway.url, API_KEY);
    // Parameters no other test syncs, so this run stays queued: no worker consumes this prefix.
    const source = allSources[0]!;
    const runId = await keyed.submit(source.route(source.params(424242)));
    const queueName = source.name;
    const actions = bullBoardActions(queueName, runId);
    expect(actions.length).toBeGreaterThanOrEqual(20);
    expect(actions.map((a) => `${a.method} ${a.path}`)).toEqual(
      expect.arrayContaining([
        `PUT /admin/queues/api/queues/${queueName}/empty`,
        `PUT /admin/queues/api/queues/${queueName}/obliterate`,
        'PUT /admin/queues/api/queues/pause',
        `PUT /admin/queues/api/queues/${queueName}/${runId}/retry`,
      ]),
    );
    // Each action with its own method, and with POST and DELETE too (a route that changes method later stays covered).
    const probes = actions.flatMap((a) => [...new Set([a.method, 'POST', 'DELETE'])].map((method) => ({ method, path: a.path })));
    for (const { method, path: p } of probes) {
      for (const headers of [
        {},
        { 'x-api-key': 'wrong' },
        { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
      ] as Record<string, string>[]) {
        const res = await fetch(`${t.stack.gateway.url}${p}`, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          body: method === 'DELETE' ? undefined : '{}',
        });
        expect(res.status, `${method} ${p} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
    // Nothing happened: the job still waits, the queue is not paused.
    const queues = await keyed.call<{ queues: { name: string; isPaused: boolean; jobs: { id: string }[] }[] }>(
      'GET',
      `/admin/queues/api/queues?activeQueue=${queueName}&status=waiting`,
    );
    const queue = queues.body.queues.find((q) => q.name === queueName);
    expect(queue?.isPaused).toBe(false);
    expect(queue?.jobs.map((j) => j.id)).toContain(runId);
    expect((await keyed.run(runId)).state).toBe('queued');
  });
});

describe('limits and headers', () => {
  const keyed = () => gatewayClient(t.stack.gateway.url, API_KEY);

  it('answers 413 to a body over GATEWAY_BODY_LIMIT, and queues nothing', async () => {
    const before = (await t.pool.query('SELECT count(*)::int AS n FROM sync_runs')).rows[0].n;
    const source = sourceWithRoute('POST');
    const route = source.route(source.params(1));
    const res = await keyed().call<ErrorAnswer>('POST', route.path, { ...(route.body as object), pad: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe('payload_too_large');
    expect((await t.pool.query('SELECT count(*)::int AS n FROM sync_runs')).rows[0].n).toBe(before);
  });

  it("sends helmet's security headers on the API and the dashboard", async () => {
    const api = await keyed().call('GET', '/api/runs');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(api.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(api.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(api.headers.get('x-powered-by')).toBeNull();
    const board = await fetch(`${t.stack.gateway.url}/admin/queues/`, { headers: { 'x-api-key': API_KEY } });
    expect(board.headers.get('x-content-type-options')).toBe('nosniff');
    expect(board.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('rate-limits /api per client with 429 and RateLimit headers, while /health keeps answering', async () => {
    const limited = await startStack(
      { ...t.env, GATEWAY_RATE_LIMIT_PER_MINUTE: '15', REDIS_PREFIX: `${t.env.REDIS_PREFIX}-rl` },
      { workers: [] },
    );
    try {
      const client = gatewayClient(limited.gateway.url, API_KEY);
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await client.call('GET', '/api/runs?limit=1')).status);
      expect(statuses.slice(0, 15).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(15).every((s) => s === 429)).toBe(true);
      const last = await client.call<ErrorAnswer>('GET', '/api/runs?limit=1');
      expect(last.body.error?.code).toBe('rate_limited');
      expect(last.headers.get('ratelimit-policy') ?? last.headers.get('ratelimit')).toBeTruthy();
      expect((await fetch(`${limited.gateway.url}/health`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

/** Every key of the server with its whole value, as text (the file's own Redis: nothing else is on it). */
async function dumpRedis(url: string): Promise<string> {
  const redis = new Redis(url);
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let value: unknown;
        if (type === 'string') value = await redis.get(key);
        else if (type === 'hash') value = await redis.hgetall(key);
        else if (type === 'list') value = await redis.lrange(key, 0, -1);
        else if (type === 'set') value = await redis.smembers(key);
        else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
        else if (type === 'stream') value = await redis.xrange(key, '-', '+');
        else value = `(${type})`;
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out.join('\n');
}

/** Every row of every table of the database, as JSON text: every text and json column, whatever the table. */
async function dumpDatabase(pool: Pick<pg.Pool, 'query'>): Promise<{ text: string; tables: string[] }> {
  const tables = (
    await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    )
  ).rows.map((r) => r.table_name);
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await pool.query<{ t: string }>(`SELECT row_to_json(x)::text AS t FROM "${table}" x`);
    parts.push(...rows.map((r) => `${table} ${r.t}`));
  }
  return { text: parts.join('\n'), tables };
}

/** A webhook receiver on loopback: every request's headers and body. */
async function startWebhookReceiver() {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('credentials never leak', () => {
  it('after successful and auth-failed runs of every source, with signed webhooks, no credential, API key or webhook secret is in worker or gateway logs, Redis, any table, errors or answers', async () => {
    const secrets = [
      ...allSources.flatMap((s) => s.secrets(t.env)),
      // What the upstreams issue to a run (a user token, say).
      ...(await Promise.all(allSources.map((s) => s.issuedSecrets?.(t.control) ?? []))).flat(),
      t.env.OZON_API_KEY!,
      t.env.WB_TOKEN!,
      t.env.YM_API_KEY!,
      API_KEY,
      WEBHOOK_SECRET,
      // The key as a browser sends it.
      Buffer.from(`ops:${API_KEY}`).toString('base64'),
    ];
    expect(secrets.every((s) => typeof s === 'string' && s.length >= 6)).toBe(true);
    // Processes of their own (own prefix, so the in-process gateway's consumers stay out), logging at debug.
    const env = { ...t.env, REDIS_PREFIX: `${t.env.REDIS_PREFIX}-leak` };
    // The gateway first: six processes compiling at once on a busy machine can take it past its start-up wait.
    const gateway = await spawnGateway(env, { logLevel: 'debug' });
    workers.push(gateway);
    for (const app of [...allSources.map((s) => s.app), 'worker-marketplaces' as const])
      workers.push(spawnWorker(app, env, { logLevel: 'debug' }));
    const hook = await startWebhookReceiver();
    const api = gatewayClient(gateway.url, API_KEY);

    try {
      const runIds: string[] = [];
      for (const s of allSources) runIds.push(await api.submit(withNotify((await s.prepare(t.control, t.pool)).submit, hook.url)));
      // Marketplaces: the catalog read from all three, then a poll of each.
      const catalog = await api.submit({ method: 'POST', path: '/api/marketplaces/catalog', body: {} });
      expect((await api.finished(catalog)).state).toBe('done');
      runIds.push(catalog);
      for (const marketplace of ['ozon', 'wb', 'ym'])
        runIds.push(await api.submit({ method: 'POST', path: '/api/marketplaces/poll', body: { marketplace } }));
      // The key also arrives the way a browser sends it (basic auth).
      const basic = await fetch(`${gateway.url}/api/runs?limit=1`, {
        headers: { authorization: `Basic ${Buffer.from(`ops:${API_KEY}`).toString('base64')}` },
      });
      expect(basic.status).toBe(200);
      const ok = await Promise.all(runIds.map((id) => api.finished(id)));
      expect(ok.map((r) => r.state)).toEqual(runIds.map(() => 'done'));

      // Refused credentials: on the data requests, and where a source has more (a token grant, whose body carries the secret).
      await t.control.addFault(
        [...allSources.map((s) => s.dataPath), '/ozon/', '/wb/', '/ym/'].map((path) => ({ path, kind: 'status', status: 401 })),
      );
      for (const s of allSources) await s.refuseCredentials?.(t.control);
      const failedIds: string[] = [];
      for (const s of allSources) failedIds.push(await api.submit(withNotify((await s.prepare(t.control, t.pool)).submit, hook.url)));
      for (const marketplace of ['ozon', 'wb', 'ym'])
        failedIds.push(await api.submit({ method: 'POST', path: '/api/marketplaces/poll', body: { marketplace } }));
      const failed = await Promise.all(failedIds.map((id) => api.finished(id)));
      await t.control.clearFaults();
      expect(failed.map((r) => r.state)).toEqual(failedIds.map(() => 'failed'));

      // The webhook secret was really used: every notified run's summary arrived, signed with it.
      const notified = [...runIds.slice(0, allSources.length), ...failedIds.slice(0, allSources.length)];
      await waitFor(() => (notified.every((id) => hook.received.some((r) => r.body.includes(id))) ? true : undefined), {
        what: 'every run summary delivered',
        timeoutMs: 30_000,
      }).catch((err: Error) => {
        throw new Error(
          `${err.message}: missing ${notified.filter((id) => !hook.received.some((r) => r.body.includes(id))).join(', ')} of ${notified.join(', ')}`,
        );
      });
      for (const r of hook.received) {
        const ts = String(r.headers['x-datasync-timestamp']);
        expect(r.headers['x-datasync-signature']).toBe(
          `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${ts}.${r.body}`).digest('hex')}`,
        );
      }

      const database = await dumpDatabase(t.pool);
      const corpora: Record<string, string> = {
        'worker logs': workers
          .filter((w) => w !== gateway)
          .map((w) => w.output())
          .join('\n'),
        'gateway log': gateway.output(),
        redis: await dumpRedis(t.env.REDIS_URL!),
        database: database.text,
        webhooks: hook.received.map((r) => `${JSON.stringify(r.headers)} ${r.body}`).join('\n'),
        answers: [
          (await api.call('GET', '/api/runs?limit=100')).text,
          ...(await Promise.all([...runIds, ...failedIds].map(async (id) => (await api.call('GET', `/api/runs/${id}`)).text))),
          // Each run's own log lines, as the API serves them.
          ...(await Promise.all([...runIds, ...failedIds].map(async (id) => (await api.call('GET', `/api/runs/${id}/log`)).text))),
          // Every source's queue as the dashboard shows it, failed and completed jobs with their data.
          ...(await Promise.all(
            allSources.flatMap((s) =>
              ['failed', 'completed'].map(
                async (status) => (await api.call('GET', `/admin/queues/api/queues?activeQueue=${s.name}&status=${status}`)).text,
              ),
            ),
          )),
        ].join('\n'),
      };
      // The corpora hold what a leak would be in: run starts and failures, requests, job data, errors, every table.
      expect(corpora['worker logs']).toContain('run failed');
      expect(corpora['worker logs']).toContain('"upstream request"');
      expect(corpora['gateway log']).toContain(failedIds[0]);
      expect(corpora.redis).toContain(failedIds[0]);
      expect(corpora.redis).toContain(`${env.REDIS_PREFIX}:`);
      expect(database.tables).toEqual(expect.arrayContaining(['sync_runs', ...allSources.flatMap((s) => s.tables)]));
      expect(corpora.database).toContain('401');
      expect(corpora.answers).toContain(failedIds[2]);
      for (const [where, text] of Object.entries(corpora)) {
        for (const secret of secrets) expect(text.includes(secret), `a credential (${secret.slice(0, 2)}…) in ${where}`).toBe(false);
      }
    } finally {
      await hook.close();
    }
  }, 150_000);
});

describe('several deployments on one Redis', () => {
  let redis: RedisServer;
  afterAll(async () => {
    await redis?.close();
  });

  it('two stacks with different REDIS_PREFIX never see each other’s jobs, and every key carries its prefix', async () => {
    redis = await startRedisServer();
    const otherDb = await createTestDatabase();
    // A source with several different syncs: one for each deployment.
    const counts = await Promise.all(allSources.map((s) => s.syncs.count(t.control)));
    const source = allSources[counts.findIndex((n) => n >= 4)]!;
    const a = await startStack(
      { ...t.env, REDIS_URL: redis.url, REDIS_PREFIX: 'deploy-a', GATEWAY_API_KEY: '' },
      { workers: [source.start] },
    );
    const b = await startStack(
      { ...t.env, DATABASE_URL: otherDb.url, REDIS_URL: redis.url, REDIS_PREFIX: 'deploy-b', GATEWAY_API_KEY: '' },
      { workers: [] },
    );
    try {
      const { submits } = await source.syncs.make(t.control, t.pool);
      expect(submits.length).toBeGreaterThanOrEqual(4);
      const apiA = gatewayClient(a.gateway.url);
      const apiB = gatewayClient(b.gateway.url);
      const inB = await apiB.submit(submits[1]!);
      const inA = await apiA.submit(submits[3]!);
      expect((await apiA.finished(inA)).state).toBe('done');
      // B has no worker: A's worker, on the same Redis, never took B's job.
      await new Promise((r) => setTimeout(r, 500));
      expect((await apiB.run(inB)).state).toBe('queued');
      const client = new Redis(redis.url);
      try {
        const keys = await client.keys('*');
        expect(keys.some((k) => k.startsWith('deploy-a:'))).toBe(true);
        expect(keys.some((k) => k.startsWith('deploy-b:') && k.includes(inB))).toBe(true);
        expect(keys.filter((k) => !k.startsWith('deploy-a:') && !k.startsWith('deploy-b:'))).toEqual([]);
        expect(keys.filter((k) => k.startsWith('deploy-a:') && k.includes(inB))).toEqual([]);
      } finally {
        client.disconnect();
      }
      // Once B runs a worker, its own job is done by it.
      const bWorker = await source.start(b.config, (await import('@datasync/logger')).createLogger({ name: 'b', level: 'silent' }));
      try {
        await waitFor(async () => ((await apiB.run(inB)).state === 'done' ? true : undefined), { what: 'B to run its own job' });
      } finally {
        await bWorker.close();
      }
    } finally {
      await a.close();
      await b.close();
      await otherDb.drop();
    }
  });
});
