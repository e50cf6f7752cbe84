import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { opsQueues } from '@datasync/queues';
import { sourceNames as sources } from '@datasync/sources';
import type { Bench } from './sources';

/**
 * Everything a request could write, for tests that prove a refused one wrote nothing: runs, locks,
 * schedules, stock, and the jobs and schedulers of every queue. Registers the file's hooks (its own
 * Redis connection) after the bench's, so call it after `useBench`.
 */
export function useWritten(t: Bench): () => Promise<{ tables: Record<string, unknown[]>; jobs: Record<string, unknown> }> {
  let redis: Redis;
  let queues: Queue[];
  beforeAll(() => {
    redis = new Redis(t.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queues = [...sources, opsQueues.schedules].map((name) => new Queue(name, { connection: redis, prefix: t.env.REDIS_PREFIX }));
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    redis?.disconnect();
  });
  return async () => {
    const tables: Record<string, unknown[]> = {};
    for (const table of ['sync_runs', 'run_locks', 'schedules', 'stock_levels', 'stock_movements']) {
      tables[table] = (await t.pool.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;
    }
    const jobs: Record<string, unknown> = {};
    for (const q of queues)
      jobs[q.name] = {
        ids: (await q.getJobs()).map((j) => j.id).sort(),
        schedulers: (await q.getJobSchedulers()).map((s) => s.key).sort(),
      };
    return { tables, jobs };
  };
}
