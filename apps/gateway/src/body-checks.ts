/** Deepest nesting a request may have: no route's input goes past a few levels. */
export const MAX_BODY_DEPTH = 32;

export interface BodyIssue {
  field: string;
  message: string;
}

/**
 * Checks made on every request before its route validates it, walking the input without recursion
 * (a body of 50 000 nested lists would overflow the stack of a recursive walk, answering 500):
 * - a NUL character in a key or a string (PostgreSQL text and jsonb cannot store one);
 * - nesting deeper than MAX_BODY_DEPTH, named by the path to the first level too deep.
 */
export function bodyIssues(input: unknown): BodyIssue[] {
  const out: BodyIssue[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  let tooDeep = false;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) out.push({ field: path.join('.') || '(request)', message: 'must not contain a NUL character' });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_BODY_DEPTH) {
      if (!tooDeep) out.push({ field: path.join('.'), message: `is nested too deeply (more than ${MAX_BODY_DEPTH} levels)` });
      tooDeep = true;
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i]!;
      if (k.includes('\u0000')) out.push({ field: [...path, k.replaceAll('\u0000', '\\0')].join('.'), message: 'must not contain a NUL character' });
      stack.push({ value: v, path: [...path, k] });
    }
  }
  return out;
}
