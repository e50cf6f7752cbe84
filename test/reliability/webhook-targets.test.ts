import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, postWebhook, WebhookRefusedError, type Resolver } from '@datasync/notifications';
import type { RunningSandbox } from '@datasync/sandbox';
import {
  createTestDatabase,
  sandboxControl,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  type Stack,
  type TestDatabase,
} from '../helpers';
import type { ErrorAnswer, Submitted } from '@datasync/testkit';
import { runBody, sourceWithRoute, withNotify, type Submit } from './sources';

// Every test here sends traffic to loopback only: private and link-local addresses are only ever
// produced by a stubbed resolver, and refused before any socket exists.

let receiver: Server;
let port: number;
/** Connections and requests the loopback receiver saw: a refusal must leave both at zero. */
const seen = { connections: 0, requests: [] as string[] };

beforeAll(async () => {
  receiver = createServer((req, res) => {
    seen.requests.push(`${req.headers.host}${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  receiver.on('connection', () => (seen.connections += 1));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

/** A resolver answering from a table, recording what it was asked. */
function stubResolver(table: Record<string, LookupAddress[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = ((hostname, callback) => {
    asked.push(hostname);
    const found = table[hostname];
    if (found) callback(null, found);
    else callback(Object.assign(new Error(`stub: no ${hostname}`), { code: 'ENOTFOUND' }), []);
  }) as Resolver & { asked: string[] };
  resolve.asked = asked;
  return resolve;
}

const send = (url: string, options: { allowPrivate?: boolean; resolve?: Resolver } = {}) =>
  postWebhook(url, { event: 'run.done', deliveryId: 'd-1', body: { ok: true } }, { timeoutMs: 5000, ...options });

describe('the address guard of webhook deliveries', () => {
  it('refuses a name that resolves to loopback before connecting, and delivers it only with NOTIFY_ALLOW_PRIVATE', async () => {
    const resolve = stubResolver({ 'hooks.rebound.test': [{ address: '127.0.0.1', family: 4 }] });
    const before = { ...seen, requests: [...seen.requests] };
    await expect(send(`http://hooks.rebound.test:${port}/x`, { resolve })).rejects.toThrow(WebhookRefusedError);
    expect(resolve.asked).toEqual(['hooks.rebound.test']);
    expect(seen).toEqual(before);
    // The same stub, allowed: the connection goes where the stub said, proving the stub is what is used.
    expect(await send(`http://hooks.rebound.test:${port}/x`, { resolve, allowPrivate: true })).toBe(204);
    expect(seen.requests.at(-1)).toBe(`hooks.rebound.test:${port}/x`);
  });

  it('refuses literal loopback addresses and URLs with credentials before connecting', async () => {
    const before = { ...seen, requests: [...seen.requests] };
    for (const url of [
      `http://127.0.0.1:${port}/a`,
      `http://127.9.9.9:${port}/a`,
      `http://[::1]:${port}/a`,
      `http://[::ffff:127.0.0.1]:${port}/a`,
      `http://2130706433:${port}/a`,
    ]) {
      await expect(send(url), url).rejects.toThrow(WebhookRefusedError);
    }
    await expect(send(`http://user:pw@127.0.0.1:${port}/a`, { allowPrivate: true })).rejects.toThrow(/user name or password/);
    expect(seen).toEqual(before);
  });

  it('refuses names resolving to private, link-local (metadata), unique-local and mapped addresses, whatever else they resolve to', async () => {
    const cases: Record<string, string> = {
      'metadata.test': '169.254.169.254',
      'ten.test': '10.1.2.3',
      'corp.test': '172.16.5.4',
      'home.test': '192.168.0.10',
      'cgnat.test': '100.100.100.200',
      'zero.test': '0.0.0.0',
      'ula.test': 'fd00:ec2::254',
      'linklocal6.test': 'fe80::1',
      'mapped.test': '::ffff:169.254.169.254',
    };
    for (const [name, address] of Object.entries(cases)) {
      // The private address second, after a public one: any refused address refuses the name.
      const resolve = stubResolver({
        [name]: [
          { address: '93.184.216.34', family: 4 },
          { address, family: address.includes(':') ? 6 : 4 },
        ],
      });
      const answer = await new Promise<{ err: Error | null; addresses: unknown }>((done) =>
        guardedLookup({ allowPrivate: false, resolve })(name, { all: true }, (err, addresses) => done({ err, addresses })),
      );
      expect(answer.err, name).toBeInstanceOf(WebhookRefusedError);
      expect(answer.err!.message).toMatch(new RegExp(`^${name.replaceAll('.', '\\.')} resolves to a \\w+ address, refused`));
    }
    // A public address alone passes, as given.
    const ok = await new Promise<unknown>((done) =>
      guardedLookup({ allowPrivate: false, resolve: stubResolver({ 'public.test': [{ address: '93.184.216.34', family: 4 }] }) })(
        'public.test',
        { all: true },
        (_e, a) => done(a),
      ),
    );
    expect(ok).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });
});

describe('webhook targets through the gateway (NOTIFY_ALLOW_PRIVATE not set)', () => {
  let db: TestDatabase;
  let sandbox: RunningSandbox;
  let stack: Stack;
  let pool: pg.Pool;
  /** A source whose own route is a GET (the target then comes as a query parameter): its worker runs here. */
  const getSource = sourceWithRoute('GET');
  /** A source whose own route is a POST (the target in its body): no worker of it runs here. */
  const postSource = sourceWithRoute('POST');
  const postRoute = postSource.route(postSource.params(0));
  /** A sync of `getSource` that ends done. */
  let sync: Submit;
  beforeAll(async () => {
    db = await createTestDatabase();
    sandbox = await startTestSandbox();
    const control = sandboxControl(sandbox.url);
    const env = await getSource.env(control, sandbox.url);
    stack = await startStack(testEnv(db.url, sandbox.url, { ...env, NOTIFY_BACKOFF_MS: '100' }), { workers: [getSource.start] });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    sync = (await getSource.prepare(control, pool)).submit;
  });
  afterAll(async () => {
    await pool?.end();
    await stack?.close();
    await sandbox?.close();
    await db?.drop();
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${stack.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as ErrorAnswer };
  };

  it('answers 400 naming the field for literal private addresses and credentials, and stores nothing', async () => {
    const cases: [string, () => Promise<{ status: number; body: ErrorAnswer }>, { field: string; message: string }][] = [
      [
        'loopback',
        () => post('/api/runs', { ...runBody(getSource), notify: { webhookUrl: `http://127.0.0.1:${port}/h` } }),
        { field: 'notify.webhookUrl', message: 'must not point at a loopback address (NOTIFY_ALLOW_PRIVATE is not set)' },
      ],
      [
        'loopback v6, in a query',
        async () => {
          const res = await fetch(`${stack.gateway.url}${withNotify(sync, `http://[::1]:${port}/h`).path}`);
          return { status: res.status, body: (await res.json()) as ErrorAnswer };
        },
        { field: 'notifyWebhookUrl', message: 'must not point at a loopback address (NOTIFY_ALLOW_PRIVATE is not set)' },
      ],
      // No worker of postSource runs here: even if one of these were accepted, nothing would be delivered.
      [
        'metadata',
        () => post(postRoute.path, { ...(postRoute.body as object), notify: { webhookUrl: 'http://169.254.169.254/latest/meta-data/' } }),
        { field: 'notify.webhookUrl', message: 'must not point at a linkLocal address (NOTIFY_ALLOW_PRIVATE is not set)' },
      ],
      [
        'private, on a schedule',
        () => post('/api/schedules', { ...runBody(postSource), everyMinutes: 60, notify: { webhookUrl: 'http://10.0.0.8/hook' } }),
        { field: 'notify.webhookUrl', message: 'must not point at a private address (NOTIFY_ALLOW_PRIVATE is not set)' },
      ],
      [
        'unique-local',
        () => post(postRoute.path, { ...(postRoute.body as object), notify: { webhookUrl: 'http://[fd00:ec2::254]/' } }),
        { field: 'notify.webhookUrl', message: 'must not point at a uniqueLocal address (NOTIFY_ALLOW_PRIVATE is not set)' },
      ],
      [
        'credentials',
        () => post(postRoute.path, { ...(postRoute.body as object), notify: { webhookUrl: 'https://user:secret@hooks.example/x' } }),
        { field: 'notify.webhookUrl', message: 'must not contain a user name or password' },
      ],
    ];
    for (const [what, call, error] of cases) {
      const res = await call();
      expect({ what, status: res.status, errors: res.body.errors }).toEqual({ what, status: 400, errors: [error] });
    }
    expect((await pool.query('SELECT id FROM sync_runs UNION ALL SELECT id FROM schedules')).rows).toEqual([]);
    expect((await pool.query('SELECT * FROM run_notify_targets')).rows).toEqual([]);
  });

  it('a name that resolves to loopback at delivery is refused there, once, and recorded', async () => {
    const before = { ...seen, requests: [...seen.requests] };
    const url = `http://localhost:${port}/late`;
    const res = await fetch(`${stack.gateway.url}${withNotify(sync, url).path}`);
    expect(res.status).toBe(200);
    const runId = ((await res.json()) as Submitted).parser_uuid;
    const row = await waitFor(
      async () => {
        const { rows } = await pool.query(
          'SELECT run_id AS "runId", kind, address, state, attempts, last_error AS "lastError" FROM run_notify_targets',
        );
        return rows[0]?.state !== 'pending' ? rows : undefined;
      },
      { what: 'the target to be settled' },
    );
    expect(row).toEqual([
      {
        runId,
        kind: 'webhook',
        address: url,
        state: 'refused',
        attempts: 1,
        lastError: `webhook to localhost:${port} refused: localhost resolves to a loopback address, refused (NOTIFY_ALLOW_PRIVATE is not set)`,
      },
    ]);
    expect(seen).toEqual(before);
  });
});
