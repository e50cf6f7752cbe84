import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startStack, startTestSandbox, testEnv, type Stack, type TestDatabase } from '../../helpers';
import { datasync, keyRing, newKey, sandboxCredentials } from './harness';

/** `pnpm datasync connections …` as an operator types it, against a gateway with an API key. */
const API_KEY = 'connections-cli-key-0123456789';
let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let pool: pg.Pool;
let dir: string;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  stack = await startStack(testEnv(db.url, sandbox.url, { GATEWAY_API_KEY: API_KEY, DATASYNC_KEYS: keyRing('k1', { k1: newKey() }) }), {
    workers: [],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'datasync-connections-'));
  cliEnv = { GATEWAY_URL: stack.gateway.url, GATEWAY_API_KEY: API_KEY };
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stack?.close();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('datasync connections', () => {
  it('adds from a credentials file, lists, tests, updates and removes; the audit names the API key by fingerprint', async () => {
    const creds = await sandboxCredentials(sandbox);
    const file = path.join(dir, 'creds.json');
    writeFileSync(file, JSON.stringify(creds.yclients));
    const added = await datasync(
      cliEnv,
      'connections',
      'add',
      'yclients',
      '--name',
      'salon-cli',
      '--credentials-file',
      file,
      '--settings',
      '{"companyIds":[176275]}',
    );
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await datasync(cliEnv, 'connections', 'list', '--source', 'yclients');
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('salon-cli');

    const tested = await datasync(cliEnv, 'connections', 'test', id);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^ok: yclients POST \/auth answered 20\d/);

    writeFileSync(file, JSON.stringify({ ...creds.yclients, password: 'not-the-password' }));
    expect((await datasync(cliEnv, 'connections', 'update', id, '--credentials-file', file)).code).toBe(0);
    const refused = await datasync(cliEnv, 'connections', 'test', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^refused: yclients POST \/auth answered 401/);

    const shown = await datasync(cliEnv, 'connections', 'show', id);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, name: 'salon-cli', state: 'failing' });
    for (const out of [added, listed, tested, refused, shown]) expect(out.stdout + out.stderr).not.toContain(creds.yclients.password);

    const bad = await datasync(cliEnv, 'connections', 'add', 'yclients', '--name', 'x', '--credentials', '{"login":"a"}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/credentials\.partnerToken: is required/);

    expect((await datasync(cliEnv, 'connections', 'remove', id)).code).toBe(0);
    expect((await datasync(cliEnv, 'connections', 'show', id)).code).toBe(2);

    const actors = await pool.query<{ actor: string }>('SELECT DISTINCT actor FROM audit_events');
    expect(actors.rows).toHaveLength(1);
    expect(actors.rows[0]!.actor).toMatch(/^key:[0-9a-f]{12}$/);
    expect(actors.rows[0]!.actor).not.toContain(API_KEY.slice(0, 6));
  });
});
