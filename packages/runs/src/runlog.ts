import type { Cluster, Redis } from 'ioredis';

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
  private scheduled = false;
  /** The writes so far, in order: a flush resolves once every line handed in before it is stored. */
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly settings: RunLogSettings,
  ) {}

  /** The sink for `withRunLog`. */
  sink(runId: string): (line: string) => void {
    return (line) => {
      const lines = this.pending.get(runId) ?? [];
      lines.push(line.endsWith('\n') ? line.slice(0, -1) : line);
      this.pending.set(runId, lines);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    };
  }

  /** Writes what is pending, after the writes before it (called before a run is marked ended). */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.pending.size > 0) {
      const batch = [...this.pending];
      this.pending.clear();
      const m = this.redis.multi();
      for (const [runId, lines] of batch) {
        const k = key(this.prefix, runId);
        m.rpush(k, ...lines)
          .ltrim(k, -this.settings.maxLines, -1)
          .expire(k, this.settings.ttlSeconds);
      }
      // A log that cannot be stored must never fail the run.
      this.written = this.written
        .then(() => m.exec())
        .then(
          () => undefined,
          () => undefined,
        );
    }
    return this.written;
  }
}

/** A run's kept log lines, oldest first, parsed back to objects (lines that are not JSON as text). */
export async function readRunLog(redis: Redis | Cluster, prefix: string, runId: string): Promise<unknown[]> {
  const lines = await redis.lrange(key(prefix, runId), 0, -1);
  return lines.map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      return l;
    }
  });
}
