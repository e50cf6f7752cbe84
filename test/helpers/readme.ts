/**
 * README.md's shell examples, read at test time, and the answers they promise.
 *
 * An example is a `curl` command in a ```sh block (continuation lines joined). The comment line
 * after it that starts `# →` says what it answers:
 *
 *   # → [eventually] [status] [pattern] [prose…]
 *
 * - `eventually`: ask again until the answer matches (a run or a delivery still on its way).
 * - `status`: the HTTP status; without one any 2xx will do.
 * - `pattern`: JSON in which `"<name>"` stands for any value, `…` in an object allows more keys,
 *   `…` in a list means "holds at least these", and an object whose only key is `"<name>"`
 *   means "a non-empty map whose every value matches".
 * - Placeholders bind: `<run id>` taken from one answer is put into later commands that name it.
 *   In the answer of a command that names it, and in an `eventually` answer, a bound placeholder
 *   must come back equal (the run we are waiting for); elsewhere it binds afresh.
 * A curl with no `# →` line must answer 2xx.
 */

export interface Example {
  section: string;
  /** The command as README prints it, continuation lines joined. */
  command: string;
  line: number;
  expect?: Expectation;
}

export interface Expectation {
  text: string;
  eventually: boolean;
  status?: number;
  pattern?: Pattern;
}

export type Pattern =
  | { kind: 'placeholder'; name: string }
  | { kind: 'literal'; value: unknown }
  | { kind: 'object'; entries: [string, Pattern][]; more: boolean }
  | { kind: 'map'; name: string; value: Pattern }
  | { kind: 'array'; items: Pattern[]; more: boolean };

