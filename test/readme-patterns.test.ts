import { describe, expect, it } from 'vitest';
import { matchPattern, parseExpectation, readmeExamples, type Bindings } from './helpers/readme';

/** The README walk is only as good as its matcher: it must refuse what the README does not promise. */
const check = (expectation: string, answer: unknown, bindings: Bindings = new Map(), compare = (_: string) => false) =>
  matchPattern(parseExpectation(expectation).pattern!, answer, bindings, compare);

describe('README expectations', () => {
  it('reads eventually, status and pattern, and leaves prose alone', () => {
    const e = parseExpectation('eventually 201 {"a":1, …}; then prose {not a pattern}');
    expect(e).toMatchObject({ eventually: true, status: 201 });
    expect(check('{"a":1, …}; prose', { a: 1, b: 2 })).toBeUndefined();
    expect(parseExpectation('a sentence only').pattern).toBeUndefined();
  });

  it('refuses wrong literals, missing keys, unexpected keys and wrong list lengths', () => {
    expect(check('{"status":"ok"}', { status: 'Done' })).toMatch(/instead of "ok"/);
    expect(check('{"status":"ok","id":"<id>"}', { status: 'ok' })).toMatch(/missing/);
    expect(check('{"status":"ok"}', { status: 'ok', extra: 1 })).toMatch(/unexpected keys extra/);
    expect(check('{"e":[1,2]}', { e: [1] })).toMatch(/1 items instead of 2/);
    expect(check('{"e":[{"f":"x"}, …]}', { e: [{ f: 'y' }] })).toMatch(/no item matches/);
    expect(check('{"r":{"<k>":{"n":"<n>"}}}', { r: {} })).toMatch(/empty/);
    expect(check('{"r":{"<k>":{"n":"<n>"}}}', { r: { a: { n: 1 }, b: { m: 2 } } })).toMatch(/missing|unexpected/);
  });

  it('binds placeholders, and compares the ones it is told to', () => {
    const b: Bindings = new Map();
    expect(check('{"parser_uuid":"<run id>"}', { parser_uuid: 'u1' }, b)).toBeUndefined();
    expect(b.get('run id')).toBe('u1');
    expect(check('{"id":"<run id>"}', { id: 'u2' }, b, () => true)).toMatch(/is not <run id>/);
    expect(check('{"id":"<run id>"}', { id: 'u1' }, b, () => true)).toBeUndefined();
    // A failed match binds nothing.
    expect(check('{"id":"<other>","x":1}', { id: 'z', x: 2 }, b)).toBeDefined();
    expect(b.has('other')).toBe(false);
  });

  it('extracts commands with continuation lines, quoted newlines and the # → line after them', () => {
    const md = [
      '## Here',
      '```sh',
      "curl -X POST http://h/x -H 'a: b' \\",
      '  -d \'{"a": 1,',
      '       "b": 2}\'',
      '# → 201 {"ok":true}',
      'curl http://h/y   # a comment',
      '```',
    ].join('\n');
    const [first, second] = readmeExamples(md);
    expect(first).toMatchObject({
      section: 'Here',
      line: 3,
      command: 'curl -X POST http://h/x -H \'a: b\' -d \'{"a": 1,\n       "b": 2}\'',
    });
    expect(first!.expect).toMatchObject({ status: 201 });
    expect(second).toMatchObject({ command: 'curl http://h/y   # a comment', expect: undefined });
  });
});
