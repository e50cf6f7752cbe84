import { UpstreamError } from '@datasync/connector-kit';

/** A Datawiz setting the call needs is unset: no retry can help until someone configures it. */
export class DatawizNotConfiguredError extends UpstreamError {
  constructor(variable: string) {
    super(`${variable} is not configured: set it to use the Datawiz source`, 'not_configured', false);
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Flattens a DRF error body into field-level issues: `{"name": ["…"]}` → `name`, an array aligned
 * with a list body → `1.name`, nested lists → `1.products.0.product_id`, `detail` → `(request)`.
 */
export function drfFieldErrors(body: unknown, prefix = ''): FieldIssue[] {
  const at = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (typeof body === 'string') return [{ field: prefix || '(request)', message: body }];
  if (Array.isArray(body)) {
    if (body.every((x) => typeof x === 'string')) return body.map((m: string) => ({ field: prefix || '(request)', message: m }));
    return body.flatMap((item, i) => drfFieldErrors(item, at(String(i))));
  }
  if (body && typeof body === 'object') {
    return Object.entries(body as Record<string, unknown>).flatMap(([key, value]) =>
      drfFieldErrors(value, key === 'detail' && !prefix ? '(request)' : at(key)),
    );
  }
  return [];
}
