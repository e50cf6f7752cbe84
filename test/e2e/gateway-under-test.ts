import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, startStack, testEnv, type Stack, type TestDatabase } from '../helpers';

/** A gateway (no worker, no upstream) and its database, for tests of what it answers to wrong requests. */
export interface GatewayUnderTest {
  db: TestDatabase;
  stack: Stack;
  pool: pg.Pool;
  post(path: string, body: unknown): Promise<{ status: number; body: { status: string; errors?: { field: string; message: string }[] } }>;
  /** Sends the request line exactly as given (curl sends a pasted URL's UTF-8 bytes as they are). */
  rawRequest(requestLine: string): Promise<string>;
}

/** Registers the file's beforeAll/afterAll; the returned object is filled in before the first test. */
export function useGateway(): GatewayUnderTest {
  const gw = {
    async post(path: string, body: unknown) {
      const res = await fetch(`${gw.stack.gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { status: string; errors?: { field: string; message: string }[] } };
    },
    rawRequest(requestLine: string) {
      const { port } = new URL(gw.stack.gateway.url);
      return new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let answer = '';
        socket.on('data', (c: Buffer) => (answer += c.toString('utf8')));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
        socket.write(Buffer.from(`${requestLine}\r\nHost: 127.0.0.1\r\n\r\n`, 'utf8'));
      });
    },
  } as GatewayUnderTest;
  beforeAll(async () => {
    gw.db = await createTestDatabase();
    gw.stack = await startStack(testEnv(gw.db.url, 'http://127.0.0.1:9'), { workers: [] });
    gw.pool = new pg.Pool({ connectionString: gw.db.url, max: 2 });
  });
  afterAll(async () => {
    await gw.pool?.end();
    await gw.stack?.close();
    await gw.db?.drop();
  });
  return gw;
}
