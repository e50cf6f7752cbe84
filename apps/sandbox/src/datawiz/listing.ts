import type { Request } from 'express';
import { ORDERING_FIELDS, type Resource } from './resources';
import { queryParam, requestUrl, withPage } from './urls';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** DRF SearchFilter on `name`: every term (split on spaces and commas) must occur, case-insensitive. */
export function search<T extends object>(rows: T[], term: string | undefined, field: (row: T) => string): T[] {
  const terms = (term ?? '')
    .replace(/\0/g, '')
    .split(/[\s,]+/)
    .map((t) => t.toLowerCase())
    .filter(Boolean);
  if (terms.length === 0) return rows;
  return rows.filter((row) => {
    const text = field(row).toLowerCase();
    return terms.every((t) => text.includes(t));
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * DRF OrderingFilter: `ordering=name,-identifier`; unknown names are dropped, and with none left
 * the default (insertion) order stays. `identifier` is the resource's id (compared as text), and the
 * id breaks ties so pages never overlap.
 */
export function order<T extends object>(resource: Resource<T>, rows: T[], ordering: string | undefined): T[] {
  const valid = (ordering ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => (ORDERING_FIELDS as readonly string[]).includes(t.replace(/^-/, '')));
  if (valid.length === 0) return rows;
  const value = (row: T, field: string) => String(field === 'identifier' ? row[resource.key] : (row as Record<string, unknown>)[field]);
  const keys = [...valid, 'identifier'];
  return [...rows].sort((a, b) => {
    for (const key of keys) {
      const field = key.replace(/^-/, '');
      const c = compare(value(a, field), value(b, field));
      if (c !== 0) return key.startsWith('-') ? -c : c;
    }
    return 0;
  });
}

export type Page<T> = { ok: true; count: number; next: string | null; previous: string | null; rows: T[] } | { ok: false };

const POSITIVE = /^\s*\+?\d+\s*$/;

/**
 * DRF PageNumberPagination: `page` (1-based, or `last`), `page_size` (default 20, silently capped at
 * 1000, ignored when not a positive integer). A page past the end, 0 or not a number is invalid.
 */
export function paginate<T>(req: Request, rows: T[]): Page<T> {
  const sizeParam = queryParam(req, 'page_size');
  const asked = sizeParam !== undefined && POSITIVE.test(sizeParam) ? Number(sizeParam) : 0;
  const size = asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const pageParam = queryParam(req, 'page') ?? '1';
  const page = pageParam === 'last' ? pages : /^\s*[+-]?\d+\s*$/.test(pageParam) ? Number(pageParam) : NaN;
  if (!Number.isInteger(page) || page < 1 || page > pages) return { ok: false };
  const url = requestUrl(req);
  return {
    ok: true,
    count: rows.length,
    next: page < pages ? withPage(url, page + 1) : null,
    previous: page > 1 ? withPage(url, page === 2 ? null : page - 1) : null,
    rows: rows.slice((page - 1) * size, page * size),
  };
}
