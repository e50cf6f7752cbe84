import type pg from 'pg';
import { z } from 'zod';
import { bulkUpsert, numberedPages, prepareUpsert, runUpsert, UpstreamDataError, type AnyTable, type Queryable } from '@datasync/connector-kit';
import { withTransaction, type RowOf } from '@datasync/db';
import {
  yclientsAccounts as ACCOUNTS,
  yclientsClientCategories as CLIENT_CATEGORIES,
  yclientsClientCategoryLinks as CLIENT_LINKS,
  yclientsClients as CLIENTS,
  yclientsExpenseCategories as EXPENSES,
  yclientsPositions as POSITIONS,
  yclientsRecordServices as RECORD_SERVICES,
  yclientsRecordStaff as RECORD_STAFF,
  yclientsRecords as RECORDS,
  yclientsServiceStaff as SERVICE_STAFF,
  yclientsServices as SERVICES,
  yclientsStaff as STAFF,
  yclientsTransactions as TRANSACTIONS,
  type YclientsAccountsRow,
  type YclientsClientCategoriesRow,
  type YclientsClientCategoryLinksRow,
  type YclientsClientsRow,
  type YclientsExpenseCategoriesRow,
  type YclientsPositionsRow,
  type YclientsRecordServicesRow,
  type YclientsRecordStaffRow,
  type YclientsRecordsRow,
  type YclientsServiceStaffRow,
  type YclientsServicesRow,
  type YclientsStaffRow,
  type YclientsTransactionsRow,
} from '@datasync/db/tables';
import { deleteStreamState, readStreamState, saveStreamState, withCheckpoint, type Handlers, type RunContext, type StreamKey } from '@datasync/runs';
import { bool, id, int, list, num, obj, stamp, str, type Row } from './parse';
import {
  entityState,
  firstPage,
  isLastPage,
  isSavedRow,
  pageOfOrdinal,
  pageStep,
  planStart,
  rowAtOrdinal,
  rowsBefore,
  storedMatchesSource,
  type EntityState,
  type PassStart,
} from './incremental';
import { optionalLookup, pruneDimensions, type RunNote } from './lookups';
import type { ListPage, YclientsTransport } from './transport';

export const SOURCE = 'yclients';

/**
 * The run's checkpoint: the entity (and page, ordinal) its last committed write was. A retry does
 * not read it: every entity's place between runs and attempts is its stream state (`incremental.ts`).
 */
const checkpointSchema = z.object({
  entity: z.string(),
  page: z.number().int().optional(),
  ordinal: z.number().int().optional(),
  /** A page-edge day of transactions read again. */
  repaired: z.string().optional(),
});
type Ctx = RunContext<{ companyId: number }, z.infer<typeof checkpointSchema>>;
type Tx = pg.PoolClient;

/** Entity progress shown in GET /api/runs/:id as `progress.entities`. */
type EntityProgress = Record<string, { state: 'running' | 'done' | 'reset'; rows: number; page?: number; total?: number | null }>;

/** Every YClients table: keyed by company_id and the YClients key (its primary key). */
type Table = AnyTable & { primaryKey: readonly ['company_id', ...string[]] };

const upsertSpec = <T extends Table>(t: T) => ({ table: t, skipUnchanged: true });

async function upsert<T extends Table>(tx: Queryable, t: T, rows: readonly RowOf<T>[]): Promise<void> {
  await bulkUpsert(tx, upsertSpec(t), rows);
}

/** A page's writes with every parameter built: made while the previous page is being written. */
type PageWrite = (tx: Tx) => Promise<void>;

/** Deletes the company's rows of `t` whose key is not among `rows` (a list saved whole). */
async function deleteMissing<T extends Table>(tx: Queryable, t: T, companyId: number, rows: readonly RowOf<T>[], scope?: { column: string; ids: bigint[] }): Promise<void> {
  const { text, params } = deleteMissingSql(t, companyId, rows, scope);
  await tx.query(text, params);
}

