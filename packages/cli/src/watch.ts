import cliProgress from 'cli-progress';
import type { GatewayClient, Run } from './client';

/** `listings 134, pages 27`: the run's counts as the source names them. */
const countsText = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing written yet';

/** The stage a run reports, for the bar's label. */
function stageOf(run: Run): string {
  const stage = run.progress.stage;
  if (typeof stage === 'string') return stage;
  if (typeof run.progress.page === 'number') return `page ${run.progress.page}`;
  return run.state;
}

/**
 * Follows a run until it ends, with a live progress bar on a terminal (percent when the source's
 * progress says it, stage and counts always); answers the ended run.
 */
export async function watchRun(client: GatewayClient, runId: string, options: { intervalMs?: number; out?: NodeJS.WriteStream } = {}): Promise<Run> {
  const out = options.out ?? process.stderr;
  const bar = new cliProgress.SingleBar(
    {
      stream: out,
      format: ' {bar} {percentage}% | {state} | {stage} | {counts}',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  for (;;) {
    const run = await client.call<Run>('GET', `/api/runs/${runId}`);
    const payload = { state: run.state, stage: stageOf(run), counts: countsText(run.counts) };
    const value = run.state === 'done' ? 100 : (run.percent ?? 0);
    if (!started) {
      bar.start(100, value, payload);
      started = true;
    } else bar.update(value, payload);
    if (run.state === 'done' || run.state === 'failed') {
      bar.stop();
      return run;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
