import { WaitingError, type Job } from 'bullmq';

/**
 * Graceful drain (SIGTERM): the jobs a worker process holds, and how each goes back to the queue.
 *
 * On `stop()` every handler's `ctx.signal` aborts; the stream engine then throws `HandedBackError`
 * after the page it is on is committed, and the worker returns the job to the queue's waiting list
 * (BullMQ's `moveToWait` with the job's lock token: the lock is released, `attemptsMade` is left
 * as it was) and the run to `queued`. The next worker resumes after that page. A handler that
 * cannot stop (one long upstream call, a page slower than the grace time) is handed back the same
 * way at the deadline (`handBackAll`): its further commits are refused, a commit in flight is
 * awaited first, so the next worker never sees a checkpoint move under it.
 */

/** Thrown where a handler stops for a drain: its work so far is committed, and the job goes back to the queue. */
export class HandedBackError extends Error {
  constructor(message = 'handed back: the worker is stopping') {
    super(message);
    this.name = 'HandedBackError';
  }
}

/**
 * When, after the signal, jobs still working are handed back: the grace time less what handing
 * back and closing connections take (a fifth of it, at most 5 s).
 */
export function handBackAfterMs(graceMs: number): number {
  return graceMs - Math.min(5_000, Math.floor(graceMs / 5));
}

/** One job this process works on. */
export class HeldJob {
  private state: 'working' | 'finishing' | 'handedBack' = 'working';
  private readonly commits = new Set<Promise<unknown>>();
  private handingBack?: Promise<void>;
  private rejectForced!: (err: Error) => void;
  /** Rejects (with BullMQ's WaitingError) once the job was handed back at the deadline: the processor ends with it. */
  readonly forced: Promise<never>;

  constructor(
    readonly job: Job,
    private readonly token: string | undefined,
    /** Puts the run back to `queued`; runs before the job is moved, so a next worker's `running` is never overwritten. */
    private readonly requeueRun: () => Promise<void>,
  ) {
    this.forced = new Promise<never>((_resolve, reject) => {
      this.rejectForced = reject;
    });
    this.forced.catch(() => undefined);
  }

  get handedBack(): boolean {
    return this.state === 'handedBack';
  }

  /** Runs one page's commit, unless the job was handed back (then HandedBackError: nothing is written). */
  async commit<T>(write: () => Promise<T>): Promise<T> {
    if (this.state === 'handedBack') throw new HandedBackError('handed back: no page is committed after the hand-back');
    const pending = write();
    this.commits.add(pending);
    try {
      return await pending;
    } finally {
      this.commits.delete(pending);
    }
  }

  /** The handler returned or failed: the run ends as usual. False when the job was handed back meanwhile. */
  finishing(): boolean {
    if (this.state === 'handedBack') return false;
    this.state = 'finishing';
    return true;
  }

  /** Refuses further commits, waits for one in flight, then returns the run to `queued` and the job to the waiting list. Once. */
  handBack(): Promise<void> {
    this.state = 'handedBack';
    this.handingBack ??= (async () => {
      await Promise.allSettled([...this.commits]);
      await this.requeueRun();
      await this.job.moveToWait(this.token);
    })();
    return this.handingBack;
  }

  /** The deadline: a job still working is handed back and its processor ends now (its handler is abandoned). */
  async forceHandBack(): Promise<void> {
    if (this.state !== 'working') return;
    await this.handBack();
    this.rejectForced(new WaitingError('handed back at the shutdown deadline'));
  }
}

/** The jobs in hand of one worker process, and the signal their handlers watch. */
export class JobsInHand {
  private readonly controller = new AbortController();
  private readonly held = new Set<HeldJob>();

  /** Aborted once the process is stopping. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  hold(job: Job, token: string | undefined, requeueRun: () => Promise<void>): HeldJob {
    const held = new HeldJob(job, token, requeueRun);
    this.held.add(held);
    return held;
  }

  release(held: HeldJob): void {
    this.held.delete(held);
  }

  /** SIGTERM: every handler is told to stop after the page it is on. */
  stop(): void {
    this.controller.abort(new HandedBackError());
  }

  /** The deadline: every job still working goes back to the queue. */
  async handBackAll(): Promise<number> {
    const working = [...this.held];
    await Promise.allSettled(working.map((h) => h.forceHandBack()));
    return working.filter((h) => h.handedBack).length;
  }
}
