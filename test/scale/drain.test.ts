import { afterEach, describe, expect, it } from 'vitest';
import { spawnWorker, waitFor, waitForLine, type WorkerProcess } from '../helpers';
import { reliabilitySource, useBench } from '../reliability/sources';

/**
 * Graceful drain (README "Graceful shutdown"): a real worker process gets SIGTERM while a run is
 * mid-page. Its `/ready` answers 503 while it still holds the job, it exits within
 * SHUTDOWN_GRACE_MS, a second process resumes from the checkpoint, and the run ends equal to the
 * sandbox with at most one page asked twice and none of its attempts spent (JOB_ATTEMPTS=1: a
 * spent attempt would fail the run). Avito: its checkpoint is the next page of the search, so
 * the only page a resume asks again is the one in flight at the signal.
 */
const source = reliabilitySource('avito');
const t = useBench({ sources: [source], env: () => ({ JOB_ATTEMPTS: '1', WORKER_CONCURRENCY: '1' }) });
const spawned: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((w) => w.stop('SIGKILL')));
});

/** Time the process needs to exit once its drain is over (closing Redis, Postgres, the log). */
const EXIT_MARGIN_MS = 2_000;

/** A worker process with its /ready listener on a free port; answers once it consumes. */
async function startWorker(graceMs: number, env: Record<string, string> = {}) {
  const w = spawnWorker(source.app, { ...t.env, SHUTDOWN_GRACE_MS: String(graceMs), WORKER_HEALTH_PORT: '0', ...env });
  spawned.push(w);
  const line = await waitForLine(w, `${source.name} worker consuming`, 60_000);
  return { w, ready: `${String(line.health)}/ready` };
}

/** Two worker processes, both consuming before the run is submitted (a slow start cannot miss it). */
const startTwo = (graceMs: number, env: Record<string, string> = {}) => Promise.all([startWorker(graceMs, env), startWorker(graceMs, env)]);
type Started = Awaited<ReturnType<typeof startWorker>>;
/** The one of `two` whose pid is `pid` (it holds the run), and the other. */
function holderAndOther(two: Started[], pid: number): [Started, Started] {
  const first = two.find((s) => s.w.child.pid === pid);
  if (!first) throw new Error(`the run is held by ${pid}, not by one of the two workers`);
  return [first, two.find((s) => s !== first)!];
}

const readyStatus = (url: string) => fetch(url).then((r) => r.status);
const pidOf = (run: { worker?: unknown }) =>
  Number(
    String(run.worker ?? '')
      .split(':')
      .pop(),
  );

/** How many times each page was asked upstream (every request counts, answered or cut off). */
async function asksPerPage() {
  const pages = (await t.control.requests(source.dataPath)).requests.filter((r) => source.isPage(r));
  const asks = new Map<string, number>();
  for (const r of pages) {
    const key = `${r.method} ${r.path}?${JSON.stringify(r.query)} ${JSON.stringify(r.body ?? null)}`;
    asks.set(key, (asks.get(key) ?? 0) + 1);
  }
  return { distinct: asks.size, repeated: [...asks.entries()].filter(([, n]) => n > 1) };
}

/**
 * SIGTERM to `w`; polls its /ready until 503 and answers whether that was seen while the process
 * still held the run, the exit code, and how long after the signal it exited.
 */
async function terminate(w: WorkerProcess, ready: string, runId: string) {
  const signalledAt = Date.now();
  w.child.kill('SIGTERM');
  const status = await waitFor(async () => ((await readyStatus(ready).catch(() => 0)) === 503 ? 503 : undefined), {
    what: '/ready to answer 503',
    timeoutMs: 10_000,
    intervalMs: 10,
  });
  const run = await t.api.run(runId);
  const heldWhileUnready = w.child.exitCode === null && run.state === 'running' && pidOf(run) === w.child.pid;
  await w.exited;
  return { status, heldWhileUnready, exitCode: w.child.exitCode, exitMs: Date.now() - signalledAt };
}

