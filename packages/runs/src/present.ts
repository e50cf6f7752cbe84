import type { RunRecord } from './store';

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * How far a run is, 0–100, read from the shapes of progress the connectors report: `percent`;
 * `{total, <done|rows|listings|records>}`; the current stage's `<x>` against `<x>Total`; or an
 * `entities` map of `{rows, total}` (summed). Null when the progress does not say.
 */
export function progressPercent(progress: Record<string, unknown>): number | null {
  const clamp = (p: number) => Math.max(0, Math.min(100, Math.round(p * 10) / 10));
  if (num(progress.percent)) return clamp(progress.percent);
  if (num(progress.total) && progress.total > 0) {
    const done = ['done', 'rows', 'listings', 'records'].map((k) => progress[k]).find(num);
    if (done !== undefined) return clamp((done / progress.total) * 100);
  }
  const stage = typeof progress.stage === 'string' ? progress.stage : undefined;
  const stageTotal = stage ? progress[`${stage}Total`] : undefined;
  if (stage && num(progress[stage]) && num(stageTotal) && stageTotal > 0) return clamp(((progress[stage] as number) / stageTotal) * 100);
  if (progress.entities && typeof progress.entities === 'object') {
    let rows = 0;
    let total = 0;
    for (const e of Object.values(progress.entities as Record<string, { rows?: unknown; total?: unknown }>)) {
      if (num(e.total) && num(e.rows)) {
        rows += Math.min(e.rows, e.total);
        total += e.total;
      }
    }
    if (total > 0) return clamp((rows / total) * 100);
  }
  return null;
}

/** A run as the API (and a webhook) shows it: no checkpoint internals, times as ISO text, its duration. */
export function presentRun(run: RunRecord) {
  const end = run.finishedAt ?? (run.state === 'running' ? new Date() : null);
  return {
    id: run.id,
    source: run.source,
    jobName: run.jobName,
    params: run.params,
    state: run.state,
    progress: run.progress,
    percent: run.state === 'done' ? 100 : progressPercent(run.progress),
    counts: run.counts,
    error: run.error,
    attempts: run.attempts,
    worker: run.worker,
    scheduleId: run.scheduleId,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.startedAt && end ? end.getTime() - run.startedAt.getTime() : null,
  };
}
export type PresentedRun = ReturnType<typeof presentRun>;
