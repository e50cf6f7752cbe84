/**
 * A small model of Django REST Framework serializer fields: each field validates input with DRF's
 * own messages and describes itself the way DRF's SimpleMetadata does for OPTIONS.
 */

interface Common {
  required?: boolean;
  allowNull?: boolean;
  label?: string;
}

export type FieldSpec =
  /** CharField: numbers are coerced to strings, whitespace trimmed. */
  | (Common & { kind: 'string'; maxLength?: number; allowBlank?: boolean })
  /** DateField, ISO 8601 only. */
  | (Common & { kind: 'date' })
  /** DecimalField rendered as a string with `places` decimals. */
  | (Common & { kind: 'decimal'; maxDigits: number; places: number })
  | (Common & { kind: 'boolean' })
  /** HyperlinkedIdentityField / `*_url`: read-only, never validated. */
  | (Common & { kind: 'link' })
  /** SlugRelatedField: the id of a row that must exist. */
  | (Common & { kind: 'slug'; slugName: string; exists: (id: string) => boolean })
  /** SlugRelatedField(many=True): a list of ids that must exist. */
  | (Common & { kind: 'slug-list'; slugName: string; exists: (id: string) => boolean })
  /** A nested serializer with many=True. */
  | (Common & { kind: 'nested-list'; children: Fields });

export type Fields = Record<string, FieldSpec>;

/** DRF error detail: a list of messages, an object of field errors, or a list aligned with input. */
export type ErrorDetail = string[] | { [field: string]: ErrorDetail } | ErrorDetail[];

type Outcome = { ok: true; value: unknown } | { ok: false; errors: ErrorDetail };
export type ObjectOutcome = { ok: true; value: Record<string, unknown> } | { ok: false; errors: Record<string, ErrorDetail> };

export const NON_FIELD_ERRORS = 'non_field_errors';

/** Python's `type(x).__name__` for what JSON can hold, as DRF puts it in messages. */
export function pythonType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

