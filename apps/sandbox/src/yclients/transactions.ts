import type { Staff } from './catalog';
import { idOf, type CompanyLayout, type Json } from './layout';
import type { RecordRows } from './records';
import type { RowKey, TableSpec } from './table';
import { isoCompact, naive } from './time';

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

/** Field order of §8.2's example. */
const TRANSACTION_FIELDS = [
  'id',
  'document_id',
  'date',
  'amount',
  'comment',
  'expense',
  'account',
  'client',
  'master',
  'supplier',
  'record_id',
  'visit_id',
  'sold_item_id',
  'sold_item_type',
  'last_change_date',
];

/**
 * A company's finance transactions, in (date, id) order: each paid record's payment (the oldest
 * records' as a historical import), and for some past records one more not tied to the record.
 */
export class TransactionRows {
  constructor(
    private readonly layout: CompanyLayout,
    private readonly records: RecordRows,
  ) {}

  spec(): TableSpec<Json, TransactionKey> {
    const layout = this.layout;
    return {
      baseCount: layout.txCount,
      baseRow: (k) => this.build(k),
      baseKey: (k) => this.keyAt(k),
      baseIndexOf: (id) => layout.txIndexOf(id),
      keyOf: (row) => this.keyOf(row),
    };
  }

  /** The key of base transaction k without building the row (filters scan a million of them). */
  private keyAt(k: number): TransactionKey {
    const layout = this.layout;
    const r = layout.recordOfTx(k);
    const date = layout.txDateOf(r);
    const accounts = layout.catalog.accounts;
    const key: TransactionKey = {
      id: layout.txIdAt(k),
      sort: date,
      accountId: accounts[layout.s.account.int(k, accounts.length)]!.id,
      clientId: 0,
      masterId: 0,
      supplierId: 0,
      documentId: layout.base.document + 4 * r + 1,
      recordId: 0,
      visitId: 0,
      sign: -1,
      changed: date + 12,
    };
    if (k === layout.txStart[r] && layout.paidAt(r)) {
      const rk = layout.recordKeyAt(r);
      const history = r < layout.historyCount;
      return {
        ...key,
        clientId: rk.clientId,
        masterId: rk.staffId,
        documentId: history ? 0 : layout.base.document + 4 * r,
        recordId: history ? 0 : rk.id,
        visitId: history ? 0 : layout.base.visit + 2 * r,
        sign: 1,
      };
    }
    const kind = layout.s.kind.int(k, 4);
    const staff = layout.catalog.staff;
    const supplier = layout.catalog.suppliers[layout.s.supplier.int(k, layout.catalog.suppliers.length)]!;
    if (kind === 0) return { ...key, sign: 1 };
    if (kind === 2) return { ...key, masterId: staff.length > 0 ? staff[layout.s.kind.int(k + 1, staff.length)]!.id : 0 };
    return { ...key, supplierId: supplier.id };
  }

  private build(k: number): Json {
    const row = this.fields(k);
    return Object.fromEntries(TRANSACTION_FIELDS.map((f) => [f, row[f]]));
  }

  private fields(k: number): Json {
    const layout = this.layout;
    const s = layout.s;
    const tz = layout.options.tz;
    const r = layout.recordOfTx(k);
    const history = r < layout.historyCount;
    const date = layout.txDateOf(r);
    const accounts = layout.catalog.accounts;
    const account = accounts[s.account.int(k, accounts.length)]!;
    const common = {
      id: layout.txIdAt(k),
      date: naive(date, tz),
      account: { id: account.id, title: account.title },
      last_change_date: isoCompact(date + 12, tz),
    };
    if (k === layout.txStart[r] && layout.paidAt(r)) {
      const key = layout.recordKeyAt(r);
      const { total } = this.records.services(r, key.staffId);
      const client = this.records.clientEmbed(key.clientId);
      const staff = layout.catalog.staff.find((x) => x.id === key.staffId);
      return {
        ...common,
        document_id: history ? '' : layout.base.document + 4 * r,
        amount: total,
        comment: '',
        expense: history ? { id: '', title: '' } : { id: 5, title: 'Оказание услуг' },
        client: client ? { id: client.id, name: client.name, phone: client.phone } : [],
        master: staff ? { id: staff.id, title: staff.name } : [],
        supplier: [],
        record_id: history ? '' : key.id,
        visit_id: history ? '' : layout.base.visit + 2 * r,
        sold_item_id: history ? '' : layout.base.sold + r,
        sold_item_type: history ? '' : 'service',
        last_change_date: common.last_change_date,
      };
    }
    return { ...this.other(k, r), ...common };
  }

  /** A transaction not tied to a record: a goods sale, a purchase, a salary, rent. */
  private other(k: number, r: number): Json {
    const layout = this.layout;
    const s = layout.s;
    const kind = s.kind.int(k, 4);
    const staff = layout.catalog.staff;
    const master: Staff | undefined = staff.length > 0 ? staff[s.kind.int(k + 1, staff.length)] : undefined;
    const supplier = layout.catalog.suppliers[s.supplier.int(k, layout.catalog.suppliers.length)]!;
    const base = {
      document_id: layout.base.document + 4 * r + 1,
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
        return {
          ...base,
          amount: 300 + s.amount.int(k, 30) * 50,
          expense: { id: 7, title: 'Продажа товаров' },
          sold_item_id: 5_000_000 + s.amount.int(k + 1, 500),
          sold_item_type: 'good',
        };
      case 1:
        return {
          ...base,
          amount: -(1000 + s.amount.int(k, 50) * 100),
          expense: { id: 1, title: 'Закупка материалов' },
          supplier,
          comment: 'закупка расходников',
        };
      case 2:
        return {
          ...base,
          amount: -(5000 + s.amount.int(k, 50) * 500),
          expense: { id: 3, title: 'Зарплата персонала' },
          master: master ? { id: master.id, title: master.name } : [],
        };
      default:
        return { ...base, amount: -(20_000 + s.amount.int(k, 20) * 1000), expense: { id: 2640, title: 'Аренда помещения' }, supplier };
    }
  }

  private keyOf(row: Json): TransactionKey {
    const layout = this.layout;
    return {
      id: idOf(row.id),
      sort: layout.stamp(row.date),
      accountId: idOf(row.account),
      clientId: idOf(row.client),
      masterId: idOf(row.master),
      supplierId: idOf(row.supplier),
      documentId: idOf(row.document_id),
      recordId: idOf(row.record_id),
      visitId: idOf(row.visit_id),
      sign: Math.sign(Number(row.amount) || 0),
      changed: layout.stamp(row.last_change_date),
    };
  }
}

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
