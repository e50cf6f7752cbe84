import type pg from 'pg';
import { ENV_CONNECTION_ID, submitRun, type QueueSet } from '@datasync/runs';

/**
 * The stock ledger is one per internal SKU and every connected cabinet sells from it: a movement
 * (a poll's order, a person's count) is pushed to the environment's cabinets and to every stored
 * marketplaces connection. One push run per cabinet (each deduplicated: a push already queued for
 * a cabinet takes the change along). Answers the environment push's run id first.
 */
export async function requestPushEverywhere(deps: { pool: pg.Pool; queues: QueueSet }): Promise<string[]> {
  // The connections table belongs to the connections package; a deployment without it has the environment cabinets only.
  const { rows } = await deps.pool
    .query<{ id: string }>(`SELECT id FROM connections WHERE source = 'marketplaces' ORDER BY created_at, id`)
    .catch((err: { code?: string }) => {
      if (err.code === '42P01') return { rows: [] as { id: string }[] };
      throw err;
    });
  const runIds: string[] = [];
  for (const connectionId of [ENV_CONNECTION_ID, ...rows.map((r) => r.id)]) {
    runIds.push((await submitRun(deps, 'marketplaces', 'marketplaces.push', {}, { connectionId })).runId);
  }
  return runIds;
}
