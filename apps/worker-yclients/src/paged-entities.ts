import { oneStatement, prepareUpsert, type Statement } from '@datasync/connector-kit';
import {
  yclientsAccounts as ACCOUNTS,
  yclientsClientCategories as CLIENT_CATEGORIES,
  yclientsClientCategoryLinks as CLIENT_LINKS,
  yclientsClients as CLIENTS,
  yclientsExpenseCategories as EXPENSES,
  yclientsRecordServices as RECORD_SERVICES,
  yclientsRecordStaff as RECORD_STAFF,
  yclientsRecords as RECORDS,
  yclientsTransactions as TRANSACTIONS,
  type YclientsAccountsRow,
  type YclientsClientCategoriesRow,
  type YclientsClientCategoryLinksRow,
  type YclientsExpenseCategoriesRow,
  type YclientsRecordServicesRow,
  type YclientsRecordStaffRow,
} from '@datasync/db/tables';
import type { Ctx, PageWrite } from './context';
import { id, list, num, obj, stamp, str, type Row } from './parse';
import { clientRow, deleteMissingSql, recordRow, stampedUpsertSpec, transactionRow, upsertSpec, withId } from './rows';
import type { ListPage, YclientsTransport } from './transport';

/** The paginated entities (clients, records, transactions): how each page is fetched and written. */

export interface PagedEntity {
  name: 'clients' | 'records' | 'transactions';
  fetch(page: number): Promise<ListPage>;
  /** Builds the upsert of one page's rows with their dependent rows (no database access); `generation`: a complete pass's stamp. */
  prepare(rows: Row[], generation?: string): PageWrite;
  /**
   * The entity's own table when it gets soft deletes from complete passes (clients, records): a
   * reset reads it again from page 1 stamping a generation instead of emptying it first.
   */
  soft?: string;
  /** Tables holding the entity's rows, dependents first (deleted on a reset when the entity has no `soft`). */
  tables: string[];
  /**
   * Unstable paging (transactions, §9.2): the sort key whose ties move between requests. Rows
   * sharing it with the saved row still verify the checkpoint, and tie groups that straddle a page
   * edge are read again through narrow windows (`repair`).
   */
  tieKey?: (row: Row) => string | null;
  repair?: (ctx: Ctx, keys: Set<string>) => Promise<void>;
}

/** A page's writes as one statement (one round trip; none when there is nothing to write). */
const run =
  (parts: (Statement | undefined)[]): PageWrite =>
  (also) => {
    const one = oneStatement([...parts, also]);
    return one ? [one] : [];
  };

/** The exact `date` (ties are rows sharing it); repairs read the whole day it falls on. */
const dateOf = (row: Row): string | null => stamp(row.date);

/**
 * Re-reads the days whose transactions straddled a page edge through windows that fit on one page
 * (the day, else the day per cash register, else per register and sign), upserting what they hold.
 * When the whole day fit on one page the stored day is made exactly equal to it.
 */
async function repairDays(
  ctx: Ctx,
  t: YclientsTransport,
  accountIds: () => Promise<string[]>,
  prepare: (rows: Row[]) => PageWrite,
  days: Set<string>,
) {
  const c = ctx.params.companyId;
  const size = t.pageSize;
  for (const day of days) {
    const all = await t.transactionsOfDay(c, day);
    let rows = all.rows;
    const exact = all.rows.length < size;
    if (!exact) {
      const found = new Map<string, Row>();
      let complete = true;
      for (const accountId of await accountIds()) {
        const byAccount = await t.transactionsOfDay(c, day, { accountId });
        if (byAccount.rows.length < size) {
          for (const r of byAccount.rows) found.set(String(r.id), r);
          continue;
        }
        for (const balanceIs of [1, 2] as const) {
          const bySign = await t.transactionsOfDay(c, day, { accountId, balanceIs });
          if (bySign.rows.length >= size) complete = false;
          for (const r of bySign.rows) found.set(String(r.id), r);
        }
      }
      for (const r of all.rows) found.set(String(r.id), r);
      rows = [...found.values()];
      if (!complete) ctx.log.warn({ day }, 'transactions of one day and register exceed a page; the day may be incomplete');
    }
    const keep = withId(rows).map((r) => String(id(r.id)));
    const write = prepare(rows);
    await ctx.commitPage(
      async (tx) => {
        // Unnamed statements (PgBouncer in transaction mode keeps no prepared statement between transactions).
        for (const s of write()) await tx.query({ text: s.text, values: [...s.values] });
        if (exact) {
          await tx.query(
            `DELETE FROM yclients_transactions WHERE company_id = $1 AND date >= $2::date AND date < $2::date + 1 AND NOT (id = ANY($3::bigint[]))`,
            [c, day, keep],
          );
        }
      },
      { checkpoint: { entity: 'transactions', repaired: day }, added: { repairedDays: 1 } },
    );
    ctx.log.info({ day, rows: rows.length, exact }, 'transactions of a page-edge day read again');
  }
}