function deleteMissingSql<T extends Table>(t: T, companyId: number, rows: readonly RowOf<T>[], scope?: { column: string; ids: bigint[] }): { text: string; params: unknown[] } {
  const key = t.primaryKey.slice(1);
  const arrays = key.map((k) => rows.map((r) => String((r as Record<string, unknown>)[k] as bigint)));
  const keys = key.map((k) => `"${k}"`).join(', ');
  const params: unknown[] = [companyId, ...arrays];
  let text = `DELETE FROM ${t.name} WHERE company_id = $1 AND (${keys}) NOT IN (SELECT * FROM unnest(${arrays.map((_, i) => `$${i + 2}::bigint[]`).join(', ')}))`;
  if (scope) {
    params.push(scope.ids.map(String));
    text += ` AND "${scope.column}" = ANY($${params.length}::bigint[])`;
  }
  return { text, params };
}

// ---- row mapping ---------------------------------------------------------------------------------

const withId = (rows: Row[]) => rows.filter((r) => id(r.id) !== null);

function staffRow(c: number, r: Row): YclientsStaffRow {
  return {
    company_id: c, id: id(r.id)!, name: str(r.name) ?? '', specialization: str(r.specialization), position_id: id(obj(r.position)?.id),
    fired: bool(r.fired) ?? false, hidden: bool(r.hidden) ?? false, is_deleted: bool(r.is_deleted) ?? false, user_id: id(r.user_id), raw: r,
  };
}
function serviceRow(c: number, r: Row): YclientsServicesRow {
  return {
    company_id: c, id: id(r.id)!, category_id: id(r.category_id), title: str(r.title) ?? '', price_min: num(r.price_min),
    price_max: num(r.price_max), duration: int(r.duration), active: bool(r.active) ?? true, raw: r,
  };
}
function clientRow(c: number, r: Row): YclientsClientsRow {
  const custom = obj(r.custom_fields) ?? {};
  return {
    company_id: c, id: id(r.id)!, name: str(r.name), surname: str(r.surname), patronymic: str(r.patronymic), phone: str(r.phone),
    email: str(r.email), card: str(r.card), birth_date: stamp(r.birth_date), sex_id: int(r.sex_id), discount: num(r.discount),
    importance_id: int(r.importance_id), balance: num(r.balance), spent: num(r.spent), paid: num(r.paid), visits: int(r.visits),
    sms_check: bool(r.sms_check), sms_not: bool(r.sms_not), last_change_date: stamp(r.last_change_date), custom_fields: custom, raw: r,
  };
}
function recordRow(c: number, r: Row): YclientsRecordsRow {
  // Record documents are not stored.
  const { documents: _documents, ...raw } = r;
  void _documents;
  return {
    company_id: c, id: id(r.id)!, staff_id: id(r.staff_id), client_id: id(obj(r.client)?.id), datetime: stamp(r.datetime),
    create_date: stamp(r.create_date), last_change_date: stamp(r.last_change_date), length: int(r.length ?? r.seance_length),
    attendance: int(r.attendance), confirmed: int(r.confirmed), online: bool(r.online), deleted: bool(r.deleted) ?? false,
    visit_id: id(r.visit_id), activity_id: id(r.activity_id), comment: str(r.comment), raw,
  };
}
function transactionRow(c: number, r: Row): YclientsTransactionsRow {
  return {
    company_id: c, id: id(r.id)!, document_id: id(r.document_id), date: stamp(r.date), amount: num(r.amount), comment: str(r.comment),
    expense_id: id(obj(r.expense)?.id), account_id: id(obj(r.account)?.id), client_id: id(obj(r.client)?.id), master_id: id(obj(r.master)?.id),
    supplier_id: id(obj(r.supplier)?.id), record_id: id(r.record_id), visit_id: id(r.visit_id), sold_item_id: id(r.sold_item_id),
    sold_item_type: str(r.sold_item_type) || null, last_change_date: stamp(r.last_change_date), raw: r,
  };
}

// ---- paginated entities --------------------------------------------------------------------------

interface PagedEntity {
  name: 'clients' | 'records' | 'transactions';
  fetch(page: number): Promise<ListPage>;
  /** Builds the upsert of one page's rows with their dependent rows (no database access). */
  prepare(rows: Row[]): PageWrite;
  /** Tables holding the entity's rows, dependents first (deleted on a reset). */
  tables: string[];
  /**
   * Unstable paging (transactions, §9.2): the sort key whose ties move between requests. Rows
   * sharing it with the saved row still verify the checkpoint, and tie groups that straddle a page
   * edge are read again through narrow windows (`repair`).
   */
  tieKey?: (row: Row) => string | null;
  repair?: (ctx: Ctx, keys: Set<string>) => Promise<void>;
}