/** Every shell command of README's ```sh blocks, with the heading it sits under. */
export function readmeExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  let section = '';
  let inSh = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!inSh && /^#{2,3} /.test(line)) section = line.replace(/^#+ /, '').trim();
    if (/^\s*```sh\s*$/.test(line)) {
      inSh = true;
      continue;
    }
    if (inSh && /^\s*```\s*$/.test(line)) {
      inSh = false;
      continue;
    }
    if (!inSh || line.trim() === '' || line.trim().startsWith('#')) continue;
    const start = i;
    let command = line.trim();
    for (;;) {
      if (i + 1 >= lines.length) break;
      if (command.endsWith('\\')) command = `${command.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
      // A quoted argument that goes on to the next line keeps its newline, as in a shell.
      else if (openQuote(command)) command = `${command}\n${lines[++i]!}`;
      else break;
    }
    const next = lines[i + 1]?.trim() ?? '';
    examples.push({
      section,
      command,
      line: start + 1,
      expect: next.startsWith('# →') ? parseExpectation(next.slice(3).trim()) : undefined,
    });
  }
  return examples;
}

/** True when `text` ends inside a '…' or "…" string (shell quoting, backslash escapes outside '…'). */
function openQuote(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') i++;
    else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return false;
  }
  return quote !== undefined;
}

export function parseExpectation(text: string): Expectation {
  let rest = text;
  const eventually = rest.startsWith('eventually ');
  if (eventually) rest = rest.slice('eventually '.length).trimStart();
  let status: number | undefined;
  const m = /^(\d{3})\b\s*/.exec(rest);
  if (m) {
    status = Number(m[1]);
    rest = rest.slice(m[0].length);
  }
  const pattern = rest.startsWith('{') || rest.startsWith('[') ? new PatternParser(rest).parse() : undefined;
  return { text, eventually, status, pattern };
}

/** A small JSON parser that also reads `…` and turns `"<name>"` into placeholders. */
class PatternParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Pattern {
    return this.value();
  }

  private ws(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private value(): Pattern {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const str = this.string();
      const ph = /^<([^<>]+)>$/.exec(str);
      return ph ? { kind: 'placeholder', name: ph[1]! } : { kind: 'literal', value: str };
    }
    const lit = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!lit) throw new Error(`README pattern: unexpected ${JSON.stringify(this.s.slice(this.i, this.i + 20))} in ${this.s}`);
    this.i += lit[0].length;
    return { kind: 'literal', value: JSON.parse(lit[0]) };
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.s[this.i] !== '"') {
      if (this.i >= this.s.length) throw new Error(`README pattern: unterminated string in ${this.s}`);
      if (this.s[this.i] === '\\') this.i++;
      this.i++;
    }
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private more(): boolean {
    this.ws();
    if (this.s[this.i] === '…') {
      this.i++;
      this.ws();
      return true;
    }
    return false;
  }

  private object(): Pattern {
    this.i++;
    const entries: [string, Pattern][] = [];
    let more = false;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') break;
      if (this.more()) {
        more = true;
      } else {
        const key = this.string();
        this.ws();
        if (this.s[this.i++] !== ':') throw new Error(`README pattern: expected ':' after "${key}" in ${this.s}`);
        entries.push([key, this.value()]);
      }
      this.ws();
      if (this.s[this.i] === ',') this.i++;
    }
    this.i++;
    const only = entries.length === 1 && !more ? /^<([^<>]+)>$/.exec(entries[0]![0]) : null;
    if (only) return { kind: 'map', name: only[1]!, value: entries[0]![1] };
    return { kind: 'object', entries, more };
  }

  private array(): Pattern {
    this.i++;
    const items: Pattern[] = [];
    let more = false;
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') break;
      if (this.more()) more = true;
      else items.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
    }
    this.i++;
    return { kind: 'array', items, more };
  }
}

export type Bindings = Map<string, unknown>;

/**
 * Matches `actual` against `pattern`; answers a description of the first mismatch, or undefined.
 * New bindings go into `bindings` only when everything matched. `compare` names the placeholders
 * that must come back equal to their bound value.
 */
export function matchPattern(
  pattern: Pattern,
  actual: unknown,
  bindings: Bindings,
  compare: (name: string) => boolean,
): string | undefined {
  const scratch = new Map(bindings);
  const problem = match(pattern, actual, '$', scratch, compare);
  if (!problem) for (const [k, v] of scratch) bindings.set(k, v);
  return problem;
}

function match(p: Pattern, a: unknown, at: string, b: Bindings, compare: (name: string) => boolean): string | undefined {
  switch (p.kind) {
    case 'placeholder':
      if (a === undefined) return `${at}: missing (<${p.name}>)`;
      if (compare(p.name) && b.has(p.name))
        return String(b.get(p.name)) === String(a)
          ? undefined
          : `${at}: ${JSON.stringify(a)} is not <${p.name}> = ${JSON.stringify(b.get(p.name))}`;
      b.set(p.name, a);
      return undefined;
    case 'literal':
      return JSON.stringify(a) === JSON.stringify(p.value)
        ? undefined
        : `${at}: ${JSON.stringify(a)} instead of ${JSON.stringify(p.value)}`;
    case 'map': {
      if (!a || typeof a !== 'object' || Array.isArray(a)) return `${at}: not an object`;
      const entries = Object.entries(a);
      if (entries.length === 0) return `${at}: empty (expected at least one <${p.name}>)`;
      for (const [k, v] of entries) {
        const problem = match(p.value, v, `${at}.${k}`, b, compare);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'object': {
      if (!a || typeof a !== 'object' || Array.isArray(a)) return `${at}: ${JSON.stringify(a)} is not an object`;
      const obj = a as Record<string, unknown>;
      for (const [k, v] of p.entries) {
        const problem = match(v, obj[k], `${at}.${k}`, b, compare);
        if (problem) return problem;
      }
      if (!p.more) {
        const extra = Object.keys(obj).filter((k) => !p.entries.some(([key]) => key === k));
        if (extra.length) return `${at}: unexpected keys ${extra.join(', ')}`;
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(a)) return `${at}: ${JSON.stringify(a)} is not a list`;
      if (!p.more) {
        if (a.length !== p.items.length) return `${at}: ${a.length} items instead of ${p.items.length}`;
        for (let i = 0; i < a.length; i++) {
          const problem = match(p.items[i]!, a[i], `${at}[${i}]`, b, compare);
          if (problem) return problem;
        }
        return undefined;
      }
      for (const [i, item] of p.items.entries()) {
        let found = false;
        for (const el of a) {
          const scratch = new Map(b);
          if (!match(item, el, at, scratch, compare)) {
            for (const [k, v] of scratch) b.set(k, v);
            found = true;
            break;
          }
        }
        if (!found) return `${at}: no item matches pattern ${i + 1} (${a.length} items)`;
      }
      return undefined;
    }
  }
}

/** The placeholders a command names, e.g. `<run id>` in `…/api/runs/<run id>`. */
export function commandPlaceholders(command: string): string[] {
  return [...command.matchAll(/<([a-z][a-z ]*)>/g)].map((m) => m[1]!);
}
