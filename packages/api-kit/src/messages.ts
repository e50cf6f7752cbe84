import type { z } from 'zod';

/**
 * What a user reads when a field is wrong, in place of zod's default wording ("Invalid input:
 * expected number, received string"). Applied to every request the gateway parses (per-parse error
 * map, see `safeParseInput`); a schema's own message (`z.string().min(1, 'must not be empty')`)
 * still wins. Each message completes the sentence "<field> …".
 */
export function userMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue.expected, issue.input);
    case 'too_small':
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false);
    case 'too_big':
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false);
    case 'invalid_format':
      return formats[issue.format] ?? (issue.format === 'regex' ? 'is not in the expected format' : `must be a valid ${issue.format}`);
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${show(issue.values[0])}` : `must be one of: ${issue.values.map(show).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      return 'does not match any accepted form';
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has a value that is not allowed';
    default:
      return undefined;
  }
}

const kinds: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  date: 'a date',
  null: 'null',
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return 'true or false';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function invalidType(expected: string, input: unknown): string {
  if (input === undefined) return 'is required';
  const want = kinds[expected] ?? expected;
  // The commonest slip: a number sent as a JSON string ("176275").
  if ((expected === 'number' || expected === 'int') && typeof input === 'string' && /^-?\d+(\.\d+)?$/.test(input.trim())) {
    return `must be ${want}, not text (write ${input.trim()} without quotes)`;
  }
  return `must be ${want}, not ${kindOf(input)}`;
}

function tooSmall(origin: string, min: number, inclusive: boolean): string {
  if (origin === 'string') return min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
  if (origin === 'array' || origin === 'set') return min <= 1 ? 'must not be empty' : `must hold at least ${min} items`;
  if (min === 0 && !inclusive) return 'must be positive';
  return inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
}

function tooBig(origin: string, max: number, inclusive: boolean): string {
  if (origin === 'string') return `must be at most ${max} characters`;
  if (origin === 'array' || origin === 'set') return `must hold at most ${max} items`;
  return inclusive ? `must be at most ${max}` : `must be less than ${max}`;
}

const formats: Record<string, string> = {
  email: 'must be an email address',
  url: 'must be a URL (http:// or https://)',
  uuid: 'must be a UUID',
  guid: 'must be a UUID',
  datetime: 'must be a date and time (ISO 8601, e.g. 2026-04-01T00:00:00Z)',
  date: 'must be a date YYYY-MM-DD',
  time: 'must be a time HH:MM[:SS]',
  starts_with: 'does not start as expected',
  ends_with: 'does not end as expected',
  includes: 'does not hold the expected text',
};

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
