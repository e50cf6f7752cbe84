import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startStack, testEnv, type Stack, type TestDatabase } from '../helpers';

/**
 * What a newcomer sees when a request is wrong: JSON naming each bad field in words (never zod's
 * "Invalid input: expected …"), unknown fields by name, and a URL Node's parser refuses answered
 * like any other 400. Nothing is stored for a refused request.
 */
let db: TestDatabase;
let stack: Stack;
let pool: pg.Pool;

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${stack.gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { status: string; errors?: { field: string; message: string }[] } };
};

/** Sends the request line exactly as given (curl sends a pasted URL's UTF-8 bytes as they are). */
function rawRequest(requestLine: string): Promise<string> {
  const { port } = new URL(stack.gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(Buffer.from(`${requestLine}\r\nHost: 127.0.0.1\r\n\r\n`, 'utf8'));
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  stack = await startStack(testEnv(db.url, 'http://127.0.0.1:9'), { workers: [] });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await stack?.close();
  await db?.drop();
});

describe('input errors a user reads', () => {
  it('answers a URL with raw UTF-8 with a JSON 400 saying to percent-encode', async () => {
    const answer = await rawRequest('GET /api/avito/region?search=склад&locationId=637640 HTTP/1.1');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/content-type: application\/json/i);
    const json = JSON.parse(body!) as { status: string; error: { code: string; message: string } };
    expect(json.status).toBe('bad request');
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.message).toContain('percent-encode');
    expect(json.error.message).toContain('--data-urlencode');
    // The same search percent-encoded is accepted by the same route.
    const ok = await fetch(`${stack.gateway.url}/api/avito/region?search=${encodeURIComponent('склад')}&locationId=637640`);
    expect(ok.status).toBe(200);
  });

  it('names an unknown params field and the missing one in POST /api/runs, storing nothing', async () => {
    const { rowCount } = await pool.query('SELECT 1 FROM sync_runs');
    const res = await post('/api/runs', { source: 'yclients', params: { companyID: 176275 } });
    expect(res.status).toBe(400);
    expect(new Set(res.body.errors)).toEqual(
      new Set([
        { field: 'params.companyID', message: 'is not a known field' },
        { field: 'params.companyId', message: 'is required' },
      ]),
    );
    expect((await pool.query('SELECT 1 FROM sync_runs')).rowCount).toBe(rowCount);
  });

  it('names an unknown params field of a schedule too', async () => {
    const res = await post('/api/schedules', { source: 'yclients', params: { companyID: 1 }, everyMinutes: 60 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'params.companyID', message: 'is not a known field' },
        { field: 'params.companyId', message: 'is required' },
      ]),
    );
    expect((await pool.query('SELECT 1 FROM schedules')).rowCount).toBe(0);
  });

  it('says a number sent as text must be a number', async () => {
    const res = await post('/api/yclients/sync', { companyId: '176275' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'companyId', message: 'must be a number, not text (write 176275 without quotes)' }]);
    const generic = await post('/api/runs', { source: 'yclients', params: { companyId: 'abc' } });
    expect(generic.body.errors).toEqual([{ field: 'params.companyId', message: 'must be a number, not text' }]);
  });

  it("never answers zod's default wording", async () => {
    const bad: [string, unknown][] = [
      ['/api/runs', { source: 'avito', job: 'avito.region', params: { search: 5, locationId: 'x', categoryId: -1 } }],
      ['/api/runs', { source: 'itresume', params: { start: 20260401 } }],
      ['/api/runs', { source: 'nope', params: [] }],
      ['/api/yclients/sync', { companyId: 1.5, notify: { webhookUrl: 'not a url', email: 'nobody' } }],
      ['/api/itresume/sync', { start: '2026-04-01' }],
      ['/api/schedules', { source: 'itresume', params: {}, cron: 5 }],
      ['/api/datawiz/sales', [{ sale_id: 1 }]],
    ];
    for (const [path, body] of bad) {
      const res = await post(path, body);
      expect(res.status, path).toBe(400);
      expect(res.body.errors?.length, path).toBeGreaterThan(0);
      for (const e of res.body.errors!)
        expect(e.message, `${path} ${e.field}`).not.toMatch(/Invalid input|expected \w+, received|Too (small|big)|Unrecognized key/);
    }
  });
});
