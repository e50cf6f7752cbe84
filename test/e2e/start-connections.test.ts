import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyRing, resolveConnection, type KeyRing } from '@datasync/connections';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '@datasync/sandbox';
import { sandboxUpstreams, sources } from '@datasync/sources';
import { DEV_KEYS_FILE, devKeyRing } from '../../scripts/start/dev-keys';
import { ensureSandboxConnections } from '../../scripts/start/sandbox-connections';
import { createTestDatabase, type TestDatabase } from '../helpers';

/**
 * What `pnpm start` does for connections (issue #18): a development key ring in a git-ignored file
 * when DATASYNC_KEYS is unset, and one connection per sandbox account per source, the same ones on
 * every restart. (The whole `pnpm start`: test/e2e/pnpm-start.test.ts.)
 */
interface Listing {
  name: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}

let db: TestDatabase;
let pool: pg.Pool;
let sandbox: RunningSandbox;
let dir: string;
const usesSandbox = Object.keys(sandboxUpstreams);
const ensure = (ring: KeyRing) =>
  ensureSandboxConnections({
    pool,
    ring,
    sandboxUrl: sandbox.url,
    sources,
    usesSandbox,
    warn: (line) => {
      throw new Error(line);
    },
  });

/** Every account the sandbox lists, as `source/connection name` → its listing (read straight from the sandbox). */
async function sandboxAccounts(): Promise<Map<string, Listing>> {
  const out = new Map<string, Listing>();
  const paths: [string, string][] = [
    ['yclients', '/yclients'],
    ['datawiz', '/datawiz'],
    ['itresume', '/itresume'],
    ['avito', '/avito'],
    ['marketplaces', '/ozon'],
    ['marketplaces', '/wb'],
    ['marketplaces', '/ym'],
  ];
  for (const [source, prefix] of paths) {
    const { accounts } = (await (await fetch(`${sandbox.url}${prefix}/_control/credentials`)).json()) as { accounts: Listing[] };
    const mp = source === 'marketplaces' ? `${prefix.slice(1)}-` : '';
    for (const a of accounts) out.set(`${source}/sandbox-${mp}${a.name}`, a);
  }
  return out;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  sandbox = await startSandbox({ port: 0, seed: 42, log: createLogger({ name: 't', level: 'silent' }) });
  dir = mkdtempSync(path.join(tmpdir(), 'datasync-start-'));
});
afterAll(async () => {
  await sandbox?.close();
  await pool?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('pnpm start: connections', () => {
  it('makes a development key ring once, owner-only, and reuses it', () => {
    const first = devKeyRing(dir);
    expect(first.note).toContain(`generated a development key ring into ${DEV_KEYS_FILE}`);
    const file = path.join(dir, DEV_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseKeyRing(readFileSync(file, 'utf8'))!.current).toBe(first.ring.current);
    const again = devKeyRing(dir);
    expect(again.value).toBe(first.value);
    expect(again.note).toContain(`using the development key ring in ${DEV_KEYS_FILE}`);
    expect(readFileSync(path.join(process.cwd(), '.gitignore'), 'utf8').split('\n')).toContain('.datasync/');
  });

  it('creates one connection per sandbox account, keeps them on a restart, sealed, with the sandbox’s credentials', async () => {
    const ring = devKeyRing(dir).ring;
    const expected = await sandboxAccounts();
    const first = await ensure(ring);
    expect(new Set(first.map((c) => `${c.source}/${c.name}`))).toEqual(new Set(expected.keys()));
    expect(first.every((c) => c.outcome === 'created')).toBe(true);

    const second = await ensure(ring);
    expect(second.map((c) => [c.id, c.outcome])).toEqual(first.map((c) => [c.id, 'kept']));
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM connections');
    expect(rows[0]!.n).toBe(expected.size);

    for (const c of first) {
      const resolved = await resolveConnection(pool, ring, { source: c.source, connectionId: c.id, actor: 'test' });
      const listing = expected.get(`${c.source}/${c.name}`)!;
      expect(resolved.credentials).toEqual(listing.credentials);
      expect(resolved.settings).toEqual(listing.settings);
    }
    // No secret in clear anywhere in the table.
    const dump = JSON.stringify((await pool.query('SELECT * FROM connections')).rows);
    for (const listing of expected.values()) {
      for (const secret of Object.values(listing.credentials)) expect(dump).not.toContain(secret);
    }
  });

  it('makes them again under a new ring when the old key is gone (a deleted dev key file)', async () => {
    const old = await ensure(devKeyRing(dir).ring);
    rmSync(path.join(dir, DEV_KEYS_FILE));
    const ring = devKeyRing(dir).ring;
    const again = await ensure(ring);
    expect(again.every((c) => c.outcome === 'recreated')).toBe(true);
    expect(again.map((c) => c.name)).toEqual(old.map((c) => c.name));
    expect(again.some((c) => old.some((o) => o.id === c.id))).toBe(false);
    const c = again.find((x) => x.source === 'yclients' && x.name === 'sandbox-b')!;
    const resolved = await resolveConnection(pool, ring, { source: 'yclients', connectionId: c.id, actor: 'test' });
    expect(resolved.settings).toEqual({ companyIds: [176280, 176281] });
  });
});
