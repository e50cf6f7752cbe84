import type { Catalog } from './catalog';
import { hash, Streams } from './hash';
import type { RowKey } from './table';
import { DATA_NOW, localDayStart, parseStamp } from './time';

export type Json = Record<string, unknown>;

/** The user whose token the fake hands out; `created_user_id` of records entered by an admin. */
export const USER_ID = 1_073_232;

export interface CompanyOptions {
  id: number;
  /** Position among the fake's companies; keeps every company's id ranges apart. */
  ordinal: number;
  title: string;
  /** Fixed UTC offset in hours (3 = Europe/Moscow, 5 = Asia/Yekaterinburg). */
  tz: number;
  city: string;
  clients: number;
  records: number;
  staff: number;
  services: number;
  /** Share of the oldest records whose payments are a historical import: `""` ids, one shared date. */
  historyShare: number;
  /** Whether its owner account's user has rights on it (403 otherwise). */
  accessible: boolean;
  /** The sandbox account (`a`, `b`) whose user it belongs to; other users get 403. */
  account: string;
}

export interface RecordKey extends RowKey {
  staffId: number;
  clientId: number;
  deleted: boolean;
  created: number;
  changed: number;
  createdUser: number;
}

export const SLOT = 900;
const SLOTS_PER_DAY = 48; // 09:00-21:00 in 15-minute slots

/** Numeric id of a JSON value that may be a number, a numeric string, `""`, `[]` or an object with `id`. */
export function idOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return /^-?\d+$/.test(value) ? Number(value) : 0;
  if (value && typeof value === 'object' && !Array.isArray(value)) return idOf((value as Json).id);
  return 0;
}

export function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** Index i with idAt(i) === id, for ids laid out as base + step*i + jitter (jitter < step). */
export function invert(id: number, base: number, step: number, count: number, idAt: (i: number) => number): number | undefined {
  if (!Number.isInteger(id)) return undefined;
  const i = Math.floor((id - base) / step);
  return i >= 0 && i < count && idAt(i) === id ? i : undefined;
}

/**
 * Where one company's generated rows sit: their id ranges, the days its records span, which
 * records are paid, and the seeded streams every field is drawn from. Everything here is a pure
 * function of (seed, company, index): the base index of a client, record or transaction gives
 * its id and key without building the row, and ids invert to indices.
 */
export class CompanyLayout {
  readonly s;
  readonly base: { client: number; record: number; visit: number; document: number; tx: number; sold: number };
  /** Transactions of base record r are base transactions txStart[r] .. txStart[r+1]-1. */
  readonly txStart: Int32Array;
  readonly historyCount: number;
  readonly historyStamp: number;
  private readonly firstDay: number;
  private readonly totalSlots: number;

  constructor(
    readonly options: CompanyOptions,
    readonly catalog: Catalog,
    seed: number,
  ) {
    const o = options.ordinal;
    const st = new Streams(hash(seed, options.id, 0x7c1e));
    this.s = {
      clientId: st.stream(),
      sex: st.stream(),
      first: st.stream(),
      last: st.stream(),
      middle: st.stream(),
      phone: st.stream(),
      email: st.stream(),
      card: st.stream(),
      cat: st.stream(),
      discount: st.stream(),
      importance: st.stream(),
      balance: st.stream(),
      spent: st.stream(),
      visits: st.stream(),
      sms: st.stream(),
      changed: st.stream(),
      birth: st.stream(),
      comment: st.stream(),
      recordId: st.stream(),
      staff: st.stream(),
      hasClient: st.stream(),
      client: st.stream(),
      deleted: st.stream(),
      lead: st.stream(),
      lag: st.stream(),
      online: st.stream(),
      attendance: st.stream(),
      service: st.stream(),
      second: st.stream(),
      rdiscount: st.stream(),
      visitString: st.stream(),
      label: st.stream(),
      extra: st.stream(),
      txId: st.stream(),
      account: st.stream(),
      kind: st.stream(),
      amount: st.stream(),
      supplier: st.stream(),
    };
    this.base = {
      client: 10_000_000 + o * 3_000_000,
      record: 1_600_000_000 + o * 5_000_000,
      visit: 1_400_000_000 + o * 5_000_000,
      document: 2_150_000_000 + o * 10_000_000,
      tx: 1_100_000_000 + o * 6_000_000,
      sold: 18_000_000 + o * 5_000_000,
    };

    const n = options.records;
    const days = Math.min(1500, Math.max(60, Math.ceil(n / 40)));
    const lastDay = localDayStart(DATA_NOW, options.tz) + 14 * 86400;
    this.firstDay = lastDay - (days - 1) * 86400;
    this.totalSlots = days * SLOTS_PER_DAY;
    this.historyStamp = this.firstDay - 86400;
    this.historyCount = Math.floor(n * options.historyShare);
    this.txStart = new Int32Array(n + 1);
    for (let r = 0; r < n; r++) this.txStart[r + 1] = this.txStart[r]! + this.txCountOf(r);
  }

