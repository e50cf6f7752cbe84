import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import { waitForRun, type Run } from '@datasync/testkit';
import {
  createTestDatabase,
  sandboxControl,
  spawnWorker,
  startTestSandbox,
  testEnv,
  waitForLine,
  type TestDatabase,
  type WorkerProcess,
} from '../helpers';
import { datasync, keyRing, newKey, startGateway, type Gateway } from './connections/harness';
import { expectYclientsEqualToSource } from './yclients/equal-to-source';

/**
 * Rotation end to end: a connection stored under key 1, `pnpm datasync keys rotate` to key 2, key 1
 * dropped from the ring, gateway and worker restarted with key 2 alone: a sync through that
 * connection still works (the worker opens the credentials under key 2).
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let pool: pg.Pool;
let gateway: Gateway | undefined;
let worker: WorkerProcess | undefined;
const k1 = newKey();
const k2 = newKey();

const envWith = (ring: string) =>
  testEnv(db.url, sandbox.url, { DATASYNC_KEYS: ring, YCLIENTS_REQUESTS_PER_SECOND: '1000', YCLIENTS_REQUESTS_PER_MINUTE: '100000' });

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await gateway?.stop();
  await pool?.end();
  await sandbox?.close();
  await db?.drop();
});

describe('key rotation and syncing', () => {
  it('stores under key 1, rotates to key 2, drops key 1, restarts: a sync through the connection works', async () => {
    gateway = await startGateway(envWith(keyRing('k1', { k1 })));
    const b = (
      await sandboxControl(sandbox.url).get<{ accounts: { credentials: Record<string, string> }[] }>('/yclients/_control/credentials')
    ).accounts[1]!;
    const made = await gateway.call<{ id: string }>('POST', '/api/connections', {
      source: 'yclients',
      name: 'salon-b',
      credentials: b.credentials,
    });
    expect(made.status, made.text).toBe(201);
    await gateway.stop();

    const rotated = await datasync({ DATABASE_URL: db.url, DATASYNC_KEYS: keyRing('k2', { k1, k2 }) }, 'keys', 'rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(await pool.query('SELECT key_id FROM connections').then((r) => r.rows)).toEqual([{ key_id: 'k2' }]);

    // Key 1 is gone from the ring of every process.
    const env = envWith(keyRing('k2', { k2 }));
    gateway = await startGateway(env);
    worker = spawnWorker('worker-yclients', env);
    await waitForLine(worker, 'yclients worker consuming', 60_000);
    const res = await gateway.call<{ parser_uuid: string }>('POST', '/api/yclients/sync', {
      companyId: 176280,
      connectionId: made.body.id,
    });
    expect(res.status, res.text).toBe(200);
    const run = await waitForRun(
      async () => (await gateway!.call<Run>('GET', `/api/runs/${res.body.parser_uuid}`)).body,
      res.body.parser_uuid,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );
    expect(run.error ?? null).toBeNull();
    expect(run.state).toBe('done');
    await expectYclientsEqualToSource(pool, sandboxControl(sandbox.url), 176280);
    // The worker's read of the credentials is audited with the run.
    const { rows } = await pool.query(`SELECT actor, detail FROM audit_events WHERE action = 'credentials.read' AND connection_id = $1`, [
      made.body.id,
    ]);
    expect(rows).toEqual([{ actor: 'worker', detail: { runId: res.body.parser_uuid } }]);
  }, 180_000);
});
