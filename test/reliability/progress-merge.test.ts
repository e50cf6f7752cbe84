import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeProgress, updateRun } from '@datasync/runs';
import { createTestDatabase, type TestDatabase } from '../helpers';

/**
 * A run's progress takes updates by merging (packages/runs/src/progress-merge.ts), the same in the
 * database and in memory: pages of concurrent YClients lanes each report their own entity, and one
 * committed after another's newer report must not put the other's entity back.
 */
let db: TestDatabase;
let pool: pg.Pool;
const RUN = '5b0f7d2e-3c1a-4e8b-9a51-0000000000a1';

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await pool.query(`INSERT INTO sync_runs (id, source, job_name, params) VALUES ($1, 'yclients', 'yclients.sync', '{}')`, [RUN]);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

// Each update, then the whole progress expected after it (written out, not computed).
const steps: [Record<string, unknown>, Record<string, unknown>][] = [
  [
    { stage: 'auth', entities: {}, notes: [] },
    { stage: 'auth', entities: {}, notes: [] },
  ],
  [{ stage: 'entities' }, { stage: 'entities', entities: {}, notes: [] }],
  [
    { entities: { clients: { state: 'running', rows: 200 } } },
    { stage: 'entities', entities: { clients: { state: 'running', rows: 200 } }, notes: [] },
  ],
  [
    { entities: { records: { state: 'running', rows: 200 } } },
    { stage: 'entities', entities: { clients: { state: 'running', rows: 200 }, records: { state: 'running', rows: 200 } }, notes: [] },
  ],
  [
    { entities: { clients: { state: 'done', rows: 260 } } },
    { stage: 'entities', entities: { clients: { state: 'done', rows: 260 }, records: { state: 'running', rows: 200 } }, notes: [] },
  ],
  // A records page sent before clients was done commits after it: clients stays done.
  [
    { entities: { records: { state: 'running', rows: 400 } } },
    { stage: 'entities', entities: { clients: { state: 'done', rows: 260 }, records: { state: 'running', rows: 400 } }, notes: [] },
  ],
  [
    { notes: ['GET /accounts failed'], stage: 'done' },
    {
      stage: 'done',
      entities: { clients: { state: 'done', rows: 260 }, records: { state: 'running', rows: 400 } },
      notes: ['GET /accounts failed'],
    },
  ],
  // A new attempt's start empties it.
  [
    { stage: 'auth', entities: {} },
    { stage: 'auth', entities: {}, notes: ['GET /accounts failed'] },
  ],
];

describe('run progress merges', () => {
  it('stored and in memory alike: top-level keys replaced, entities merged one by one, {} empties them', async () => {
    let inMemory: Record<string, unknown> = {};
    for (const [update, expected] of steps) {
      await updateRun(pool, RUN, { progress: update });
      const { rows } = await pool.query<{ progress: unknown }>('SELECT progress FROM sync_runs WHERE id = $1', [RUN]);
      expect(rows[0]!.progress, JSON.stringify(update)).toEqual(expected);
      inMemory = mergeProgress(inMemory, update);
      expect(inMemory, JSON.stringify(update)).toEqual(expected);
    }
  });
});
