/**
 * Figure 4's ceiling: the least an Express route that queues a sync can do. A bare Express app
 * with one POST route that parses the JSON body and calls BullMQ `Queue.add` with the gateway's
 * job envelope (`{runId, params}`, job id = run id, the default job options): no validation, no
 * Postgres, no middleware. Run as its own process, started like the gateway
 * (`node --import tsx`, NODE_ENV=production, one process), by `startCeiling` (ceiling-process.ts).
 *
 * Environment: REDIS_URL, REDIS_PREFIX, CEILING_QUEUE, CEILING_JOB, CEILING_ROUTE.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Queue } from 'bullmq';
import { defaultJobOptions } from '@datasync/queues';
import { createRedis } from '@datasync/runs';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const redis = createRedis({ REDIS_URL: env('REDIS_URL') });
const queue = new Queue(env('CEILING_QUEUE'), { connection: redis, prefix: env('REDIS_PREFIX'), defaultJobOptions });
const job = env('CEILING_JOB');

const app = express();
app.use(express.json());
app.post(env('CEILING_ROUTE'), async (req, res) => {
  const runId = randomUUID();
  await queue.add(job, { runId, params: req.body as unknown }, { jobId: runId });
  res.json({ status: 'ok', parser_uuid: runId });
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  // The launcher waits for this line.
  console.log(JSON.stringify({ msg: 'ceiling listening', url: `http://127.0.0.1:${port}` }));
});
process.on('SIGTERM', () => {
  server.close();
  void queue.close().finally(() => {
    redis.disconnect();
    process.exit(0);
  });
});