/** Python's `str(x)` for scalars, as DRF interpolates values in messages. */
const pythonStr = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : String(v));

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const label = (name: string, spec: FieldSpec): string => {
  if (spec.label) return spec.label;
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const fail = (...messages: string[]): Outcome => ({ ok: false, errors: messages });

const TRUE = new Set<unknown>(['true', 'True', 'TRUE', 't', 'T', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON', '1', 1, true]);
const FALSE = new Set<unknown>(['false', 'False', 'FALSE', 'f', 'F', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF', '0', 0, false]);

function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** DecimalField.to_internal_value + validate_precision + quantize, on strings (no float drift). */
function decimal(spec: Extract<FieldSpec, { kind: 'decimal' }>, v: unknown): Outcome {
  if (typeof v !== 'string' && typeof v !== 'number') return fail('A valid number is required.');
  let text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'nan') : v.trim();
  if (/e/i.test(text) && Number.isFinite(Number(text))) text = Number(text).toFixed(spec.places + 2);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return fail('A valid number is required.');
  const whole = (m[2] ?? '').replace(/^0+/, '');
  const fraction = m[3] ?? '';
  const wholeMax = spec.maxDigits - spec.places;
  if (whole.length + fraction.length > spec.maxDigits) return fail(`Ensure that there are no more than ${spec.maxDigits} digits in total.`);
  if (fraction.length > spec.places) return fail(`Ensure that there are no more than ${spec.places} decimal places.`);
  if (whole.length > wholeMax) return fail(`Ensure that there are no more than ${wholeMax} digits before the decimal point.`);
  const digits = `${whole || '0'}.${fraction.padEnd(spec.places, '0')}`;
  const zero = /^[0.]+$/.test(digits);
  return { ok: true, value: `${m[1] === '-' && !zero ? '-' : ''}${digits}` };
}

/** Validates one present value (not `undefined`) against its field. */
export function validateField(spec: FieldSpec, v: unknown): Outcome {
  if (v === null) return spec.allowNull ? { ok: true, value: null } : fail('This field may not be null.');
  switch (spec.kind) {
    case 'link':
      return { ok: true, value: undefined };
    case 'string': {
      if (typeof v === 'boolean' || (typeof v !== 'string' && typeof v !== 'number')) return fail('Not a valid string.');
      const s = String(v).trim();
      if (s === '' && !spec.allowBlank) return fail('This field may not be blank.');
      if (spec.maxLength !== undefined && [...s].length > spec.maxLength)
        return fail(`Ensure this field has no more than ${spec.maxLength} characters.`);
      return { ok: true, value: s };
    }
    case 'date':
      if (typeof v !== 'string' || !isValidDate(v.trim()))
        return fail('Date has wrong format. Use one of these formats instead: YYYY-MM-DD.');
      return { ok: true, value: v.trim() };
    case 'decimal':
      return decimal(spec, v);
    case 'boolean':
      if (TRUE.has(v)) return { ok: true, value: true };
      if (FALSE.has(v)) return { ok: true, value: false };
      return fail('Must be a valid boolean.');
    case 'slug': {
      if (typeof v === 'object') return fail('Invalid value.');
      const id = pythonStr(v);
      return spec.exists(id) ? { ok: true, value: id } : fail(`Object with ${spec.slugName}=${id} does not exist.`);
    }
    case 'slug-list': {
      if (!Array.isArray(v)) return fail(`Expected a list of items but got type "${pythonType(v)}".`);
      const ids: string[] = [];
      for (const item of v) {
        if (item === null || typeof item === 'object') return fail('Invalid value.');
        const id = pythonStr(item);
        if (!spec.exists(id)) return fail(`Object with ${spec.slugName}=${id} does not exist.`);
        if (!ids.includes(id)) ids.push(id);
      }
      return { ok: true, value: ids };
    }
    case 'nested-list': {
      if (!Array.isArray(v))
        return { ok: false, errors: { [NON_FIELD_ERRORS]: [`Expected a list of items but got type "${pythonType(v)}".`] } };
      const results = v.map((item) => validateObject(spec.children, item));
      if (results.some((r) => !r.ok)) return { ok: false, errors: results.map((r) => (r.ok ? {} : r.errors)) };
      return { ok: true, value: results.map((r) => (r.ok ? r.value : {})) };
    }
  }
}

/**
 * Serializer.to_internal_value: every writable field, required ones must be present; unknown keys
 * and read-only fields are ignored. Answers only the fields given (an update keeps the others).
 */
export function validateObject(fields: Fields, data: unknown): ObjectOutcome {
  if (!isPlainObject(data)) {
    return { ok: false, errors: { [NON_FIELD_ERRORS]: [`Invalid data. Expected a dictionary, but got ${pythonType(data)}.`] } };
  }
  const value: Record<string, unknown> = {};
  const errors: Record<string, ErrorDetail> = {};
  for (const [name, spec] of Object.entries(fields)) {
    if (spec.kind === 'link') continue;
    const raw = data[name];
    if (raw === undefined) {
      if (spec.required) errors[name] = ['This field is required.'];
      continue;
    }
    const outcome = validateField(spec, raw);
    if (outcome.ok) value[name] = outcome.value;
    else errors[name] = outcome.errors;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** SimpleMetadata.get_field_info for one field. */
function describeField(name: string, spec: FieldSpec): Record<string, unknown> {
  const type = { string: 'string', date: 'date', decimal: 'decimal', boolean: 'boolean' }[spec.kind as string] ?? 'field';
  const info: Record<string, unknown> = {
    type,
    required: spec.required ?? false,
    read_only: spec.kind === 'link',
    label: label(name, spec),
  };
  if (spec.kind === 'string' && spec.maxLength !== undefined) info.max_length = spec.maxLength;
  if (spec.kind === 'nested-list') {
    // A ListSerializer is a plain "field" whose child is the nested serializer.
    info.child = { type: 'nested object', required: spec.required ?? false, read_only: false, children: describeFields(spec.children) };
  }
  return info;
}

/** SimpleMetadata.get_serializer_info: what `OPTIONS` lists under `actions.POST`. */
export function describeFields(fields: Fields): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, spec]) => [name, describeField(name, spec)]));
}

/** DRF parses HTML form input: list fields take every value of a key, empty strings mean null where allowed. */
export function fromForm(fields: Fields, form: URLSearchParams): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    if (!form.has(name)) continue;
    if (spec.kind === 'slug-list') {
      data[name] = form.getAll(name).filter((v) => v !== '');
      continue;
    }
    if (spec.kind === 'nested-list') continue; // nested input is JSON only
    const all = form.getAll(name);
    const v = all[all.length - 1] ?? '';
    data[name] = v === '' && spec.allowNull && !(spec.kind === 'string' && spec.allowBlank) ? null : v;
  }
  return data;
}