describe('a worker drains on SIGTERM', () => {
  it('commits the page in hand, hands the run back and exits within the grace time; the next worker resumes it with at most one page asked twice', async () => {
    const graceMs = 8_000;
    const target = await source.prepare(t.control, t.pool, { large: true });
    await t.control.clearFaults();
    // Every page takes a second upstream: the run lasts long enough to be caught mid-page.
    const { ids } = (await t.control.addFault({ path: source.dataPath, kind: 'delay', delayMs: 1_000 })) as { ids: number[] };
    await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });

    const two = await startTwo(graceMs);
    for (const { ready } of two) expect(await readyStatus(ready)).toBe(200);
    const id = await t.api.submit(target.submit);
    const holder = await waitFor(
      async () => {
        const r = await t.api.run(id);
        expect(r.state, 'the run ended before the signal').not.toMatch(/^(done|failed)$/);
        return r.state === 'running' && (r.counts.pages ?? 0) >= 2 ? pidOf(r) : undefined;
      },
      { what: 'a worker to commit two pages', timeoutMs: 60_000, intervalMs: 50 },
    );
    const [first, second] = holderAndOther(two, holder);
    // The signal lands just after a page was committed: the next one was asked for as that page
    // arrived, so the worker holds the run about a second longer (that page's latency) before it
    // commits it and hands the run back.
    expect((await t.control.injected())[ids[0]!], 'the pages were slowed').toBeGreaterThan(0);
    const pagesNow = async () => (await t.api.run(id)).counts.pages ?? 0;
    const committed = await pagesNow();
    await waitFor(async () => ((await pagesNow()) > committed ? true : undefined), {
      what: 'the next page to be committed',
      intervalMs: 10,
    });

    const stop = await terminate(first.w, first.ready, id);
    expect(stop.status).toBe(503);
    expect(stop.heldWhileUnready, '/ready answered 503 while the worker still held the run').toBe(true);
    expect(stop.exitCode, first.w.output().slice(-2000)).toBe(0);
    expect(stop.exitMs).toBeLessThan(graceMs + EXIT_MARGIN_MS);
    const handedBack = first.w.lines.find((l) => l.msg === 'run handed back');
    expect(handedBack, 'the first worker handed the run back').toBeDefined();
    const resumeFrom = (handedBack!.resumeFrom as { page: number }).page;
    expect(resumeFrom).toBeGreaterThanOrEqual(2);

    const run = await t.api.finished(id, 90_000);
    await t.control.clearFaults();
    expect(run.error ?? null).toBeNull();
    expect(run.state).toBe('done');
    expect(run.attempts, 'the hand-back spent no attempt').toBe(1);
    expect(pidOf(run), 'the second worker finished it').toBe(second.w.child.pid);
    const started = second.w.lines.find((l) => l.msg === 'run started');
    expect(started?.resumeFrom, 'the second worker resumed from the checkpoint').toMatchObject({ page: resumeFrom });
    await target.expectEqual(id);

    const { distinct, repeated } = await asksPerPage();
    expect(repeated.length, `pages asked twice: ${JSON.stringify(repeated)}`).toBeLessThanOrEqual(1);
    for (const [, n] of repeated) expect(n).toBe(2);
    expect(distinct).toBeGreaterThan(resumeFrom);
    console.log(
      `drain: exit ${stop.exitMs} ms after SIGTERM (grace ${graceMs}), resumed after page ${resumeFrom}, ${repeated.length} of ${distinct} pages asked twice`,
    );
    await second.w.stop();
  }, 150_000);

  it('a page slower than the grace time: the job is handed back at the deadline and another worker finishes it, nothing lost, no attempt spent', async () => {
    const graceMs = 3_000;
    const target = await source.prepare(t.control, t.pool, { large: true });
    await t.control.clearFaults();
    // The fourth page request hangs far beyond the grace time (once: asked again, it answers).
    const { ids } = (await t.control.addFault({ path: source.dataPath, kind: 'delay', delayMs: 60_000, skip: 3, times: 1 })) as {
      ids: number[];
    };
    await fetch(`${t.sandbox.url}/_control/requests`, { method: 'DELETE' });

    // Their HTTP timeout outlasts the grace time: nothing but the deadline ends the wait.
    const two = await startTwo(graceMs, { HTTP_TIMEOUT_MS: '120000' });
    const id = await t.api.submit(target.submit);
    await waitFor(async () => ((await t.control.injected())[ids[0]!] ?? 0) > 0 || undefined, {
      what: 'a worker to wait on the slow page',
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const before = await t.api.run(id);
    expect(before.state).toBe('running');
    const [first, second] = holderAndOther(two, pidOf(before));

    const stop = await terminate(first.w, first.ready, id);
    expect(stop.heldWhileUnready, '/ready answered 503 while the worker still held the run').toBe(true);
    expect(stop.exitCode, first.w.output().slice(-2000)).toBe(0);
    expect(stop.exitMs).toBeLessThan(graceMs + EXIT_MARGIN_MS);
    expect(
      first.w.lines.some((l) => l.msg === 'jobs still working at the shutdown deadline were handed back'),
      first.w.output().slice(-3000),
    ).toBe(true);

    const run = await t.api.finished(id, 90_000);
    await t.control.clearFaults();
    expect(run.error ?? null).toBeNull();
    expect(run.state).toBe('done');
    expect(run.attempts, 'the hand-back spent no attempt').toBe(1);
    expect(pidOf(run)).toBe(second.w.child.pid);
    await target.expectEqual(id);

    // The abandoned page was never committed, so the next worker asks for it again: the counter
    // sees exactly that one page twice (the same count the first test bounds).
    const { repeated } = await asksPerPage();
    expect(
      repeated.map(([, n]) => n),
      `pages asked twice: ${JSON.stringify(repeated)}`,
    ).toEqual([2]);
    console.log(`drain at the deadline: exit ${stop.exitMs} ms after SIGTERM (grace ${graceMs})`);
    await second.w.stop();
  }, 150_000);
});