  /** Epoch seconds of a date string in the company's time zone (0 when it does not parse). */
  stamp(value: unknown): number {
    return parseStamp(value, this.options.tz) ?? 0;
  }

  // ---- clients ----------------------------------------------------------------------------

  clientIdAt(i: number): number {
    return this.base.client + 3 * i + this.s.clientId.int(i, 3);
  }
  clientChangedAt(i: number): number {
    return DATA_NOW - 600 - this.s.changed.int(i, 3 * 365 * 86400);
  }
  clientIndexOf(id: number): number | undefined {
    return invert(id, this.base.client, 3, this.options.clients, (i) => this.clientIdAt(i));
  }

  // ---- records ----------------------------------------------------------------------------

  recordIdAt(i: number): number {
    return this.base.record + 2 * i + this.s.recordId.int(i, 2);
  }
  recordIndexOf(id: number): number | undefined {
    return invert(id, this.base.record, 2, this.options.records, (i) => this.recordIdAt(i));
  }

  recordSortAt(i: number): number {
    const slot = Math.floor((i * this.totalSlots) / Math.max(1, this.options.records));
    return this.firstDay + Math.floor(slot / SLOTS_PER_DAY) * 86400 + 9 * 3600 + (slot % SLOTS_PER_DAY) * SLOT;
  }

  recordDeletedAt(i: number): boolean {
    return this.s.deleted.int(i, 100) === 0;
  }

  attendanceAt(i: number, sort = this.recordSortAt(i)): number {
    if (sort > DATA_NOW) return this.s.attendance.int(i, 3) === 0 ? 2 : 0;
    const roll = this.s.attendance.int(i, 100);
    return roll < 85 ? 1 : roll < 93 ? -1 : roll < 97 ? 2 : 0;
  }

  recordKeyAt(i: number): RecordKey {
    const sort = this.recordSortAt(i);
    const s = this.s;
    const staff = this.catalog.staff;
    const created = Math.min(sort - 3600 - s.lead.int(i, 20 * 86400), DATA_NOW - 3600);
    const online = s.online.int(i, 3) === 0;
    return {
      id: this.recordIdAt(i),
      sort,
      staffId: staff.length > 0 ? staff[s.staff.int(i, staff.length)]!.id : 0,
      clientId: this.options.clients > 0 && s.hasClient.int(i, 100) >= 3 ? this.clientIdAt(s.client.int(i, this.options.clients)) : 0,
      deleted: this.recordDeletedAt(i),
      created,
      changed: sort <= DATA_NOW ? Math.min(sort + 600 + s.lag.int(i, 3 * 3600), DATA_NOW) : created,
      createdUser: online ? 0 : USER_ID,
    };
  }

  // ---- transactions -----------------------------------------------------------------------

  get txCount(): number {
    return this.txStart[this.options.records]!;
  }

  /** Whether base record r was paid: a payment transaction comes first among its transactions. */
  paidAt(r: number): boolean {
    return !this.recordDeletedAt(r) && this.attendanceAt(r) === 1;
  }
  private extraAt(r: number): boolean {
    return this.recordSortAt(r) <= DATA_NOW && this.s.extra.int(r, 100) < 8;
  }
  private txCountOf(r: number): number {
    return (this.paidAt(r) ? 1 : 0) + (this.extraAt(r) ? 1 : 0);
  }
  txIdAt(k: number): number {
    return this.base.tx + 2 * k + this.s.txId.int(k, 2);
  }
  txIndexOf(id: number): number | undefined {
    return invert(id, this.base.tx, 2, this.txCount, (k) => this.txIdAt(k));
  }

  /** The record a base transaction belongs to: the last r with txStart[r] <= k. */
  recordOfTx(k: number): number {
    let lo = 0;
    let hi = this.options.records - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.txStart[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  txDateOf(r: number): number {
    return r < this.historyCount ? this.historyStamp : Math.min(this.recordSortAt(r) + 3600, DATA_NOW);
  }
}
