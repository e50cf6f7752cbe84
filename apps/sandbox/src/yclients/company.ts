import type { Faker } from '@faker-js/faker';
import { generateCatalog, type Catalog, type NamePools, type Service, type Staff } from './catalog';
import { hash, Streams } from './hash';
import { Table, type RowKey, type TableSpec } from './table';
import { DATA_NOW, dateOnly, isoColon, isoCompact, localDayStart, naive, parseStamp } from './time';

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
  /** Whether the fake's user has rights on it (403 otherwise). */
  accessible: boolean;
}

export const TIMEZONE_NAMES: Record<number, string> = { 3: 'Europe/Moscow', 5: 'Asia/Yekaterinburg', 7: 'Asia/Novosibirsk' };

export interface ClientKey extends RowKey {
  changed: number;
}
export interface RecordKey extends RowKey {
  staffId: number;
  clientId: number;
  deleted: boolean;
  created: number;
  changed: number;
  createdUser: number;
}
export interface TransactionKey extends RowKey {
  accountId: number;
  clientId: number;
  masterId: number;
  supplierId: number;
  documentId: number;
  recordId: number;
  visitId: number;
  /** Sign of the amount: 1 income, -1 expense (`balance_is`). */
  sign: number;
  changed: number;
}

const SLOT = 900;
const SLOTS_PER_DAY = 48; // 09:00-21:00 in 15-minute slots
const SEX_TITLES = ['Неизвестно', 'Мужской', 'Женский'];
const IMPORTANCE = ['Без класса важности', 'Бронза', 'Серебро', 'Золото'];

/** Numeric id of a JSON value that may be a number, a numeric string, `""`, `[]` or an object with `id`. */
export function idOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return /^-?\d+$/.test(value) ? Number(value) : 0;
  if (value && typeof value === 'object' && !Array.isArray(value)) return idOf((value as Json).id);
  return 0;
}

/**
 * One company (branch): its small catalog and its three big tables. Clients, records and
 * transactions are generated on demand from (seed, company, index): rows ascend by index in
 * the API's order, and ids are invertible to indices, so nothing big is held in memory.
 */
export class Company {
  readonly catalog: Catalog;
  readonly clients: Table<Json, ClientKey>;
  readonly records: Table<Json, RecordKey>;
  readonly transactions: Table<Json, TransactionKey>;
  /** Transactions of base record r are base transactions txStart[r] .. txStart[r+1]-1. */
  private readonly txStart: Int32Array;
  private readonly historyCount: number;
  private readonly firstDay: number;
  private readonly totalSlots: number;
  private readonly historyStamp: number;
  private readonly base: { client: number; record: number; visit: number; document: number; tx: number; sold: number };
  private nextIds: { clientUp: number; clientDown: number; record: number; tx: number; document: number };
  private readonly s;

