import type { Faker } from '@faker-js/faker';
import { generateCatalog, type Catalog, type NamePools } from './catalog';
import { CatalogRemovals } from './removals';
import { ClientRows, type ClientKey } from './clients';
import { CompanyLayout, type CompanyOptions, idOf, type Json, type RecordKey, SLOT, USER_ID } from './layout';
import { RecordRows } from './records';
import { Table } from './table';
import { DATA_NOW, isoCompact, localDayStart, naive } from './time';
import { embeddedTransaction, TransactionRows, type TransactionKey } from './transactions';

export const TIMEZONE_NAMES: Record<number, string> = { 3: 'Europe/Moscow', 5: 'Asia/Yekaterinburg', 7: 'Asia/Novosibirsk' };

/**
 * One company (branch): its small catalog and its three big tables. Clients, records and
 * transactions are generated on demand from (seed, company, index) (`clients.ts`, `records.ts`,
 * `transactions.ts`, laid out by `layout.ts`): rows ascend by index in the API's order, and ids
 * are invertible to indices, so nothing big is held in memory.
 */
export class Company {
  readonly catalog: Catalog;
  /** Catalog items removed from the lists between runs (`/_control/.../catalog/:list/remove`). */
  readonly removals = new CatalogRemovals();
  readonly clients: Table<Json, ClientKey>;
  readonly records: Table<Json, RecordKey>;
  readonly transactions: Table<Json, TransactionKey>;
  private readonly layout: CompanyLayout;
  private readonly clientRows: ClientRows;
  private readonly recordRows: RecordRows;
  private nextIds: { clientUp: number; clientDown: number; record: number; tx: number; document: number };

  constructor(
    readonly options: CompanyOptions,
    pools: NamePools,
    seed: number,
    f: Faker,
  ) {
    this.catalog = generateCatalog(f, {
      companyId: options.id,
      ordinal: options.ordinal,
      staff: options.staff,
      services: options.services,
    });
    const layout = new CompanyLayout(options, this.catalog, seed);
    this.layout = layout;
    this.clientRows = new ClientRows(layout, pools);
    this.clients = new Table(this.clientRows.spec());
    this.recordRows = new RecordRows(layout, pools, this.clientRows, this.clients);
    this.records = new Table(this.recordRows.spec());
    this.transactions = new Table(new TransactionRows(layout, this.recordRows).spec());
    const n = options.records;
    this.nextIds = {
      clientUp: (options.clients > 0 ? layout.clientIdAt(options.clients - 1) : layout.base.client) + 1,
      clientDown: (options.clients > 0 ? layout.clientIdAt(0) : layout.base.client) - 1,
      record: layout.base.record + 2 * n + 2,
      tx: layout.base.tx + 2 * layout.txCount + 2,
      document: layout.base.document + 4 * n + 4,
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
    return this.layout.stamp(value);
  }

  /** Base transactions of a base record (its payment first), for `include_finance_transactions`. */
  financeOf(recordHandle: number): Json[] {
    if (recordHandle >= this.options.records) return [];
    const layout = this.layout;
    const out: Json[] = [];
    const recordId = layout.recordIdAt(recordHandle);
    for (let k = layout.txStart[recordHandle]!; k < layout.txStart[recordHandle + 1]!; k++) {
      const h = this.transactions.handleOf(layout.txIdAt(k));
      if (h === undefined) continue;
      const row = this.transactions.row(h);
      if (idOf(row.record_id) === recordId) out.push(embeddedTransaction(row));
    }
    return out;
  }

  // ---- rows added by control endpoints ---------------------------------------------------

  newClient(position: 'start' | 'end', changed: number): Json {
    const id = position === 'end' ? this.nextIds.clientUp++ : this.nextIds.clientDown--;
    return this.clientRows.build(this.options.clients + (id % 100_000), id, changed);
  }

  newRecord(position: 'start' | 'end', changed: number): Json {
    const list = this.records.all();
    const edge = list.length === 0 ? undefined : this.records.key(position === 'end' ? list[list.length - 1]! : list[0]!).sort;
    const sort =
      edge === undefined ? DATA_NOW : position === 'end' ? edge + SLOT : localDayStart(edge, this.options.tz) - 86400 + 10 * 3600;
    const id = this.nextIds.record;
    this.nextIds.record += 2;
    const i = this.options.records + (id % 100_000);
    const template = this.layout.recordKeyAt(i);
    const row = this.recordRows.build(i, { ...template, id, sort, deleted: false, created: changed, changed, createdUser: USER_ID });
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
