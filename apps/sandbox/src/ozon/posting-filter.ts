import { intList, obj, parseTime, strList, toInt } from '../marketplace-params';
import { POSTING_STATUSES, type Posting, type PostingStatus } from './data';

const YEAR = 366 * 24 * 3600_000;

/** Posting filters shared by the list methods (both spellings of each field are accepted). */
export interface PostingFilter {
  statuses: string[];
  warehouseIds: number[];
  orderId?: number;
  orderNumbers: string[];
  since?: number;
  to?: number;
  changedFrom?: number;
  changedTo?: number;
  cutoffFrom?: number;
  cutoffTo?: number;
  deliveringFrom?: number;
  deliveringTo?: number;
}
export const readFilter = (raw: unknown): PostingFilter | string => {
  const f = obj(raw);
  const statuses = [...(typeof f.status === 'string' && f.status !== '' ? [f.status] : []), ...(strList(f.statuses) ?? [])];
  const unknown = statuses.find((s) => !(POSTING_STATUSES as readonly string[]).includes(s));
  if (unknown) return `unknown status ${unknown}`;
  const warehouseIds = [...(intList(f.warehouse_id) ?? []), ...(intList(f.warehouse_ids) ?? [])];
  const changed = obj(f.last_changed_status_date);
  return {
    statuses,
    warehouseIds,
    orderId: toInt(f.order_id) || undefined,
    orderNumbers: strList(f.order_numbers) ?? [],
    since: parseTime(f.since),
    to: parseTime(f.to),
    changedFrom: parseTime(changed.from) ?? parseTime(f.last_change_status_date_from),
    changedTo: parseTime(changed.to) ?? parseTime(f.last_change_status_date_to),
    cutoffFrom: parseTime(f.cutoff_from),
    cutoffTo: parseTime(f.cutoff_to),
    deliveringFrom: parseTime(f.delivering_date_from),
    deliveringTo: parseTime(f.delivering_date_to),
  };
};
/** Whether `t` is inside [from, to] (an open end matches everything; a missing `t` only open ends). */
export const within = (t: number | null, from?: number, to?: number) =>
  (from === undefined || (t !== null && t >= from)) && (to === undefined || (t !== null && t <= to));
/** The postings a filter selects (optionally only in `base` statuses), oldest first unless `dir` is DESC. */
export const matchPostings = (postings: readonly Posting[], f: PostingFilter, base: readonly PostingStatus[] | undefined, dir: unknown) => {
  const found = postings.filter(
    (p) =>
      (base === undefined || base.includes(p.status)) &&
      (f.statuses.length === 0 || f.statuses.includes(p.status)) &&
      (f.warehouseIds.length === 0 || f.warehouseIds.includes(p.warehouse.warehouse_id)) &&
      (f.orderId === undefined || p.orderId === f.orderId) &&
      (f.orderNumbers.length === 0 || f.orderNumbers.includes(p.orderNumber)) &&
      within(p.createdAt, f.since, f.to) &&
      within(p.statusChangedAt, f.changedFrom, f.changedTo) &&
      within(p.shipmentDate, f.cutoffFrom, f.cutoffTo) &&
      within(p.deliveringDate, f.deliveringFrom, f.deliveringTo),
  );
  found.sort((a, b) => a.createdAt - b.createdAt || a.postingNumber.localeCompare(b.postingNumber));
  if (String(dir).toUpperCase() === 'DESC') found.reverse();
  return found;
};
/** The open-postings lists need one date window: the packing deadline or the delivering date. */
export const unfulfilledWindow = (f: PostingFilter, required: boolean): string | undefined => {
  const cutoff = f.cutoffFrom !== undefined || f.cutoffTo !== undefined;
  const delivering = f.deliveringFrom !== undefined || f.deliveringTo !== undefined;
  if (cutoff && delivering) return 'use either cutoff_from/cutoff_to or delivering_date_from/delivering_date_to, not both';
  if (required && !cutoff && !delivering) return 'filter.cutoff_from and filter.cutoff_to are required';
  const [from, to] = cutoff ? [f.cutoffFrom, f.cutoffTo] : [f.deliveringFrom, f.deliveringTo];
  if ((cutoff || delivering) && (from === undefined || to === undefined)) return 'both ends of the date filter are required';
  if (from !== undefined && to !== undefined && to - from > YEAR) return 'the period must not exceed one year';
  return undefined;
};
/** The period lists need `since` and `to`, at most a year apart. */
export const sinceTo = (f: PostingFilter): string | undefined => {
  if (f.since === undefined || f.to === undefined) return 'filter.since and filter.to are required';
  if (f.to - f.since > YEAR) return 'the period must not exceed one year';
  return undefined;
};