export function pagedEntities(t: YclientsTransport, c: number, accountIds: () => Promise<string[]>): PagedEntity[] {
  const prepareTransactions = (rows: Row[]): PageWrite => {
    rows = withId(rows);
    // The payment article and cash register of each transaction (§8.2) are rows of their own that
    // the transaction references: no list of articles is documented (§8.5), and a register may be
    // one the register list does not hold.
    const expenses: YclientsExpenseCategoriesRow[] = [];
    const accounts: YclientsAccountsRow[] = [];
    for (const r of rows) {
      const e = obj(r.expense);
      const eid = id(e?.id);
      if (eid !== null) expenses.push({ company_id: c, id: eid, title: str(e?.title) ?? '' });
      const a = obj(r.account);
      const aid = id(a?.id);
      if (aid !== null) accounts.push({ company_id: c, id: aid, title: str(a?.title) ?? '', type: null, comment: null });
    }
    const writeExpenses = prepareUpsert({ ...upsertSpec(EXPENSES), update: ['title'] }, expenses);
    // The register list (type, comment) is authoritative: a transaction only adds registers it lacks.
    const writeAccounts = prepareUpsert({ table: ACCOUNTS, update: [] }, accounts);
    const writeTransactions = prepareUpsert(
      upsertSpec(TRANSACTIONS),
      rows.map((r) => transactionRow(c, r)),
    );
    // One statement: the registers and articles a transaction references are checked at its end.
    return run([writeExpenses, writeAccounts, writeTransactions]);
  };
  return [
    {
      name: 'clients',
      fetch: (p) => t.clients(c, p),
      tables: [CLIENT_LINKS.name, CLIENTS.name],
      soft: CLIENTS.name,
      prepare(rows, generation) {
        rows = withId(rows);
        const writeClients = prepareUpsert(
          stampedUpsertSpec(CLIENTS, generation ?? null),
          rows.map((r) => clientRow(c, r, generation ?? null)) as never,
        );
        const cats: Omit<YclientsClientCategoriesRow, 'deleted_at'>[] = [];
        const links: YclientsClientCategoryLinksRow[] = [];
        for (const r of rows) {
          for (const cat of list(r.categories)) {
            const o = obj(cat);
            const catId = id(o ? o.id : cat);
            if (catId === null) continue;
            if (o) cats.push({ company_id: c, id: catId, title: str(o.title) ?? '', color: str(o.color) });
            links.push({ company_id: c, client_id: id(r.id)!, category_id: catId });
          }
        }
        // Inserted only (the category list, saved before, owns their title and deletion).
        const writeCats = prepareUpsert({ table: CLIENT_CATEGORIES, columns: ['company_id', 'id', 'title', 'color'], update: [] }, cats);
        const linkedCats = [...new Set(links.map((l) => String(l.category_id)))];
        const writeLinks = prepareUpsert(upsertSpec(CLIENT_LINKS), links);
        const stale = deleteMissingSql(CLIENT_LINKS, c, links, { column: 'client_id', ids: rows.map((r) => id(r.id)!) });
        // Categories the list did not name (deleted labels still on a client) are kept so links hold:
        // inserted untitled once the titled ones are (two statements: one statement may not insert a key twice).
        const untitledCats: Statement = {
          text: `INSERT INTO yclients_client_categories (company_id, id, title) SELECT $1, x, '' FROM unnest($2::bigint[]) x ON CONFLICT DO NOTHING`,
          values: [c, linkedCats],
        };
        const first = run([writeClients, writeCats]);
        const second = run([untitledCats, writeLinks, { text: stale.text, values: stale.params }]);
        return (also) => [...first(), ...second(also)];
      },
    },
    {
      name: 'records',
      fetch: (p) => t.records(c, p),
      tables: [RECORD_SERVICES.name, RECORD_STAFF.name, RECORDS.name],
      soft: RECORDS.name,
      prepare(rows, generation) {
        rows = withId(rows);
        const writeRecords = prepareUpsert(
          stampedUpsertSpec(RECORDS, generation ?? null),
          rows.map((r) => recordRow(c, r, generation ?? null)) as never,
        );
        const services: YclientsRecordServicesRow[] = [];
        const staff: YclientsRecordStaffRow[] = [];
        for (const r of rows) {
          for (const s of list(r.services)) {
            const o = obj(s);
            const sid = id(o?.id);
            if (!o || sid === null) continue;
            services.push({
              company_id: c,
              record_id: id(r.id)!,
              service_id: sid,
              first_cost: num(o.first_cost),
              discount: num(o.discount),
              cost: num(o.cost),
              amount: num(o.amount),
            });
          }
          const staffId = id(r.staff_id) ?? id(obj(r.staff)?.id);
          if (staffId !== null) staff.push({ company_id: c, record_id: id(r.id)!, staff_id: staffId, client_id: id(obj(r.client)?.id) });
        }
        const scope = { column: 'record_id', ids: rows.map((r) => id(r.id)!) };
        const writeServices = prepareUpsert(upsertSpec(RECORD_SERVICES), services);
        const staleServices = deleteMissingSql(RECORD_SERVICES, c, services, scope);
        const writeStaff = prepareUpsert(upsertSpec(RECORD_STAFF), staff);
        const staleStaff = deleteMissingSql(RECORD_STAFF, c, staff, scope);
        // Each child table's upsert touches the page's keys, its delete the others: one statement.
        return run([
          writeRecords,
          writeServices,
          { text: staleServices.text, values: staleServices.params },
          writeStaff,
          { text: staleStaff.text, values: staleStaff.params },
        ]);
      },
    },
    {
      name: 'transactions',
      fetch: (p) => t.transactions(c, p),
      tables: [TRANSACTIONS.name],
      prepare: prepareTransactions,
      tieKey: dateOf,
      repair: (ctx, dates) => repairDays(ctx, t, accountIds, prepareTransactions, new Set([...dates].map((d) => d.slice(0, 10)))),
    },
  ];
}
