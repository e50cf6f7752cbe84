import type { Redis } from 'ioredis';

export interface RunLogSettings {
  maxLines: number;
  ttlSeconds: number;
}

const key = (prefix: string, runId: string) => `${prefix}:runlog:${runId}`;

/**
 * Each run's log lines in a Redis list (the last `maxLines`, kept `ttlSeconds` after the last
 * write). Lines arrive already redacted by pino (`withRunLog` in @datasync/logger) and are written
 * in small batches, so logging never waits on Redis.
 */
export class RunLogStore {
  private readonly pending = new Map<string, string[]>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly settings: RunLogSettings,
  ) {}

  /** The sink for `withRunLog`. */
  sink(runId: string): (line: string) => void {
    return (line) => {
      const lines = this.pending.get(runId) ?? [];
      lines.push(line.endsWith('\n') ? line.slice(0, -1) : line);
      this.pending.set(runId, lines);
      this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    };
  }

  /** Writes what is pending (called when a run's attempt ends, so its last lines are there). */
  async flush(): Promise<void> {
    this.flushing = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    const m = this.redis.multi();
    for (const [runId, lines] of batch) {
      const k = key(this.prefix, runId);
      m.rpush(k, ...lines).ltrim(k, -this.settings.maxLines, -1).expire(k, this.settings.ttlSeconds);
    }
    await m.exec().then(
      () => undefined,
      () => undefined,
    );
  }
}

/** A run's kept log lines, oldest first, parsed back to objects (lines that are not JSON as text). */
export async function readRunLog(redis: Redis, prefix: string, runId: string): Promise<unknown[]> {
  const lines = await redis.lrange(key(prefix, runId), 0, -1);
  return lines.map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      return l;
    }
  });
}
