import type { FieldError } from '@datasync/api-kit';

/** How big a parsed request may be before anything (zod, the NUL check, canonical JSON) walks it. */
export interface JsonBounds {
  /** Objects and arrays nested at most this deep (the body itself is level 1). */
  maxDepth: number;
  /** Items of one array, or fields of one object. */
  maxItems: number;
  /** Characters of one string or field name. */
  maxString: number;
}

const fieldOf = (path: (string | number)[]) => (path.length ? path.join('.') : '(body)');

/**
 * The first place `value` breaks `bounds`, as a field error, or undefined when it fits. Iterative
 * (an explicit stack, never recursion), so a body nested 100,000 deep is refused, not a stack
 * overflow; it stops at the first level past `maxDepth`, so its cost is bounded by the body size.
 */
export function boundsViolation(value: unknown, bounds: JsonBounds): FieldError | undefined {
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.length > bounds.maxString) return { field: fieldOf(path), message: `must be at most ${bounds.maxString} characters` };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > bounds.maxDepth)
      return { field: fieldOf(path), message: `nests objects or lists deeper than ${bounds.maxDepth} levels` };
    if (Array.isArray(v)) {
      if (v.length > bounds.maxItems) return { field: fieldOf(path), message: `must hold at most ${bounds.maxItems} items` };
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i], depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > bounds.maxItems) return { field: fieldOf(path), message: `must hold at most ${bounds.maxItems} fields` };
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key.length > bounds.maxString)
        return { field: fieldOf(path), message: `has a field name longer than ${bounds.maxString} characters` };
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Where `value` holds a NUL character (PostgreSQL text and jsonb cannot store one), as field paths.
 * Iterative for the same reason as `boundsViolation`, which runs first.
 */
export function nulFields(value: unknown): string[] {
  const out: string[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) out.push(path.join('.') || '(request)');
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        if (k.includes('\u0000')) out.push([...path, k.replaceAll('\u0000', '\\0')].join('.'));
        stack.push({ value: child, path: [...path, k] });
      }
    }
  }
  return out;
}
