import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startTestSandbox, testEnv, type TestDatabase } from '../../helpers';
import { connectionsTable, keyRing, leaked, newKey, pgDump, redisDump, sandboxCredentials, startGateway, type Gateway } from './harness';

/**
 * The connections API against a real gateway process (logging at debug), Postgres and the sandbox:
 * round trips, the upstream test, the audit, refusals that store nothing, the 503 without a key
 * ring, and no credential in clear in any answer, log line, Redis key or `pg_dump`.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let pool: pg.Pool;
let gateway: Gateway;
let env: Record<string, string>;
let creds: Awaited<ReturnType<typeof sandboxCredentials>>;
/** Every credential string this file sends, right or wrong: none may be found in clear anywhere. */
const secrets: string[] = [];
/** Gateways stopped during the file: their logs are searched too. */
const stoppedOutputs: string[] = [];
const WRONG_PASSWORD = `wrong-password-${Math.random().toString(36).slice(2)}`;

interface View {
  id: string;
  source: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  state: string;
  lastError: string | null;
  keyId: string | null;
  lastUsedAt: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
  errors?: { field: string; message: string }[];
}

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  creds = await sandboxCredentials(sandbox);
  secrets.push(...Object.values(creds.yclients), creds.datawiz.clientSecret, creds.datawiz.password, creds.ozon.apiKey, WRONG_PASSWORD);
  // IT Resume's environment credentials are set (an env connection is listed for it), YClients' are not.
  env = testEnv(db.url, sandbox.url, { DATASYNC_KEYS: keyRing('k1', { k1: newKey() }), ITRESUME_CLIENT_KEY: 'env-client-key-123456' });
  secrets.push('env-client-key-123456');
  gateway = await startGateway(env);
});

