import cliProgress from 'cli-progress';
import type { GatewayClient, Run } from './client';

/** `listings 134, pages 27`: the run's counts as the source names them. */
const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'nothing written yet';

/** Where the run is, for the bar's label: `records (6 of 9)` when the worker announced a plan, else its stage. */
function stageOf(run: Run): string {
  if (run.step) return `${run.step.entity} (${run.step.number} of ${run.step.of})`;
  const stage = run.progress.stage;
  if (typeof stage === 'string') return stage;
  if (typeof run.progress.page === 'number') return `page ${run.progress.page}`;
  return run.state;
}

/**
 * The bar's value: never below what it showed (a retried attempt starts its entities again), and
 * 100 only once the run is done — a figure at 100 with work left would say it has finished.
 */
function shownPercent(run: Run, shown: number): number {
  if (run.state === 'done') return 100;
  return Math.max(shown, Math.min(run.percent ?? 0, 99));
}

/**
 * Follows a run until it ends, with a live progress bar on a terminal (percent when the source's
 * progress says it, the entity or stage and the counts always), or one line per change elsewhere
 * (a pipe, CI); answers the ended run.
 */
export async function watchRun(
  client: GatewayClient,
  runId: string,
  options: { intervalMs?: number; out?: NodeJS.WriteStream } = {},
): Promise<Run> {
  const out = options.out ?? process.stderr;
  const bar = out.isTTY
    ? new cliProgress.SingleBar(
        { stream: out, format: ' {bar} {percentage}% | {state} | {stage} | {counts}', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let shown = 0;
  let last = '';
  let started = false;
  for (;;) {
    const run = await client.call<Run>('GET', `/api/runs/${runId}`);
    shown = shownPercent(run, shown);
    const payload = { state: run.state, stage: stageOf(run), counts: countsText(run.counts) };
    if (bar) {
      if (!started) bar.start(100, shown, payload);
      else bar.update(shown, payload);
    } else {
      const text = `${shown}% | ${payload.state} | ${payload.stage} | ${payload.counts}`;
      if (text !== last) out.write(`${text}\n`);
      last = text;
    }
    started = true;
    if (run.state === 'done' || run.state === 'failed') {
      bar?.stop();
      return run;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
