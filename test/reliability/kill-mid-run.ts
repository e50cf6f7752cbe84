import { expect } from 'vitest';
import { spawnWorker, waitFor, type WorkerProcess } from '../helpers';
import { gatewayClient, type Bench, type ReliabilitySource } from './sources';

/**
 * Real worker processes SIGKILLed at seeded random moments of one sync, exactly `kills` times,
 * each while the run is being worked on by the killed process: another process takes the job over
 * within seconds (short lock and stalled-check intervals), resumes from the checkpoint, repeats at
 * most a few page requests per kill (every page counted: query-paged and body-paged alike), and the
 * result equals the source. Used by worker-kill.test.ts (every source) and test/scale (through a
 * pooler); `t` needs WORKER_CONCURRENCY=1 and no workers of its own. The processes it starts go
 * into `spawned`, for the caller's afterAll to kill if it fails half-way.
 *
 * Upstream latency per page (each source's `kill.delayMs`) is chosen so a run outlasts its kills: each
 * kill costs at most ~0.7 s of the run's working time (the random wait before it), and the run needs
 * several times that. Soak's extra kills lengthen the run in proportion. `kill.counts`: the run's
 * counts are the source's sizes (rows re-read after a kill are not counted twice).
 */
export async function expectKillsSurvived(t: Bench, source: ReliabilitySource, kills: number, spawned: WorkerProcess[]): Promise<void> {
  const next = random(0x5eed + source.name.length);
  const api = gatewayClient(t.stack.gateway.url);
  const { delayMs, counts } = source.kill;
  const target = await source.prepare(t.control, t.pool, { large: true });
  await t.control.clearFaults();
  await t.control.addFault({ path: source.dataPath, kind: 'delay', delayMs: Math.round((delayMs * Math.max(3, kills)) / 3) });
  await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });

  const workers = new Map<number, WorkerProcess>();
  const startOne = () => {
    const w = spawnWorker(source.app, t.env);
    spawned.push(w);
    workers.set(w.child.pid!, w);
    return w;
  };
  const ready = (w: WorkerProcess) =>
    waitFor(() => (w.lines.some((l) => String(l.msg).endsWith('worker consuming')) ? true : undefined), { what: 'a worker to start' });
  await Promise.all([ready(startOne()), ready(startOne())]);

  const id = await api.submit(target.submit);
  const pickups: number[] = [];
  for (let kill = 1; kill <= kills; kill++) {
    const holder = await waitFor(
      async () => {
        const r = await api.run(id);
        expect(r.state, `the run ended before kill ${kill} of ${kills}`).not.toMatch(/^(done|failed)$/);
        return r.state === 'running' && workers.has(holderOf(r)) ? holderOf(r) : undefined;
      },
      { what: 'a live worker to hold the run', timeoutMs: 30_000, intervalMs: 25 },
    );
    await new Promise((r) => setTimeout(r, 150 + next() * 550));
    // A replica is up (the replacement of the last kill may still be starting under load).
    await Promise.all([...workers.values()].map(ready));
    const killedAt = Date.now();
    await workers.get(holder)!.stop('SIGKILL');
    workers.delete(holder);
    // The kill hit a run in progress: once the process is dead, the run is still running and
    // still held by it (had it finished first, it would be done, or held by someone else).
    const after = await api.run(id);
    expect({ kill, state: after.state, holder: holderOf(after) }, 'the killed process held a running run').toEqual({
      kill,
      state: 'running',
      holder,
    });
    ready(startOne()).catch(() => {}); // awaited before the next kill
    // Taken over by a live process (after the dead one's lock expires), not after minutes.
    await waitFor(
      async () => {
        const r = await api.run(id);
        return (r.state === 'running' && workers.has(holderOf(r))) || r.state === 'done' || r.state === 'failed' ? true : undefined;
      },
      { what: 'another worker to take the run over', timeoutMs: 15_000, intervalMs: 25 },
    ).catch(async (err: Error) => {
      console.log(JSON.stringify(await api.run(id)), [...workers.values()].map((w) => w.output().slice(-3000)).join('\n----\n'));
      throw err;
    });
    pickups.push(Date.now() - killedAt);
  }
  const run = await api.finished(id, 90_000);
  await t.control.clearFaults();
  expect(run.error ?? null, JSON.stringify(run.error)).toBeNull();
  expect(run.state).toBe('done');
  expect(pickups).toHaveLength(kills);
  for (const ms of pickups) expect(ms).toBeLessThan(8_000);
  await target.expectEqual(id);
  if (counts) expect(run.counts).toMatchObject(counts);

  // Resumed, not restarted: at most a few pages asked again per kill (the ones in flight, the
  // prefetched one, and the page that holds each finished entity's checkpoint row).
  const pages = (await t.control.requests(source.dataPath)).requests.filter((r) => source.isPage(r) && r.status === 200);
  const keys = pages.map((r) => `${r.method} ${r.path}?${JSON.stringify(r.query)} ${JSON.stringify(r.body ?? null)}`);
  const repeated = keys.length - new Set(keys).size;
  expect(
    repeated,
    `${repeated} repeated of ${keys.length} pages after ${kills} kills (pickups ${pickups.join(', ')} ms)`,
  ).toBeLessThanOrEqual(4 * kills);
  expect(new Set(keys).size).toBeGreaterThan(Math.min(3 * kills, 9));
  console.log(`${source.name}: ${kills} kills, pickups ${pickups.join('/')} ms, ${repeated} of ${keys.length} page requests repeated`);
  await Promise.all([...workers.values()].map((w) => w.stop()));
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The pid of the process holding a run (its `worker` is `host:pid`). */
const holderOf = (run: { worker?: unknown }) =>
  Number(
    String(run.worker ?? '')
      .split(':')
      .pop(),
  );
