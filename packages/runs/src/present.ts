import { isIdleRun, runTrigger, type RunRecord } from './store';

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

type EntityProgress = { state?: unknown; rows?: unknown; total?: unknown };

/** `progress.plan`: the entities a run goes through, in order, when the worker announces them. */
function planOf(progress: Record<string, unknown>): string[] | undefined {
  const plan = progress.plan;
  return Array.isArray(plan) && plan.length > 0 && plan.every((p) => typeof p === 'string') ? plan : undefined;
}

/** How much of one planned entity is done, 0–1: done is 1, a page count against a known total is its share. */
function entityShare(e: EntityProgress | undefined): number {
  if (!e) return 0;
  if (e.state === 'done') return 1;
  if (num(e.rows) && num(e.total) && e.total > 0) return Math.min(e.rows / e.total, 0.99);
  return 0;
}

/**
 * The entity a run with a plan is on: its name and place (1-based) in the plan; the last one once
 * every entity is done. Null without a plan.
 */
export function currentStep(progress: Record<string, unknown>): { entity: string; number: number; of: number } | null {
  const plan = planOf(progress);
  if (!plan) return null;
  const entities = (progress.entities ?? {}) as Record<string, EntityProgress>;
  const at = plan.findIndex((name) => entities[name]?.state !== 'done');
  const index = at === -1 ? plan.length - 1 : at;
  return { entity: plan[index]!, number: index + 1, of: plan.length };
}

/**
 * How far a run is, 0–100, read from the shapes of progress the connectors report: `percent`;
 * a `plan` of entities (whole run; see currentStep); `{total, <done|rows|listings|records>}`; the current stage's `<x>` against `<x>Total`; or an
 * `entities` map of `{rows, total}` (summed). Null when the progress does not say.
 */
export function progressPercent(progress: Record<string, unknown>): number | null {
  const clamp = (p: number) => Math.max(0, Math.min(100, Math.round(p * 10) / 10));
  if (num(progress.percent)) return clamp(progress.percent);
  // A plan covers the whole run: each entity an equal share, so the figure only grows from entity to entity.
  const plan = planOf(progress);
  if (plan) {
    const entities = (progress.entities ?? {}) as Record<string, EntityProgress>;
    return clamp((plan.reduce((sum, name) => sum + entityShare(entities[name]), 0) / plan.length) * 100);
  }
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
    step: currentStep(run.progress),
    counts: run.counts,
    error: run.error,
    attempts: run.attempts,
    worker: run.worker,
    scheduleId: run.scheduleId,
    /** The backfill this run is a chunk of. */
    parentRunId: run.parentRunId,
    /** A backfill's chunk count (its children are listed by GET /api/runs/:id). */
    childrenTotal: run.childrenTotal,
    resync: run.resync,
    trigger: runTrigger(run),
    idle: isIdleRun(run),
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.startedAt && end ? end.getTime() - run.startedAt.getTime() : null,
  };
}
export type PresentedRun = ReturnType<typeof presentRun>;
