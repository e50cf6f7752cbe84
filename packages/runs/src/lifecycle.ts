import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { opsQueues } from '@datasync/queues';
import { countUpstreamRequests, MetricsRecorder } from './metrics';
import { onRedisError } from './redis-errors';
import { RunLogStore, type RunLogSettings } from './runlog';
import type { FinishedRun } from './store';

/**
 * The `notifications` job that announces a run's end; its id makes the announcement once per end
 * (a failed run retried with POST /api/runs/:id/retry ends again, and that end is announced too).
 */
export const RUN_FINISHED_JOB = 'run.finished';
export const runFinishedJobId = (runId: string, endedAt?: number) =>
  endedAt === undefined ? `finished-${runId}` : `finished-${runId}-${endedAt}`;

/**
 * What a run worker tells the rest of DataSync, besides `sync_runs`: counters for `/metrics`, the
 * run's log lines, and a `run.finished` event on the notifications queue (the gateways deliver the
 * webhooks and emails and keep schedules' failure counts from it).
 */
export class RunLifecycle {
  readonly metrics: MetricsRecorder;
  readonly logs: RunLogStore;
  private readonly events: Queue;
  private readonly releaseUpstream: () => void;

  constructor(redis: Redis | Cluster, prefix: string, runLog: RunLogSettings) {
    this.metrics = new MetricsRecorder(redis, prefix);
    this.logs = new RunLogStore(redis, prefix, runLog);
    this.events = new Queue(opsQueues.notifications, { connection: redis, prefix });
    this.events.on('error', onRedisError(undefined, 'queue notifications'));
    this.releaseUpstream = countUpstreamRequests(this.metrics, prefix);
  }

  /** After `finishRun` changed the run: counts it and announces it (never throws). */
  async ended(runId: string, outcome: 'done' | 'failed', finished: FinishedRun | undefined): Promise<void> {
    if (!finished) return;
    this.metrics.runFinished(finished.source, outcome, finished.durationMs);
    await this.events
      .add(
        RUN_FINISHED_JOB,
        { runId },
        {
          jobId: runFinishedJobId(runId, finished.endedAt),
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      )
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    this.releaseUpstream();
    await this.logs.flush();
    await this.events.close();
  }
}
