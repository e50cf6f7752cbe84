import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, WarningTally } from '../src/index';

/** A logger at debug whose JSON lines are collected. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ name: 'tally-test', level: 'debug', destination }) };
}

describe('WarningTally', () => {
  it('tells 117 malformed items as one warning with the count per reason, each item at debug', () => {
    const { lines, log } = capture();
    const tally = new WarningTally(log, 'skipped malformed attempts');
    const reasons = ['bad_user_id', 'passback_null', 'missing_user_id'];
    const expected: Record<string, number> = {};
    const first: Record<string, { index: number }> = {};
    for (let i = 0; i < 117; i++) {
      const reason = reasons[i % 7 === 0 ? 2 : i % 2]!;
      expected[reason] = (expected[reason] ?? 0) + 1;
      first[reason] ??= { index: i };
      tally.note(reason, { index: i });
    }
    tally.flush({ day: '2026-04-01' });
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ total: 117, byReason: expected, day: '2026-04-01' });
    expect(warnings[0]!.msg).toMatch(/^skipped malformed attempts: 117 \(/);
    expect(warnings[0]!.examples).toEqual(first);
    expect(lines.filter((l) => l.level === 20)).toHaveLength(117);
    // Flushed: a second flush with nothing noted says nothing.
    tally.flush();
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
  });
});
