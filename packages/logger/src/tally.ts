import type { Logger } from 'pino';

/**
 * Per-item warnings of one run, told once: each item goes to `debug` (the detail is there when
 * asked for), and `flush` writes one `warn` line with the count per reason and the first example
 * of each — a source with a hundred malformed items prints one line, not a hundred.
 */
export class WarningTally {
  private readonly counts = new Map<string, number>();
  private readonly examples = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly log: Logger,
    /** What happened to the items, e.g. `skipped malformed attempts`. */
    private readonly message: string,
  ) {}

  note(reason: string, detail: Record<string, unknown> = {}): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (!this.examples.has(reason)) this.examples.set(reason, detail);
    this.log.debug({ reason, ...detail }, this.message);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** The summary line (nothing when no item was noted); the tally starts again empty. */
  flush(extra: Record<string, unknown> = {}): void {
    const total = this.total;
    if (total === 0) return;
    const byReason = Object.fromEntries(this.counts);
    const reasons = [...this.counts].map(([r, n]) => `${r} ${n}`).join(', ');
    this.log.warn({ ...extra, total, byReason, examples: Object.fromEntries(this.examples) }, `${this.message}: ${total} (${reasons})`);
    this.counts.clear();
    this.examples.clear();
  }
}