afterAll(async () => {
  await gateway?.stop();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('connections API', () => {
  let yclientsId: string;

  it('stores a connection and answers everything but its credentials', async () => {
    const res = await gateway.call<View>('POST', '/api/connections', {
      source: 'yclients',
      name: 'salon-one',
      credentials: creds.yclients,
      settings: { requestsPerSecond: 3, companyIds: [176275] },
    });
    expect(res.status, res.text).toBe(201);
    yclientsId = res.body.id;
    expect(res.body).toMatchObject({
      source: 'yclients',
      name: 'salon-one',
      kind: 'stored',
      settings: { requestsPerSecond: 3, companyIds: [176275] },
      state: 'ok',
      keyId: 'k1',
    });
    expect(Object.keys(res.body)).not.toContain('credentials');
    const one = await gateway.call<View>('GET', `/api/connections/${yclientsId}`);
    expect(one.body).toEqual(res.body);
    const { rows } = await pool.query('SELECT source, name, key_id FROM connections');
    expect(rows).toEqual([{ source: 'yclients', name: 'salon-one', key_id: 'k1' }]);
  });

  it('lists stored connections with the env connection of each source whose environment credentials are set', async () => {
    const all = await gateway.call<{ connections: View[] }>('GET', '/api/connections');
    const seen = new Set(all.body.connections.map((c) => `${c.source}/${c.name}/${c.kind}`));
    // Avito's mobile key has a default; IT Resume's key is set here; YClients has none in the environment.
    expect(seen).toEqual(new Set(['avito/env/env', 'itresume/env/env', 'yclients/salon-one/stored']));
    const env = all.body.connections.find((c) => c.source === 'itresume')!;
    expect(env.id).toBe('00000000-0000-0000-0000-000000000000');
    const only = await gateway.call<{ connections: View[] }>('GET', '/api/connections?source=yclients');
    expect(only.body.connections.map((c) => c.name)).toEqual(['salon-one']);
    const envOne = await gateway.call<View>('GET', '/api/connections/00000000-0000-0000-0000-000000000000?source=itresume');
    expect(envOne.body).toMatchObject({ name: 'env', kind: 'env', source: 'itresume' });
  });

  it("tests a connection upstream: ok with the sandbox's credentials, the refusal and `failing` with a wrong password", async () => {
    const ok = await gateway.call<{ ok: boolean; state: string; detail: string }>('POST', `/api/connections/${yclientsId}/test`);
    expect(ok.body).toMatchObject({ ok: true, state: 'ok' });
    expect(ok.body.detail).toMatch(/yclients POST \/auth answered 20\d/);

    const patched = await gateway.call<View>('PATCH', `/api/connections/${yclientsId}`, {
      credentials: { ...creds.yclients, password: WRONG_PASSWORD },
    });
    expect(patched.status, patched.text).toBe(200);
    const refused = await gateway.call<{ ok: boolean; state: string; error: string; upstreamStatus: number }>(
      'POST',
      `/api/connections/${yclientsId}/test`,
    );
    expect(refused.body).toMatchObject({ ok: false, state: 'failing', upstreamStatus: 401 });
    expect(refused.body.error).toMatch(/^yclients POST \/auth answered 401/);
    const after = await gateway.call<View & { lastErrorAt: string }>('GET', `/api/connections/${yclientsId}`);
    expect(after.body).toMatchObject({ state: 'failing', lastError: refused.body.error });
    expect(after.body.lastErrorAt).toEqual(expect.any(String));
    expect(after.body.lastUsedAt).toEqual(expect.any(String));

    // The right credentials again: ok once more.
    await gateway.call('PATCH', `/api/connections/${yclientsId}`, { credentials: creds.yclients });
    const again = await gateway.call<{ ok: boolean }>('POST', `/api/connections/${yclientsId}/test`);
    expect(again.body.ok).toBe(true);
    expect((await gateway.call<View>('GET', `/api/connections/${yclientsId}`)).body).toMatchObject({ state: 'ok', lastError: null });
  });

  it('tests a Datawiz client and an Ozon cabinet with their own probes', async () => {
    const dw = await gateway.call<View>('POST', '/api/connections', { source: 'datawiz', name: 'client-a', credentials: creds.datawiz });
    expect(dw.status, dw.text).toBe(201);
    expect((await gateway.call<{ ok: boolean }>('POST', `/api/connections/${dw.body.id}/test`)).body.ok).toBe(true);
    const oz = await gateway.call<View>('POST', '/api/connections', {
      source: 'marketplaces',
      name: 'ozon-cabinet',
      settings: { marketplace: 'ozon' },
      credentials: creds.ozon,
    });
    expect(oz.status, oz.text).toBe(201);
    const tested = await gateway.call<{ ok: boolean; detail: string }>('POST', `/api/connections/${oz.body.id}/test`);
    expect(tested.body).toMatchObject({ ok: true, detail: expect.stringMatching(/^ozon POST \/v2\/warehouse\/list answered 200/) });
    // A wrong Ozon key: the marketplace's own refusal.
    await gateway.call('PATCH', `/api/connections/${oz.body.id}`, { credentials: { ...creds.ozon, apiKey: `${creds.ozon.apiKey}x` } });
    secrets.push(`${creds.ozon.apiKey}x`);
    const refused = await gateway.call<{ ok: boolean; error: string }>('POST', `/api/connections/${oz.body.id}/test`);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.error).toMatch(/Invalid Api-Key/);
  });

  it('refuses bad input with a 4xx naming the field, and stores nothing', async () => {
    const before = await connectionsTable(pool);
    const auditBefore = (await pool.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n as number;
    const y = creds.yclients;
    const cases: [string, unknown, number, string[]][] = [
      ['unknown source', { source: 'nope', name: 'x', credentials: y }, 400, ['source']],
      [
        'no partner token',
        { source: 'yclients', name: 'x', credentials: { login: y.login, password: y.password } },
        400,
        ['credentials.partnerToken'],
      ],
      [
        'neither user token nor password',
        { source: 'yclients', name: 'x', credentials: { partnerToken: y.partnerToken, login: y.login } },
        400,
        ['credentials.password'],
      ],
      [
        'an unknown credential field',
        { source: 'yclients', name: 'x', credentials: { ...y, pasword: 'typo-secret' } },
        400,
        ['credentials.pasword'],
      ],
      [
        'an empty credential',
        { source: 'datawiz', name: 'x', credentials: { ...creds.datawiz, clientSecret: '' } },
        400,
        ['credentials.clientSecret'],
      ],
      [
        'a number for a credential',
        { source: 'datawiz', name: 'x', credentials: { ...creds.datawiz, username: 42 } },
        400,
        ['credentials.username'],
      ],
      ['credentials not an object', { source: 'yclients', name: 'x', credentials: 'token' }, 400, ['credentials']],
      ['no credentials', { source: 'yclients', name: 'x' }, 400, ['credentials']],
      ['a bad base URL', { source: 'yclients', name: 'x', credentials: y, settings: { baseUrl: 'ftp://x' } }, 400, ['settings.baseUrl']],
      [
        'a rate as text',
        { source: 'yclients', name: 'x', credentials: y, settings: { requestsPerSecond: '5' } },
        400,
        ['settings.requestsPerSecond'],
      ],
      ['an unknown setting', { source: 'yclients', name: 'x', credentials: y, settings: { companyID: 1 } }, 400, ['settings.companyID']],
      [
        'a marketplace cabinet without its marketplace',
        { source: 'marketplaces', name: 'x', credentials: creds.ozon },
        400,
        ['settings.marketplace'],
      ],
      [
        'an Ozon cabinet without its key',
        { source: 'marketplaces', name: 'x', settings: { marketplace: 'ozon' }, credentials: { clientId: creds.ozon.clientId } },
        400,
        ['credentials.apiKey'],
      ],
      [
        'WB credentials for an Ozon cabinet',
        { source: 'marketplaces', name: 'x', settings: { marketplace: 'ozon' }, credentials: { token: 'wb-token-secret' } },
        400,
        ['credentials.clientId', 'credentials.apiKey', 'credentials.token'],
      ],
      ['an empty name', { source: 'yclients', name: ' ', credentials: y }, 400, ['name']],
      ["the env connection's name", { source: 'yclients', name: 'env', credentials: y }, 400, ['name']],
      ['an unknown body field', { source: 'yclients', name: 'x', credentials: y, secret: 1 }, 400, ['secret']],
      ['a duplicate name', { source: 'yclients', name: 'salon-one', credentials: y }, 409, []],
    ];
    secrets.push('typo-secret', 'wb-token-secret');
    for (const [what, body, status, fields] of cases) {
      const res = await gateway.call<ErrorBody>('POST', '/api/connections', body);
      expect(res.status, `${what}: ${res.text}`).toBe(status);
      expect(res.body.error.message, what).not.toMatch(/Invalid input|expected \w+, received/);
      if (fields.length) expect(new Set(res.body.errors?.map((e) => e.field)), what).toEqual(new Set(fields));
      else expect(res.body.error.message, what).toMatch(/yclients connection named "salon-one" already exists/);
    }
    const patches: [string, unknown, number, string[]][] = [
      ['nothing to change', {}, 400, ['(request)']],
      ['a bad setting', { settings: { requestsPerMinute: 0 } }, 400, ['settings.requestsPerMinute']],
      ['a credential missing', { credentials: { login: y.login, password: y.password } }, 400, ['credentials.partnerToken']],
    ];
    const id = before.find((r) => r.source === 'yclients')!.id as string;
    for (const [what, body, status, fields] of patches) {
      const res = await gateway.call<ErrorBody>('PATCH', `/api/connections/${id}`, body);
      expect(res.status, `${what}: ${res.text}`).toBe(status);
      expect(new Set(res.body.errors?.map((e) => e.field)), what).toEqual(new Set(fields));
    }
    expect((await gateway.call('GET', '/api/connections/6d3c1c1e-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await gateway.call<ErrorBody>('GET', '/api/connections/not-a-uuid')).body.errors?.[0]?.field).toBe('id');
    expect((await gateway.call('DELETE', '/api/connections/00000000-0000-0000-0000-000000000000')).status).toBe(409);
    expect(await connectionsTable(pool)).toEqual(before);
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBe(auditBefore);
  });

  it('refuses to delete a connection a queued or running run uses (409 naming the run), then deletes it', async () => {
    const created = await gateway.call<View>('POST', '/api/connections', {
      source: 'yclients',
      name: 'to-delete',
      credentials: creds.yclients,
    });
    const runId = '5a1e0000-0000-4000-8000-000000000001';
    // conn-scope's submit writes sync_runs.connection_id; the row is written here as it would be.
    await pool.query(
      `INSERT INTO sync_runs (id, source, job_name, params, state, connection_id) VALUES ($1, 'yclients', 'yclients.sync', '{"companyId":1}', 'running', $2)`,
      [runId, created.body.id],
    );
    const refused = await gateway.call<ErrorBody>('DELETE', `/api/connections/${created.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(runId);
    expect((await gateway.call('GET', `/api/connections/${created.body.id}`)).status).toBe(200);
    await pool.query(`UPDATE sync_runs SET state = 'done' WHERE id = $1`, [runId]);
    const deleted = await gateway.call('DELETE', `/api/connections/${created.body.id}`);
    expect(deleted.body).toEqual({ status: 'deleted', id: created.body.id });
    expect((await gateway.call('GET', `/api/connections/${created.body.id}`)).status).toBe(404);
    expect((await pool.query('SELECT count(*)::int AS n FROM connections WHERE id = $1', [created.body.id])).rows[0].n).toBe(0);
  });

  it('audits who did what to which connection, filtered by connection and time', async () => {
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM connections WHERE name = 'salon-one'`);
    const id = rows[0]!.id;
    const res = await gateway.call<{ events: { action: string; actor: string; connectionId: string; detail: Record<string, unknown> }[] }>(
      'GET',
      `/api/audit?connectionId=${id}`,
    );
    expect(res.body.events.every((e) => e.connectionId === id && e.actor === 'anonymous')).toBe(true);
    // Newest first: created, test (read + tested), two updates each followed by a test.
    expect(res.body.events.map((e) => e.action).reverse()).toEqual([
      'created',
      'credentials.read',
      'tested',
      'updated',
      'credentials.read',
      'tested',
      'updated',
      'credentials.read',
      'tested',
    ]);
    expect(res.body.events.find((e) => e.action === 'updated')!.detail).toMatchObject({ changed: ['credentials'] });
    const future = await gateway.call<{ events: unknown[] }>('GET', `/api/audit?since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.body.events).toEqual([]);
    const all = await gateway.call<{ events: { action: string }[] }>('GET', '/api/audit');
    expect(new Set(all.body.events.map((e) => e.action))).toEqual(new Set(['created', 'credentials.read', 'tested', 'updated', 'deleted']));
    expect((await gateway.call<ErrorBody>('GET', '/api/audit?since=yesterday')).body.errors?.[0]?.field).toBe('since');
  });

  it('without DATASYNC_KEYS refuses to store credentials (503 naming it) and stores nothing, in clear or otherwise', async () => {
    const before = await connectionsTable(pool);
    const { DATASYNC_KEYS: _ring, ...withoutRing } = env;
    const bare = await startGateway(withoutRing);
    try {
      const res = await bare.call<ErrorBody>('POST', '/api/connections', {
        source: 'yclients',
        name: 'no-ring',
        credentials: creds.yclients,
      });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/DATASYNC_KEYS/);
      const id = before.find((r) => r.name === 'salon-one')!.id as string;
      const patch = await bare.call<ErrorBody>('PATCH', `/api/connections/${id}`, { credentials: creds.yclients });
      expect(patch.status).toBe(503);
      expect((await bare.call<ErrorBody>('POST', `/api/connections/${id}/test`)).status).toBe(503);
      // Reading what is stored still works (no credentials are needed for that).
      expect((await bare.call<{ connections: unknown[] }>('GET', '/api/connections?source=yclients')).body.connections).toHaveLength(1);
      expect(await connectionsTable(pool)).toEqual(before);
      gateway.answers.push(...bare.answers);
    } finally {
      await bare.stop();
      stoppedOutputs.push(bare.output());
    }
  });

  it('puts no credential in clear in any answer, log line at debug, Redis key or pg_dump', async () => {
    // The fault search is live: the dump does hold the non-secret values written alongside.
    const dump = await pgDump(db.url);
    expect(dump).toContain('salon-one');
    expect(dump).toContain('audit_events');
    expect(gateway.output()).toContain('"level":20');
    expect(leaked(dump, secrets), 'pg_dump').toEqual([]);
    expect(leaked(gateway.answers.join('\n'), secrets), 'answers').toEqual([]);
    expect(leaked(gateway.output() + stoppedOutputs.join('\n'), secrets), 'gateway logs').toEqual([]);
    expect(leaked(await redisDump(env.REDIS_PREFIX!), secrets), 'redis').toEqual([]);
  });
});
