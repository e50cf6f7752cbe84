import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsUnreadable, parseKeyRing, resolveConnection } from '@datasync/connections';
import type { RunningSandbox } from '@datasync/sandbox';
import { createTestDatabase, startTestSandbox, testEnv, type TestDatabase } from '../../helpers';
import { connectionsTable, datasync, keyRing, newKey, sandboxCredentials, startGateway, type Gateway } from './harness';

/**
 * Master keys: store under key 1, `pnpm datasync keys rotate` to key 2 (only the wrapped data keys
 * change, the credentials' ciphertext stays byte for byte), drop key 1 from the ring, restart: the
 * credentials still open and the upstream still takes them. Tampered bytes or a wrong key: a clear
 * error, never garbage.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let pool: pg.Pool;
let base: Record<string, string>;
let creds: Awaited<ReturnType<typeof sandboxCredentials>>;
const k1 = newKey();
const k2 = newKey();
const running: Gateway[] = [];

async function gatewayWith(ring: string | undefined): Promise<Gateway> {
  const env = { ...base };
  if (ring) env.DATASYNC_KEYS = ring;
  const gw = await startGateway(env);
  running.push(gw);
  return gw;
}

async function stopAll() {
  await Promise.all(running.splice(0).map((g) => g.stop()));
}

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  creds = await sandboxCredentials(sandbox);
  base = testEnv(db.url, sandbox.url);
});

afterAll(async () => {
  await stopAll();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('key rotation', () => {
  const ids: string[] = [];

  it('re-wraps every data key under the new current key without touching the ciphertexts; key 1 can then go', async () => {
    const one = await gatewayWith(keyRing('k1', { k1 }));
    for (const [source, name, credentials, settings] of [
      ['yclients', 'salon-a', creds.yclients, {}],
      ['datawiz', 'client-a', creds.datawiz, {}],
      ['marketplaces', 'ozon-a', creds.ozon, { marketplace: 'ozon' }],
    ] as const) {
      const res = await one.call<{ id: string }>('POST', '/api/connections', { source, name, credentials, settings });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
    await stopAll();
    const before = await connectionsTable(pool);
    expect(before.map((r) => r.key_id)).toEqual(['k1', 'k1', 'k1']);

    // Key 2 becomes current (key 1 still listed), then the rotation.
    const rotated = await datasync({ DATABASE_URL: db.url, DATASYNC_KEYS: keyRing('k2', { k1, k2 }) }, 'keys', 'rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/re-wrapped 3 data key\(s\) from k1 to "k2"; 0 already under it/);
    expect(rotated.stdout).toMatch(/no connection uses "k1" any more/);

    const after = await connectionsTable(pool);
    for (const row of after) {
      const old = before.find((b) => b.id === row.id)!;
      expect(row.key_id).toBe('k2');
      expect(row.wrapped_key).not.toBe(old.wrapped_key);
      // The sealed credentials themselves: byte for byte the same.
      expect([row.credentials_ciphertext, row.credentials_iv, row.credentials_tag]).toEqual([
        old.credentials_ciphertext,
        old.credentials_iv,
        old.credentials_tag,
      ]);
    }
    const audit = await pool.query(`SELECT actor, connection_id, detail FROM audit_events WHERE action = 'rotated' ORDER BY connection_id`);
    expect(audit.rows).toEqual([...ids].sort().map((id) => ({ actor: 'cli', connection_id: id, detail: { from: 'k1', to: 'k2' } })));

    // A second rotation has nothing to do.
    const again = await datasync({ DATABASE_URL: db.url, DATASYNC_KEYS: keyRing('k2', { k1, k2 }) }, 'keys', 'rotate');
    expect(again.stdout).toMatch(/re-wrapped 0 data key\(s\) to "k2"; 3 already under it/);

    // Key 1 removed from the ring, the gateway restarted: every connection opens and the upstream takes it.
    const two = await gatewayWith(keyRing('k2', { k2 }));
    for (const id of ids) {
      const tested = await two.call<{ ok: boolean; detail?: string; error?: string }>('POST', `/api/connections/${id}/test`);
      expect(tested.body, id).toMatchObject({ ok: true });
    }
    const ring2 = parseKeyRing(keyRing('k2', { k2 }));
    const resolved = await resolveConnection(pool, ring2, {
      source: 'yclients',
      connectionId: ids[0]!,
      actor: 'worker',
      runId: 'a1b2c3d4-0000-4000-8000-000000000000',
    });
    expect(resolved).toEqual({ id: ids[0], source: 'yclients', name: 'salon-a', settings: {}, credentials: creds.yclients });
    const read = await pool.query(`SELECT actor, detail FROM audit_events WHERE action = 'credentials.read' AND actor = 'worker'`);
    expect(read.rows).toEqual([{ actor: 'worker', detail: { runId: 'a1b2c3d4-0000-4000-8000-000000000000' } }]);
    await stopAll();
  });

  it('names the missing key id and DATASYNC_KEYS when a rotation never happened and the old key is gone', async () => {
    // A new connection under k2; a ring holding only a third key cannot open it, and says which key is missing.
    const ring3 = keyRing('k3', { k3: newKey() });
    const rotate = await datasync({ DATABASE_URL: db.url, DATASYNC_KEYS: ring3 }, 'keys', 'rotate');
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(/master key "k2" is not in DATASYNC_KEYS/);
    // Nothing was changed by the failed rotation.
    expect(new Set((await connectionsTable(pool)).map((r) => r.key_id))).toEqual(new Set(['k2']));
    const gw = await gatewayWith(ring3);
    const tested = await gw.call<{ ok: boolean; error: string; state: string }>('POST', `/api/connections/${ids[0]}/test`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.error).toMatch(/master key "k2" is not in DATASYNC_KEYS/);
    expect(tested.body.state).toBe('failing');
    await stopAll();
  });
});

describe('tampering and wrong keys', () => {
  const ring2 = () => parseKeyRing(keyRing('k2', { k2 }));

  const columns = ['credentials_ciphertext', 'credentials_tag', 'credentials_iv', 'wrapped_key', 'wrapped_key_tag', 'wrapped_key_iv'];
  for (const column of columns) {
    it(`a flipped bit in ${column}: CredentialsUnreadable, never garbage; restoring it opens again`, async () => {
      const id = (await pool.query<{ id: string }>(`SELECT id FROM connections WHERE source = 'datawiz'`)).rows[0]!.id;
      const original = (await pool.query(`SELECT ${column} AS v FROM connections WHERE id = $1`, [id])).rows[0].v as Buffer;
      await pool.query(`UPDATE connections SET ${column} = set_byte(${column}, 0, get_byte(${column}, 0) # 1) WHERE id = $1`, [id]);
      const altered = (await pool.query(`SELECT ${column} AS v FROM connections WHERE id = $1`, [id])).rows[0].v as Buffer;
      expect(altered.equals(original)).toBe(false);
      await expect(resolveConnection(pool, ring2(), { source: 'datawiz', connectionId: id, actor: 'worker' })).rejects.toThrow(
        CredentialsUnreadable,
      );
      await pool.query(`UPDATE connections SET ${column} = $2 WHERE id = $1`, [id, original]);
      expect((await resolveConnection(pool, ring2(), { source: 'datawiz', connectionId: id, actor: 'worker' })).credentials).toEqual(
        creds.datawiz,
      );
    });
  }

  it('a different key under the same id: a clear error through the API, the connection marked failing', async () => {
    const id = (await pool.query<{ id: string }>(`SELECT id FROM connections WHERE source = 'marketplaces'`)).rows[0]!.id;
    const gw = await gatewayWith(keyRing('k2', { k2: newKey() }));
    const tested = await gw.call<{ ok: boolean; error: string }>('POST', `/api/connections/${id}/test`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.error).toMatch(/does not open with master key "k2" of DATASYNC_KEYS/);
    expect((await gw.call<{ state: string }>('GET', `/api/connections/${id}`)).body.state).toBe('failing');
    await stopAll();
  });

  it('a malformed DATASYNC_KEYS stops the gateway at start, naming the variable', async () => {
    await expect(gatewayWith('{"current":"k1","keys":{"k1":"c2hvcnQ="}}')).rejects.toThrow(
      /DATASYNC_KEYS\.keys\.k1 must be the base64 of 32/,
    );
  });
});
