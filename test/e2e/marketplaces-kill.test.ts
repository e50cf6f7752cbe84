import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunningSandbox } from '@datasync/sandbox';
import {
  createTestDatabase,
  sandboxControl,
  spawnWorker,
  startTestSandbox,
  waitFor,
  type TestDatabase,
  type WorkerProcess,
} from '../helpers';
import { startMarketplaceStack, toldByFakes } from '../helpers/marketplaces';

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let mp: Awaited<ReturnType<typeof startMarketplaceStack>>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  mp = await startMarketplaceStack(
    db.url,
    sandbox.url,
    { OZON_STOCK_BATCH: '3', WB_STOCK_BATCH: '3', YM_STOCK_BATCH: '3' },
    { inProcessWorker: false },
  );
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await mp?.stack.close();
  await sandbox?.close();
  await db?.drop();
});

describe('marketplaces: a killed worker', () => {
  it('loses nothing: a push killed halfway is finished by another worker, sending only what was not yet accepted', async () => {
    const first = spawnWorker('worker-marketplaces', mp.stack.env);
    workers.push(first);
    expect((await mp.run('/api/marketplaces/catalog')).state).toBe('done');

    const redis = new Redis(mp.stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('marketplaces', { connection: redis, prefix: mp.stack.config.REDIS_PREFIX });
    await queue.pause();
    const { body } = await mp.api('GET', '/api/marketplaces/products?limit=500');
    let pushRun = '';
    for (const [i, p] of body.products.entries()) {
      pushRun = (await mp.api('POST', `/api/marketplaces/products/${p.sku}/adjustments`, { onHand: 50 + i, reason: 'stock take' })).body
        .parser_uuid;
    }
    // Slow Ozon pushes, so the kill lands in the middle of the run.
    await control.addFault({ path: '/ozon/v2/products/stocks', kind: 'delay', delayMs: 300 });
    await fetch(`${sandbox.url}/_control/requests`, { method: 'DELETE' });
    await queue.resume();
    await waitFor(async () => ((await control.requests('/ozon/v2/products/stocks')).requests.length >= 3 ? true : undefined), {
      what: 'the push to be under way',
    });
    await first.stop('SIGKILL');
    const before = (await control.requests('/ozon/v2/products/stocks')).requests.length;

    const second = spawnWorker('worker-marketplaces', mp.stack.env);
    workers.push(second);
    const run = await mp.finished(pushRun);
    expect(run.state).toBe('done');
    // Finished by the second process (the first one's job lock expired and it was handed over).
    expect(run.worker).toMatch(new RegExp(`:${second.child.pid}$`));

    const { body: after } = await mp.api('GET', '/api/marketplaces/products?limit=500');
    for (const p of after.products) {
      const told = await toldByFakes(sandbox.url, p.sku);
      expect([...told.ozon, ...told.ym]).toEqual([p.available, p.available, p.available, p.available]);
    }
    // Batches the first worker had finished were not sent again: 36 pairs in batches of 3 is 12
    // requests, plus at most the one in flight when it died.
    const total = (await control.requests('/ozon/v2/products/stocks')).requests.length;
    expect(total).toBeGreaterThanOrEqual(12);
    expect(total).toBeLessThanOrEqual(13);
    expect(before).toBeLessThan(12);
    await queue.close();
    redis.disconnect();
  }, 90_000);
});
