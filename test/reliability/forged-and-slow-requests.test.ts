import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../helpers';
import type { ErrorAnswer } from '@datasync/testkit';
import { runBody, sourceWithRoute } from './sources';

const KEY = 'csrf-key-7c1e9b0d2a4f';
/** A source's own GET route (what a link can reach) and another's POST route, asked for valid params. */
const getSource = sourceWithRoute('GET');
const getRoute = getSource.route(getSource.params(1));
const postSource = sourceWithRoute('POST');
const postRoute = postSource.route(postSource.params(1));

let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let gw: string;

/** Every run the database holds: what a forged request would have left behind. */
const runs = async () => (await pool.query('SELECT source, job_name, params FROM sync_runs ORDER BY created_at')).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  stack = await startStack(testEnv(db.url, sandbox.url, { GATEWAY_API_KEY: KEY, GATEWAY_HOST: '127.0.0.1' }), { workers: [] });
  gw = stack.gateway.url;
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await stack?.close();
  await sandbox?.close();
  await db?.drop();
});

describe('cross-site requests from a browser that holds the key', () => {
  let browser: Browser;
  let attacker: Server;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Another web site (another origin on this machine) the person visits while the key sits in the browser.
    attacker = createServer((req, res) => {
      const hook = encodeURIComponent('http://127.0.0.1:9/internal');
      const pages: Record<string, string> = {
        '/form': `<form id=f method=POST action="${gw}/api/marketplaces/catalog" enctype="text/plain"><input name='{"x":"' value='"}'></form><script>f.submit()</script>`,
        '/link': `<script>location.href = "${gw}${getRoute.path}${getRoute.path.includes('?') ? '&' : '?'}notifyWebhookUrl=${hook}"</script>`,
        '/fetch': `<script>fetch("${gw}/api/runs", {method: "POST", mode: "no-cors", credentials: "include", headers: {"content-type": "text/plain"},
          body: JSON.stringify(${JSON.stringify(runBody(getSource, 1))})}).then(() => document.title = "sent", () => document.title = "sent")</script>`,
      };
      res.writeHead(200, { 'content-type': 'text/html' }).end(pages[req.url!] ?? '');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => attacker?.close(() => resolve()));
  });

  it('refuses a form post, a navigation and a no-cors fetch from another site (403), and no run is made', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'stock', password: KEY } });
    const page = await context.newPage();
    // `localhost` is another site than `127.0.0.1` for the browser.
    const evil = `http://localhost:${(attacker.address() as AddressInfo).port}`;
    const answers: Record<string, number> = {};
    page.on('response', (r) => {
      if (r.url().startsWith(gw)) answers[new URL(r.url()).pathname] = r.status();
    });
    for (const p of ['/form', '/link', '/fetch']) {
      const done = page.waitForResponse((r) => r.url().startsWith(gw));
      await page.goto(`${evil}${p}`);
      await done;
    }
    expect(answers).toEqual({ '/api/marketplaces/catalog': 403, [new URL(getRoute.path, gw).pathname]: 403, '/api/runs': 403 });
    expect(await runs()).toEqual([]);

    // The same browser on the gateway's own stock page: its fetches are same-origin and work.
    await page.goto(`${gw}/stock`);
    const started = await page.evaluate(async () => {
      const res = await fetch('/api/marketplaces/catalog', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return { status: res.status, body: await res.json() };
    });
    expect(started.status).toBe(200);
    expect(await runs()).toEqual([{ source: 'marketplaces', job_name: 'marketplaces.catalog', params: {} }]);
    await context.close();
  });

  it('a link from another site to a page (not the API) still opens it', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'stock', password: KEY } });
    const page = await context.newPage();
    await page.setContent(`<a id=a href="${gw}/docs/">docs</a>`);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('#a')]);
    expect(res?.status()).toBe(200);
    await context.close();
  });
});

describe('cross-site and non-JSON requests without a browser at hand', () => {
  const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${gw}${path}`, { method: init.method ?? 'GET', headers: { 'x-api-key': KEY, ...init.headers }, body: init.body }).then(
      async (r) => ({
        status: r.status,
        body: (await r.json()) as ErrorAnswer,
      }),
    );

  it('refuses what an older browser marks with a foreign Origin, on GET and POST, before anything runs', async () => {
    const before = await runs();
    const foreign = { origin: 'http://evil.example' };
    for (const [path, init] of [
      [getRoute.path, { headers: foreign }],
      ['/api/marketplaces/push', { method: 'POST', headers: { ...foreign, 'content-type': 'application/json' }, body: '{}' }],
      ['/api/runs', { method: 'GET', headers: { origin: 'null' } }],
      [
        postRoute.path,
        {
          method: 'POST',
          headers: { 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
          body: JSON.stringify(postRoute.body),
        },
      ],
    ] as const) {
      const res = await call(path, init);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'cross_site_refused' });
    }
    expect(await runs()).toEqual(before);
    // Its own origin passes.
    expect(
      (await call('/api/marketplaces/push', { method: 'POST', headers: { origin: gw, 'content-type': 'application/json' }, body: '{}' }))
        .status,
    ).toBe(200);
  });

  it('answers 415 to a body that is not JSON, and starts nothing', async () => {
    const before = await runs();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await call('/api/marketplaces/catalog', { method: 'POST', headers: { 'content-type': type }, body: '{}' });
      expect({ type, status: res.status, body: res.body }).toEqual({
        type,
        status: 415,
        body: {
          status: 'unsupported media type',
          error: { code: 'unsupported_media_type', message: 'The request body must be JSON, sent with Content-Type: application/json' },
        },
      });
    }
    expect(await runs()).toEqual(before);
  });
});

describe('slow bodies', () => {
  /** Opens a raw socket, sends headers announcing a body, trickles a few bytes; resolves with what came back once the socket closes. */
  const trickle = (headers: string, type = 'application/json') =>
    new Promise<{ answer: string; closedWhileSending: boolean }>((resolve, reject) => {
      const { port } = new URL(gw);
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      let sending = true;
      let timer: NodeJS.Timeout | undefined;
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ answer, closedWhileSending: sending });
      });
      socket.on('connect', () => {
        socket.write(
          `POST /api/marketplaces/catalog HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n${headers}\r\n{`,
        );
        let sent = 0;
        // One byte every 50 ms, as a slow client would, for far longer than the test waits.
        timer = setInterval(() => {
          if (socket.destroyed) return;
          if (++sent > 2000) {
            sending = false;
            clearInterval(timer);
            reject(new Error('the gateway kept the socket open while the body trickled in'));
            socket.destroy();
          } else socket.write(' ');
        }, 50);
      });
    });

  it('closes the socket after a 401 instead of reading a trickled body', async () => {
    const { answer, closedWhileSending } = await trickle('X-API-Key: wrong\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(closedWhileSending).toBe(true);
  });

  it('closes it after a 403 (cross-site) and a 415 too', async () => {
    const forged = await trickle(`X-API-Key: ${KEY}\r\nOrigin: http://evil.example\r\n`);
    expect(forged.answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(forged.closedWhileSending).toBe(true);
    const plain = await trickle(`X-API-Key: ${KEY}\r\n`, 'text/plain');
    expect(plain.answer).toMatch(/^HTTP\/1\.1 415 /);
    expect(plain.closedWhileSending).toBe(true);
  });
});
