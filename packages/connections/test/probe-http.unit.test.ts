import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRequest } from '../src';

/** A loopback upstream that echoes the credentials it was sent back in its refusal, as a careless API might. */
let server: Server;
let url: string;
const secret = 'tok-9f8e7d6c5b4a';

beforeAll(async () => {
  server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (auth === `Bearer ${secret}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `token ${auth.slice(7)} is not valid` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('probeRequest', () => {
  it('answers ok on 2xx', async () => {
    const result = await probeRequest({
      what: 'fake GET /me',
      url: `${url}/me`,
      headers: { authorization: `Bearer ${secret}` },
      timeoutMs: 2000,
      credentials: { token: secret },
    });
    expect(result).toEqual({ ok: true, detail: 'fake GET /me answered 200' });
  });

  it("answers the upstream's refusal with its status and words, every credential value scrubbed", async () => {
    const wrong = 'tok-wrong-0000';
    const result = await probeRequest({
      what: 'fake GET /me',
      url: `${url}/me`,
      headers: { authorization: `Bearer ${wrong}` },
      timeoutMs: 2000,
      credentials: { token: wrong },
    });
    expect(result).toEqual({ ok: false, status: 401, error: 'fake GET /me answered 401: token [redacted] is not valid' });
  });

  it('answers a refusal without a status when nothing listens', async () => {
    const result = await probeRequest({ what: 'fake GET /me', url: 'http://127.0.0.1:9/me', timeoutMs: 2000, credentials: {} });
    expect(result).toEqual({ ok: false, error: 'fake GET /me: could not connect' });
  });
});