/** The exact `date` (ties are rows sharing it); repairs read the whole day it falls on. */
const dateOf = (row: Row): string | null => stamp(row.date);

/**
 * Re-reads the days whose transactions straddled a page edge through windows that fit on one page
 * (the day, else the day per cash register, else per register and sign), upserting what they hold.
 * When the whole day fit on one page the stored day is made exactly equal to it.
 */
async function repairDays(ctx: Ctx, t: YclientsTransport, accountIds: () => Promise<string[]>, prepare: (rows: Row[]) => PageWrite, days: Set<string>) {
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
        await write(tx);
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

function pagedEntities(t: YclientsTransport, c: number, accountIds: () => Promise<string[]>): PagedEntity[] {
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
    const writeTransactions = prepareUpsert(upsertSpec(TRANSACTIONS), rows.map((r) => transactionRow(c, r)));
    return async (tx) => {
      await runUpsert(tx, writeExpenses);
      await runUpsert(tx, writeAccounts);
      await runUpsert(tx, writeTransactions);
    };
  };
  return [
    {
      name: 'clients',
      fetch: (p) => t.clients(c, p),
      tables: [CLIENT_LINKS.name, CLIENTS.name],
      prepare(rows) {
        rows = withId(rows);
        const writeClients = prepareUpsert(upsertSpec(CLIENTS), rows.map((r) => clientRow(c, r)));
        const cats: YclientsClientCategoriesRow[] = [];
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
        const writeCats = prepareUpsert({ table: CLIENT_CATEGORIES, update: [] }, cats);
        const linkedCats = [...new Set(links.map((l) => String(l.category_id)))];
        const writeLinks = prepareUpsert(upsertSpec(CLIENT_LINKS), links);
        const stale = deleteMissingSql(CLIENT_LINKS, c, links, { column: 'client_id', ids: rows.map((r) => id(r.id)!) });
        return async (tx) => {
          await runUpsert(tx, writeClients);
          // Categories the list did not name (deleted labels still on a client) are kept so links hold.
          await runUpsert(tx, writeCats);
          await tx.query(
            `INSERT INTO yclients_client_categories (company_id, id, title) SELECT $1, x, '' FROM unnest($2::bigint[]) x ON CONFLICT DO NOTHING`,
            [c, linkedCats],
          );
          await runUpsert(tx, writeLinks);
          await tx.query(stale.text, stale.params);
        };
      },
    },
    {
      name: 'records',
      fetch: (p) => t.records(c, p),
      tables: [RECORD_SERVICES.name, RECORD_STAFF.name, RECORDS.name],
      prepare(rows) {
        rows = withId(rows);
        const writeRecords = prepareUpsert(upsertSpec(RECORDS), rows.map((r) => recordRow(c, r)));
        const services: YclientsRecordServicesRow[] = [];
        const staff: YclientsRecordStaffRow[] = [];
        for (const r of rows) {
          for (const s of list(r.services)) {
            const o = obj(s);
            const sid = id(o?.id);
            if (!o || sid === null) continue;
            services.push({
              company_id: c, record_id: id(r.id)!, service_id: sid, first_cost: num(o.first_cost), discount: num(o.discount),
              cost: num(o.cost), amount: num(o.amount),
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
        return async (tx) => {
          await runUpsert(tx, writeRecords);
          await runUpsert(tx, writeServices);
          await tx.query(staleServices.text, staleServices.params);
          await runUpsert(tx, writeStaff);
          await tx.query(staleStaff.text, staleStaff.params);
        };
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

/** For unstable paging: the row at our ordinal is another row of the saved row's tie group that we also hold. */
async function sameTie(db: Queryable, companyId: number, e: PagedEntity, at: Row, lastId: string): Promise<boolean> {
  const key = e.tieKey?.(at);
  const atId = id(at.id);
  if (!key || atId === null || e.name !== 'transactions') return false;
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM yclients_transactions WHERE company_id = $1 AND id = ANY($2::bigint[]) AND date = $3::timestamp`,
    [companyId, [lastId, String(atId)], key],
  );
  return Number(rows[0]!.n) === 2;
}

const stateKey = (companyId: number, entity: string): StreamKey => ({ source: SOURCE, stream: entity, scope: String(companyId) });

async function readState(db: Queryable, companyId: number, entity: string): Promise<EntityState | undefined> {
  return readStreamState(db, stateKey(companyId, entity), entityState);
}

async function saveState(tx: Queryable, companyId: number, entity: string, ordinal: number, lastId: bigint | null): Promise<void> {
  await saveStreamState(tx, stateKey(companyId, entity), { ordinal, lastId: String(lastId ?? 0n) } satisfies EntityState);
}

/** Whether we hold transactions of this exact `date` that are not on this (first resumed) page: its tie group began on an earlier page. */
async function straddles(db: Queryable, companyId: number, date: string, pageRows: Row[]): Promise<boolean> {
  const ids = withId(pageRows).map((r) => String(id(r.id)));
  const { rows } = await db.query(
    `SELECT 1 FROM yclients_transactions WHERE company_id = $1 AND date = $2::timestamp AND NOT (id = ANY($3::bigint[])) LIMIT 1`,
    [companyId, date, ids],
  );
  return rows.length > 0;
}

/** Deletes an entity's rows, its dependent rows and its state, in one transaction. */
async function resetEntity(pool: pg.Pool, companyId: number, e: PagedEntity): Promise<void> {
  await withTransaction(pool, async (tx) => {
    for (const table of e.tables) await tx.query(`DELETE FROM ${table} WHERE company_id = $1`, [companyId]);
    await deleteStreamState(tx, stateKey(companyId, e.name));
  });
}

/**
 * One paginated entity (issue steps 1–4): verify the row at our last ordinal still has our last id,
 * then continue after it; otherwise delete the entity's rows and read it again from page 1. Each
 * page is written with its stream state and the run checkpoint in one transaction.
 */
async function syncPaged(ctx: Ctx, e: PagedEntity, size: number, progress: EntityProgress): Promise<void> {
  const c = ctx.params.companyId;
  const state = await readState(ctx.pool, c, e.name);
  let start: PassStart = { kind: 'fresh' };
  let prefetched: ListPage | undefined;
  if (state && state.ordinal > 0) {
    const page = pageOfOrdinal(state.ordinal, size);
    const got = await e.fetch(page);
    const at = rowAtOrdinal(state, size, got.rows);
    const tie = at !== undefined && !isSavedRow(state, at) && (await sameTie(ctx.pool, c, e, at, state.lastId));
    start = planStart(state, size, got.rows, tie);
    if (start.kind === 'resume') {
      prefetched = got;
      ctx.log.info({ entity: e.name, ordinal: state.ordinal, page }, 'checkpoint row still in place; continuing after it');
    } else {
      ctx.log.warn({ entity: e.name, ordinal: state.ordinal, page }, 'row at the saved ordinal changed; resetting the entity');
      await resetEntity(ctx.pool, c, e);
      progress[e.name] = { state: 'reset', rows: 0 };
      await ctx.progress({ entities: { ...progress } });
    }
  }
  const first = firstPage(start);

  let total: number | undefined;
  let rowsSeen = rowsBefore(start, size);
  // Each page's statements are built as soon as it arrives, while the page before is being written.
  const withWrite = (page: ListPage) => ({ ...page, write: e.prepare(page.rows) });
  const pages = numberedPages(
    (n) => {
      if (n === first && prefetched) {
        const p = prefetched;
        prefetched = undefined;
        return Promise.resolve(withWrite(p));
      }
      return e.fetch(n).then(withWrite);
    },
    { first, isLast: (p, n) => isLastPage(p.rows.length, n, size, p.total) },
  );
  const edges = new Set<string>();
  let previousKey: string | null = null;
  for await (const { page, n } of pages) {
    total = page.total ?? total;
    if (page.rows.length === 0) break;
    // The resumed page may hold nothing we did not have: its page edge was settled by the pass that saved it.
    const { ordinal, unchanged, added } = pageStep(start, state, n, size, page.rows.length);
    if (e.tieKey) {
      const firstKey = e.tieKey(page.rows[0]!);
      if (firstKey !== null && firstKey === previousKey) edges.add(firstKey);
      if (n === first && n > 1 && !unchanged && firstKey !== null && (await straddles(ctx.pool, c, firstKey, page.rows))) edges.add(firstKey);
      previousKey = e.tieKey(page.rows[page.rows.length - 1]!);
    }
    const last = id(page.rows[page.rows.length - 1]!.id);
    rowsSeen = ordinal;
    progress[e.name] = { state: 'running', rows: ordinal, page: n, total: total ?? null };
    await ctx.commitPage(
      async (tx) => {
        await page.write(tx);
        // Same ordinal as saved: nothing new. Keep the saved row (under unstable paging the last
        // row of a tie group may be another one each time).
        if (!unchanged) await saveState(tx, c, e.name, ordinal, last);
      },
      {
        checkpoint: { entity: e.name, page: n, ordinal },
        progress: { entities: { ...progress } },
        // Rows past the saved ordinal only: the page holding it was read before (a resume in this
        // run must not count its rows twice).
        added: { [e.name]: added, pages: 1 },
      },
    );
  }

  if (e.repair && edges.size > 0) await e.repair(ctx, edges);

  const { rows } = await ctx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${e.tables[e.tables.length - 1]} WHERE company_id = $1`, [c]);
  const stored = Number(rows[0]!.n);
  progress[e.name] = { state: 'done', rows: stored, total: total ?? null };
  await ctx.progress({ entities: { ...progress } });
  if (!storedMatchesSource(stored, total)) {
    // Rows deleted before our checkpoint or pages that shifted under us: start the entity over next attempt.
    await resetEntity(ctx.pool, c, e);
    throw new UpstreamDataError(`yclients ${e.name}: ${stored} rows stored but the source counts ${total}; the entity is read again from page 1`);
  }
  ctx.log.info({ entity: e.name, stored, total: total ?? null, seen: rowsSeen }, 'entity synced');
}

/** A table and the rows of it a list holds. */
interface ListPart<T extends Table = Table> {
  table: T;
  rows: readonly RowOf<T>[];
}
const part = <T extends Table>(table: T, rows: readonly RowOf<T>[]): ListPart => ({ table, rows }) as ListPart;

/** A non-paginated list saved whole (upsert, delete what the source no longer lists) in one transaction. */
async function saveLists(ctx: Ctx, name: string, parts: ListPart[], progress: EntityProgress): Promise<void> {
  const c = ctx.params.companyId;
  progress[name] = { state: 'done', rows: parts[0]!.rows.length };
  await ctx.commitPage(
    async (tx) => {
      for (const p of parts) await upsert(tx, p.table, p.rows);
      for (const p of [...parts].reverse()) await deleteMissing(tx, p.table, c, p.rows);
    },
    // The list's size, also when an earlier attempt of this run already counted it.
    { checkpoint: { entity: name }, progress: { entities: { ...progress } }, added: { [name]: parts[0]!.rows.length - (ctx.counts[name] ?? 0) } },
  );
}

/** The entities of a company's sync, in the order syncCompany finishes them (expense categories come from the transactions). */
const PLAN = ['positions', 'staff', 'services', 'client_categories', 'clients', 'records', 'accounts', 'transactions', 'expense_categories'];

export async function syncCompany(ctx: Ctx, t: YclientsTransport): Promise<void> {
  const c = ctx.params.companyId;
  const progress: EntityProgress = {};
  const notes: RunNote[] = [];
  // The plan makes the run's percent cover the whole run (each entity a share) rather than the entities seen so far.
  await ctx.progress({ stage: 'auth', entities: {}, notes: [], plan: PLAN });
  await t.authenticateIfNeeded();

  await ctx.progress({ stage: 'staff' });
  // Positions are undocumented (§4.1 [obs]); staff members name theirs too.
  const [positions, staff] = await Promise.all([
    optionalLookup(ctx, notes, `GET /company/${c}/staff/positions/`, () => t.positions(c), 'positions come from the staff list alone'),
    t.staff(c),
  ]);
  const positionRows = withId(positions?.rows ?? []).map((r): YclientsPositionsRow => ({ company_id: c, id: id(r.id)!, title: str(r.title) ?? '' }));
  // Positions named only on a staff member still count.
  for (const s of staff.rows) {
    const p = obj(s.position);
    const pid = id(p?.id);
    if (p && pid !== null && !positionRows.some((r) => r.id === pid)) positionRows.push({ company_id: c, id: pid, title: str(p.title) ?? '' });
  }
  await saveLists(ctx, 'positions', [part(POSITIONS, positionRows)], progress);
  await saveLists(ctx, 'staff', [part(STAFF, withId(staff.rows).map((r) => staffRow(c, r)))], progress);

  await ctx.progress({ stage: 'services' });
  const services = withId((await t.services(c)).rows);
  const staffIds = new Set(withId(staff.rows).map((r) => String(id(r.id))));
  const serviceStaff = services.flatMap((s) =>
    list(s.staff).flatMap((x) => {
      const o = obj(x);
      const sid = id(o?.id);
      return o && sid !== null && staffIds.has(String(sid))
        ? [{ company_id: c, service_id: id(s.id)!, staff_id: sid, seance_length: int(o.seance_length), price: num(o.price) } satisfies YclientsServiceStaffRow]
        : [];
    }),
  );
  await saveLists(ctx, 'services', [part(SERVICES, services.map((r) => serviceRow(c, r))), part(SERVICE_STAFF, serviceStaff)], progress);

  await ctx.progress({ stage: 'clients' });
  const categories = withId((await t.clientCategories(c)).rows).map(
    (r): YclientsClientCategoriesRow => ({ company_id: c, id: id(r.id)!, title: str(r.title) ?? '', color: str(r.color) }),
  );
  await saveLists(ctx, 'client_categories', [part(CLIENT_CATEGORIES, categories)], progress);

  // The register list's ids, once read (undefined while unread or when the lookup failed).
  const registers: { listed?: string[] } = {};
  // The registers a page-edge day is read again per: the list's, else those the stored transactions name.
  const accountIds = async () =>
    registers.listed ?? (await ctx.pool.query<{ id: string }>('SELECT id::text AS id FROM yclients_accounts WHERE company_id = $1', [c])).rows.map((r) => r.id);
  const [clients, records, transactions] = pagedEntities(t, c, accountIds);
  await syncPaged(ctx, clients!, t.pageSize, progress);
  await ctx.progress({ stage: 'records' });
  await syncPaged(ctx, records!, t.pageSize, progress);

  await ctx.progress({ stage: 'transactions' });
  const accounts = await optionalLookup(ctx, notes, `GET /accounts/${c}`, () => t.accounts(c), 'cash registers come from the transactions alone');
  const listedAccounts =
    accounts &&
    withId(accounts.rows).map((r): YclientsAccountsRow => ({ company_id: c, id: id(r.id)!, title: str(r.title) ?? '', type: int(r.type), comment: str(r.comment) }));
  registers.listed = listedAccounts?.map((r) => String(r.id));
  if (listedAccounts) {
    // Upserted only: registers gone from the list are dropped after the transactions, once none references them.
    progress.accounts = { state: 'done', rows: listedAccounts.length };
    await ctx.commitPage((tx) => upsert(tx, ACCOUNTS, listedAccounts), { checkpoint: { entity: 'accounts' }, progress: { entities: { ...progress } } });
  }
  await syncPaged(ctx, transactions!, t.pageSize, progress);
  await ctx.commitPage(
    async (tx) => {
      await pruneDimensions(tx, c, registers.listed);
      const { rows } = await tx.query<{ e: string; a: string }>(
        `SELECT (SELECT count(*) FROM yclients_expense_categories WHERE company_id = $1) AS e, (SELECT count(*) FROM yclients_accounts WHERE company_id = $1) AS a`,
        [c],
      );
      return { expenses: Number(rows[0]!.e), accounts: Number(rows[0]!.a) };
    },
    (n) => {
      progress.expense_categories = { state: 'done', rows: n.expenses };
      progress.accounts = { state: 'done', rows: n.accounts };
      return {
        checkpoint: { entity: 'dimensions' },
        progress: { entities: { ...progress } },
        added: { expense_categories: n.expenses - (ctx.counts.expense_categories ?? 0), accounts: n.accounts - (ctx.counts.accounts ?? 0) },
      };
    },
  );
  await ctx.progress({ stage: 'done' });
}

export function yclientsHandlers(transport: YclientsTransport): Handlers<'yclients'> {
  return { 'yclients.sync': withCheckpoint(checkpointSchema, (ctx) => syncCompany(ctx, transport)) };
}