  constructor(
    readonly options: CompanyOptions,
    private readonly pools: NamePools,
    seed: number,
    f: Faker,
  ) {
    const o = options.ordinal;
    this.catalog = generateCatalog(f, { companyId: options.id, ordinal: o, staff: options.staff, services: options.services });
    const st = new Streams(hash(seed, options.id, 0x7c1e));
    this.s = {
      clientId: st.stream(), sex: st.stream(), first: st.stream(), last: st.stream(), middle: st.stream(), phone: st.stream(),
      email: st.stream(), card: st.stream(), cat: st.stream(), discount: st.stream(), importance: st.stream(), balance: st.stream(),
      spent: st.stream(), visits: st.stream(), sms: st.stream(), changed: st.stream(), birth: st.stream(), comment: st.stream(),
      recordId: st.stream(), staff: st.stream(), hasClient: st.stream(), client: st.stream(), deleted: st.stream(), lead: st.stream(),
      lag: st.stream(), online: st.stream(), attendance: st.stream(), service: st.stream(), second: st.stream(), rdiscount: st.stream(),
      visitString: st.stream(), label: st.stream(), extra: st.stream(), txId: st.stream(), account: st.stream(), kind: st.stream(),
      amount: st.stream(), supplier: st.stream(),
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

    const clientSpec: TableSpec<Json, ClientKey> = {
      baseCount: options.clients,
      baseRow: (i) => this.buildClient(i, this.clientIdAt(i)),
      baseKey: (i) => {
        const id = this.clientIdAt(i);
        return { id, sort: id, changed: this.clientChangedAt(i) };
      },
      baseIndexOf: (id) => invert(id, this.base.client, 3, options.clients, (i) => this.clientIdAt(i)),
      keyOf: (row) => ({ id: idOf(row.id), sort: idOf(row.id), changed: this.stamp(row.last_change_date) }),
    };
    const recordSpec: TableSpec<Json, RecordKey> = {
      baseCount: n,
      baseRow: (i) => this.buildRecord(i, this.recordKeyAt(i)),
      baseKey: (i) => this.recordKeyAt(i),
      baseIndexOf: (id) => invert(id, this.base.record, 2, n, (i) => this.recordIdAt(i)),
      keyOf: (row) => ({
        id: idOf(row.id),
        sort: this.stamp(row.datetime),
        staffId: idOf(row.staff_id),
        clientId: idOf(row.client),
        deleted: row.deleted === true || row.deleted === 1,
        created: this.stamp(row.create_date),
        changed: this.stamp(row.last_change_date),
        createdUser: idOf(row.created_user_id),
      }),
    };
    const txCount = this.txStart[n]!;
    const transactionSpec: TableSpec<Json, TransactionKey> = {
      baseCount: txCount,
      baseRow: (k) => this.buildTransaction(k),
      baseKey: (k) => this.transactionKeyAt(k),
      baseIndexOf: (id) => invert(id, this.base.tx, 2, txCount, (k) => this.txIdAt(k)),
      keyOf: (row) => this.transactionKeyOf(row),
    };
    this.clients = new Table(clientSpec);
    this.records = new Table(recordSpec);
    this.transactions = new Table(transactionSpec);
    this.nextIds = {
      clientUp: (options.clients > 0 ? this.clientIdAt(options.clients - 1) : this.base.client) + 1,
      clientDown: (options.clients > 0 ? this.clientIdAt(0) : this.base.client) - 1,
      record: this.base.record + 2 * n + 2,
      tx: this.base.tx + 2 * txCount + 2,
      document: this.base.document + 4 * n + 4,
    };
  }

  get id(): number {
    return this.options.id;
  }
  get tz(): number {
    return this.options.tz;
  }
  get timezoneName(): string {
    return TIMEZONE_NAMES[this.options.tz] ?? 'Europe/Moscow';
  }

  stamp(value: unknown): number {
    return parseStamp(value, this.options.tz) ?? 0;
  }

  // ---- clients ----------------------------------------------------------------------------

  private clientIdAt(i: number): number {
    return this.base.client + 3 * i + this.s.clientId.int(i, 3);
  }
  private clientChangedAt(i: number): number {
    return DATA_NOW - 600 - this.s.changed.int(i, 3 * 365 * 86400);
  }

  buildClient(i: number, id: number, changed = this.clientChangedAt(i)): Json {
    const s = this.s;
    const tz = this.options.tz;
    const sexRoll = s.sex.int(i, 10);
    const sexId = sexRoll < 6 ? 2 : sexRoll < 9 ? 1 : 0;
    const gender = sexId === 0 ? 2 : sexId;
    const p = this.pools;
    const name = pick(p.first[gender], s.first.int(i, 1 << 20));
    const surname = s.last.int(i, 10) < 8 ? pick(p.last[gender], s.last.int(i, 1 << 20)) : '';
    const patronymic = s.middle.int(i, 10) < 4 ? pick(p.middle[gender], s.middle.int(i, 1 << 20)) : '';
    const visits = s.visits.int(i, 5) === 0 ? 0 : 1 + s.visits.int(i + 7_000_000, 60);
    const spent = visits * (500 + s.spent.int(i, 40) * 100);
    const labels = this.catalog.labels.filter((l) => l.entity === 1);
    const catRoll = s.cat.int(i, 100);
    const categories =
      catRoll < 15 && labels.length > 0 ? [labels[catRoll % labels.length]!].map((l) => ({ id: l.id, title: l.title, color: l.color })) : [];
    const importance = [0, 0, 0, 0, 0, 1, 1, 2, 3][s.importance.int(i, 9)]!;
    const balanceRoll = s.balance.int(i, 20);
    const firstVisit = DATA_NOW - s.birth.int(i + 11, 4 * 365) * 86400;
    return {
      id,
      name,
      surname,
      patronymic,
      display_name: [surname, name].filter(Boolean).join(' '),
      phone: `+79${String(100_000_000 + (hash(i, id) % 900_000_000)).slice(0, 9)}`,
      email: s.email.int(i, 2) === 0 ? '' : `client${id}@example.com`,
      categories,
      sex_id: sexId,
      sex: SEX_TITLES[sexId],
      discount: [0, 0, 0, 0, 5, 10, 15][s.discount.int(i, 7)],
      importance_id: importance,
      importance: IMPORTANCE[importance],
      card: s.card.int(i, 5) === 0 ? String(100_000_000 + s.card.int(i + 1, 899_999_999)) : '',
      birth_date: s.birth.int(i, 10) < 6 ? dateOnly(DATA_NOW - (18 * 365 + s.birth.int(i, 45 * 365)) * 86400, tz) : '',
      comment: s.comment.int(i, 8) === 0 ? pick(p.comments, s.comment.int(i + 3, 1000)) : '',
      sms_check: s.sms.int(i, 2),
      sms_bot: 0,
      sms_not: s.sms.int(i + 5, 10) === 0 ? 1 : 0,
      spent,
      paid: spent,
      balance: balanceRoll === 0 ? -100 * (1 + s.balance.int(i + 1, 30)) : balanceRoll === 1 ? 100 * (1 + s.balance.int(i + 2, 30)) : 0,
      visits,
      last_change_date: isoCompact(changed, tz),
      custom_fields: s.comment.int(i + 9, 6) === 0 ? { referral_source: ['instagram', 'vk', 'сарафан'][s.comment.int(i + 10, 3)] } : {},
      first_visit_date: visits > 0 ? dateOnly(firstVisit, tz) : '',
      last_visit_date: visits > 0 ? dateOnly(Math.min(DATA_NOW, firstVisit + s.visits.int(i + 1, 400) * 86400), tz) : '',
      passteam_card_id: '',
    };
  }

  /** A client as the full-object endpoints show it (the search-only fields left out). */
  static fullClient(row: Json): Json {
    const { first_visit_date: _f, last_visit_date: _l, passteam_card_id: _p, ...rest } = row;
    return rest;
  }

  // ---- records ----------------------------------------------------------------------------

  private recordIdAt(i: number): number {
    return this.base.record + 2 * i + this.s.recordId.int(i, 2);
  }

  private recordSortAt(i: number): number {
    const slot = Math.floor((i * this.totalSlots) / Math.max(1, this.options.records));
    return this.firstDay + Math.floor(slot / SLOTS_PER_DAY) * 86400 + 9 * 3600 + (slot % SLOTS_PER_DAY) * SLOT;
  }

  private recordDeletedAt(i: number): boolean {
    return this.s.deleted.int(i, 100) === 0;
  }

  private attendanceAt(i: number, sort = this.recordSortAt(i)): number {
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

  private recordServices(i: number, staffId: number): { services: Json[]; length: number; total: number } {
    const list = this.catalog.servicesOf.get(staffId) ?? this.catalog.services;
    if (list.length === 0) return { services: [], length: 3600, total: 0 };
    const chosen: Service[] = [list[this.s.service.int(i, list.length)]!];
    if (list.length > 1 && this.s.second.int(i, 5) === 0) chosen.push(list[(list.indexOf(chosen[0]!) + 1) % list.length]!);
    let length = 0;
    let total = 0;
    const services = chosen.map((svc, n) => {
      const link = svc.staff.find((p) => p.id === staffId);
      const firstCost = link?.price ?? svc.price_min;
      const discount = [0, 0, 0, 5, 10, 15][this.s.rdiscount.int(i + n, 6)]!;
      const cost = Math.round((firstCost * (100 - discount)) / 100);
      length += link?.seance_length ?? svc.duration;
      total += cost;
      return { id: svc.id, title: svc.title, cost, cost_to_pay: cost, manual_cost: cost, cost_per_unit: firstCost, discount, first_cost: firstCost, amount: 1 };
    });
    return { services, length, total };
  }

  private staffEmbed(staffId: number): Json | [] {
    const s = this.catalog.staff.find((x) => x.id === staffId);
    if (!s) return [];
    const { id, api_id, name, specialization, position, avatar, avatar_big, rating, votes_count } = s;
    return { id, api_id, name, specialization, position, avatar, avatar_big, rating, votes_count };
  }

  private clientEmbed(clientId: number): Json | null {
    if (clientId === 0) return null;
    const handle = this.clients.handleOf(clientId);
    const index = invert(clientId, this.base.client, 3, this.options.clients, (i) => this.clientIdAt(i));
    const row = handle !== undefined ? this.clients.row(handle) : index !== undefined ? this.buildClient(index, clientId) : undefined;
    if (!row) return { id: clientId, name: '', phone: '', card: '', email: '', success_visits_count: 0, fail_visits_count: 0 };
    const visits = Number(row.visits ?? 0);
    return {
      id: clientId,
      name: row.name,
      surname: row.surname,
      patronymic: row.patronymic,
      display_name: row.display_name,
      phone: row.phone,
      card: row.card,
      email: row.email,
      success_visits_count: visits,
      fail_visits_count: visits > 10 ? 1 : 0,
      discount: row.discount,
    };
  }

  buildRecord(i: number, key: RecordKey): Json {
    const s = this.s;
    const tz = this.options.tz;
    const { services, length } = this.recordServices(i, key.staffId);
    const attendance = this.attendanceAt(i, key.sort);
    const visit = this.base.visit + 2 * i;
    const visitId: number | string = s.visitString.int(i, 50) === 0 ? String(visit) : visit;
    const recordLabels = this.catalog.labels.filter((l) => l.entity === 2);
    const labelRoll = s.label.int(i, 100);
    const online = key.createdUser === 0;
    return {
      id: key.id,
      company_id: this.options.id,
      staff_id: key.staffId,
      services,
      goods_transactions: [],
      staff: this.staffEmbed(key.staffId),
      client: this.clientEmbed(key.clientId),
      clients_count: 1,
      date: naive(key.sort, tz),
      datetime: isoColon(key.sort, tz),
      create_date: isoCompact(key.created, tz),
      comment: labelRoll >= 90 ? pick(this.pools.comments, labelRoll) : '',
      online,
      visit_attendance: attendance,
      attendance,
      confirmed: attendance === 2 || attendance === 1 ? 1 : 0,
      seance_length: length,
      length,
      sms_before: 0,
      sms_now: 0,
      sms_now_text: '',
      email_now: 0,
      notified: 0,
      sms_remain_hours: 0,
      email_remain_hours: 0,
      master_request: s.online.int(i + 1, 2),
      api_id: '',
      from_url: '',
      review_requested: 0,
      visit_id: visitId,
      created_user_id: key.createdUser,
      deleted: key.deleted,
      paid_full: attendance === 1 && !key.deleted ? 1 : 0,
      payment_status: attendance === 1 && !key.deleted ? 1 : 0,
      prepaid: false,
      prepaid_confirmed: false,
      last_change_date: isoCompact(key.changed, tz),
      custom_color: '',
      custom_font_color: '',
      record_labels:
        labelRoll < 10 && recordLabels.length > 0
          ? [recordLabels[labelRoll % recordLabels.length]!].map((l) => ({ id: String(l.id), title: l.title, color: l.color, icon: '', font_color: '#ffffff' }))
          : [],
      activity_id: 0,
      custom_fields: {},
      documents: [
        {
          id: this.base.document + 4 * i,
          type_id: 7,
          type_title: 'Визит',
          storage_id: 0,
          user_id: USER_ID,
          company_id: this.options.id,
          number: 1000 + i,
          comment: '',
          date_created: naive(key.sort, tz),
          category_id: 0,
          visit_id: visit,
          record_id: key.id,
        },
      ],
    };
  }

  /** Base transactions of a base record (its payment first), for `include_finance_transactions`. */
  financeOf(recordHandle: number): Json[] {
    if (recordHandle >= this.options.records) return [];
    const out: Json[] = [];
    const recordId = this.recordIdAt(recordHandle);
    for (let k = this.txStart[recordHandle]!; k < this.txStart[recordHandle + 1]!; k++) {
      const h = this.transactions.handleOf(this.txIdAt(k));
      if (h === undefined) continue;
      const row = this.transactions.row(h);
      if (idOf(row.record_id) === recordId) out.push(embeddedTransaction(row));
    }
    return out;
  }

  // ---- transactions -----------------------------------------------------------------------

  private paidAt(r: number): boolean {
    return !this.recordDeletedAt(r) && this.attendanceAt(r) === 1;
  }
  private extraAt(r: number): boolean {
    return this.recordSortAt(r) <= DATA_NOW && this.s.extra.int(r, 100) < 8;
  }
  private txCountOf(r: number): number {
    return (this.paidAt(r) ? 1 : 0) + (this.extraAt(r) ? 1 : 0);
  }
  private txIdAt(k: number): number {
    return this.base.tx + 2 * k + this.s.txId.int(k, 2);
  }

  /** The record a base transaction belongs to: the last r with txStart[r] <= k. */
  private recordOfTx(k: number): number {
    let lo = 0;
    let hi = this.options.records - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.txStart[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private txDateOf(r: number): number {
    return r < this.historyCount ? this.historyStamp : Math.min(this.recordSortAt(r) + 3600, DATA_NOW);
  }

  /** The key of base transaction k without building the row (filters scan a million of them). */
  private transactionKeyAt(k: number): TransactionKey {
    const r = this.recordOfTx(k);
    const date = this.txDateOf(r);
    const accounts = this.catalog.accounts;
    const key: TransactionKey = {
      id: this.txIdAt(k),
      sort: date,
      accountId: accounts[this.s.account.int(k, accounts.length)]!.id,
      clientId: 0,
      masterId: 0,
      supplierId: 0,
      documentId: this.base.document + 4 * r + 1,
      recordId: 0,
      visitId: 0,
      sign: -1,
      changed: date + 12,
    };
    if (k === this.txStart[r] && this.paidAt(r)) {
      const rk = this.recordKeyAt(r);
      const history = r < this.historyCount;
      return {
        ...key,
        clientId: rk.clientId,
        masterId: rk.staffId,
        documentId: history ? 0 : this.base.document + 4 * r,
        recordId: history ? 0 : rk.id,
        visitId: history ? 0 : this.base.visit + 2 * r,
        sign: 1,
      };
    }
    const kind = this.s.kind.int(k, 4);
    const staff = this.catalog.staff;
    const supplier = this.catalog.suppliers[this.s.supplier.int(k, this.catalog.suppliers.length)]!;
    if (kind === 0) return { ...key, sign: 1 };
    if (kind === 2) return { ...key, masterId: staff.length > 0 ? staff[this.s.kind.int(k + 1, staff.length)]!.id : 0 };
    return { ...key, supplierId: supplier.id };
  }

  private buildTransaction(k: number): Json {
    const row = this.transactionFields(k);
    return Object.fromEntries(TRANSACTION_FIELDS.map((f) => [f, row[f]]));
  }

  private transactionFields(k: number): Json {
    const s = this.s;
    const tz = this.options.tz;
    const r = this.recordOfTx(k);
    const history = r < this.historyCount;
    const date = this.txDateOf(r);
    const accounts = this.catalog.accounts;
    const account = accounts[s.account.int(k, accounts.length)]!;
    const common = {
      id: this.txIdAt(k),
      date: naive(date, tz),
      account: { id: account.id, title: account.title },
      last_change_date: isoCompact(date + 12, tz),
    };
    if (k === this.txStart[r] && this.paidAt(r)) {
      const key = this.recordKeyAt(r);
      const { total } = this.recordServices(r, key.staffId);
      const client = this.clientEmbed(key.clientId);
      const staff = this.catalog.staff.find((x) => x.id === key.staffId);
      return {
        ...common,
        document_id: history ? '' : this.base.document + 4 * r,
        amount: total,
        comment: '',
        expense: history ? { id: '', title: '' } : { id: 5, title: 'Оказание услуг' },
        client: client ? { id: client.id, name: client.name, phone: client.phone } : [],
        master: staff ? { id: staff.id, title: staff.name } : [],
        supplier: [],
        record_id: history ? '' : key.id,
        visit_id: history ? '' : this.base.visit + 2 * r,
        sold_item_id: history ? '' : this.base.sold + r,
        sold_item_type: history ? '' : 'service',
        last_change_date: common.last_change_date,
      };
    }
    return { ...this.otherTransaction(k, r), ...common };
  }

  /** A transaction not tied to a record: a goods sale, a purchase, a salary, rent. */
  private otherTransaction(k: number, r: number): Json {
    const s = this.s;
    const kind = s.kind.int(k, 4);
    const staff = this.catalog.staff;
    const master: Staff | undefined = staff.length > 0 ? staff[s.kind.int(k + 1, staff.length)] : undefined;
    const supplier = this.catalog.suppliers[s.supplier.int(k, this.catalog.suppliers.length)]!;
    const base = {
      document_id: this.base.document + 4 * r + 1,
      client: [] as Json | [],
      master: [] as Json | [],
      supplier: [] as Json | [],
      record_id: 0,
      visit_id: 0,
      sold_item_id: 0,
      sold_item_type: '',
      comment: '',
    };
    switch (kind) {
      case 0:
        return { ...base, amount: 300 + s.amount.int(k, 30) * 50, expense: { id: 7, title: 'Продажа товаров' }, sold_item_id: 5_000_000 + s.amount.int(k + 1, 500), sold_item_type: 'good' };
      case 1:
        return { ...base, amount: -(1000 + s.amount.int(k, 50) * 100), expense: { id: 1, title: 'Закупка материалов' }, supplier, comment: 'закупка расходников' };
      case 2:
        return { ...base, amount: -(5000 + s.amount.int(k, 50) * 500), expense: { id: 3, title: 'Зарплата персонала' }, master: master ? { id: master.id, title: master.name } : [] };
      default:
        return { ...base, amount: -(20_000 + s.amount.int(k, 20) * 1000), expense: { id: 2640, title: 'Аренда помещения' }, supplier };
    }
  }

  private transactionKeyOf(row: Json): TransactionKey {
    return {
      id: idOf(row.id),
      sort: this.stamp(row.date),
      accountId: idOf(row.account),
      clientId: idOf(row.client),
      masterId: idOf(row.master),
      supplierId: idOf(row.supplier),
      documentId: idOf(row.document_id),
      recordId: idOf(row.record_id),
      visitId: idOf(row.visit_id),
      sign: Math.sign(Number(row.amount) || 0),
      changed: this.stamp(row.last_change_date),
    };
  }

  // ---- rows added by control endpoints ---------------------------------------------------

  newClient(position: 'start' | 'end', changed: number): Json {
    const id = position === 'end' ? this.nextIds.clientUp++ : this.nextIds.clientDown--;
    return this.buildClient(this.options.clients + (id % 100_000), id, changed);
  }

  newRecord(position: 'start' | 'end', changed: number): Json {
    const list = this.records.all();
    const edge = list.length === 0 ? undefined : this.records.key(position === 'end' ? list[list.length - 1]! : list[0]!).sort;
    const sort = edge === undefined ? DATA_NOW : position === 'end' ? edge + SLOT : localDayStart(edge, this.options.tz) - 86400 + 10 * 3600;
    const id = this.nextIds.record;
    this.nextIds.record += 2;
    const i = this.options.records + (id % 100_000);
    const template = this.recordKeyAt(i);
    const row = this.buildRecord(i, { ...template, id, sort, deleted: false, created: changed, changed, createdUser: USER_ID });
    const document = this.nextIds.document;
    this.nextIds.document += 4;
    row.documents = [{ ...(row.documents as Json[])[0], id: document, number: 900_000 + (id % 100_000) }];
    row.visit_id = document - 1;
    return row;
  }

  newTransaction(position: 'start' | 'end', changed: number): Json {
    const list = this.transactions.all();
    const edge = list.length === 0 ? undefined : this.transactions.key(position === 'end' ? list[list.length - 1]! : list[0]!).sort;
    const date = edge === undefined ? DATA_NOW : position === 'end' ? edge + 60 : edge - 86400;
    const id = this.nextIds.tx;
    this.nextIds.tx += 2;
    const document = this.nextIds.document;
    this.nextIds.document += 4;
    const account = this.catalog.accounts[0]!;
    return {
      id,
      document_id: document,
      date: naive(date, this.options.tz),
      amount: 1500,
      comment: 'добавлено тестом',
      expense: { id: 8, title: 'Прочие доходы' },
      account: { id: account.id, title: account.title },
      client: [],
      master: [],
      supplier: [],
      record_id: 0,
      visit_id: 0,
      sold_item_id: 0,
      sold_item_type: '',
      last_change_date: isoCompact(changed, this.options.tz),
    };
  }

  /** Company object of `GET /company/{id}` and `GET /companies`. */
  describe(): Json {
    return {
      id: this.options.id,
      title: this.options.title,
      public_title: this.options.title,
      short_descr: 'Салон красоты',
      country_id: 1,
      country: 'Россия',
      city_id: this.options.tz === 5 ? 5 : 2,
      city: this.options.city,
      timezone: this.options.tz,
      timezone_name: this.timezoneName,
      address: `${this.options.city}, ул. Ленина, ${10 + this.options.ordinal}`,
      phone: `+7495${String(1_000_000 + this.options.id).slice(-7)}`,
      coordinate_lat: 55.75 + this.options.ordinal / 100,
      coordinate_lon: 37.61 + this.options.ordinal / 100,
      active: 1,
      currency_short_title: 'р.',
    };
  }
}

/** Field order of §8.2's example. */
const TRANSACTION_FIELDS = ['id', 'document_id', 'date', 'amount', 'comment', 'expense', 'account', 'client', 'master', 'supplier', 'record_id', 'visit_id', 'sold_item_id', 'sold_item_type', 'last_change_date'];

/** A list-shape transaction in the shape records embed with `include_finance_transactions=1`. */
export function embeddedTransaction(row: Json): Json {
  const expense = row.expense as Json;
  return {
    id: row.id,
    document_id: row.document_id,
    date: row.date,
    type_id: expense?.id ?? '',
    expense_id: expense?.id ?? '',
    account_id: idOf(row.account),
    amount: row.amount,
    client_id: idOf(row.client),
    master_id: idOf(row.master),
    supplier_id: idOf(row.supplier),
    comment: row.comment,
    item_id: 0,
    target_type_id: 0,
    record_id: row.record_id,
    goods_transaction_id: 0,
    expense: row.expense,
    account: row.account,
    client: row.client,
    master: row.master,
    supplier: row.supplier,
  };
}

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** Index i with idAt(i) === id, for ids laid out as base + step*i + jitter (jitter < step). */
function invert(id: number, base: number, step: number, count: number, idAt: (i: number) => number): number | undefined {
  if (!Number.isInteger(id)) return undefined;
  const i = Math.floor((id - base) / step);
  return i >= 0 && i < count && idAt(i) === id ? i : undefined;
}
