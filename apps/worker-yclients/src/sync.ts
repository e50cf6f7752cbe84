import type pg from 'pg';
import { numberedPages, UpstreamDataError, type NumberedPagesOptions, type Queryable, type Statement } from '@datasync/connector-kit';
import { withTransaction, type RowOf } from '@datasync/db';
import {
  yclientsAccounts as ACCOUNTS,
  yclientsClientCategories as CLIENT_CATEGORIES,
  yclientsPositions as POSITIONS,
  yclientsServiceStaff as SERVICE_STAFF,
  yclientsServices as SERVICES,
  yclientsStaff as STAFF,
  type YclientsAccountsRow,
  type YclientsClientCategoriesRow,
  type YclientsPositionsRow,
  type YclientsServiceStaffRow,
} from '@datasync/db/tables';
import {
  closedCounts,
  deleteStreamState,
  markListDeletes,
  markPassDeletes,
  passGeneration,
  readStreamState,
  runStream,
  saveStreamState,
  streamStateStatement,
  withCheckpoint,
  type StreamDefinition,
  type StreamKey,
} from '@datasync/runs';
import type { YclientsHandlers } from './source';
import { checkpointSchema, SOURCE, type Checkpoint, type Ctx, type EntityProgress, type PageWrite } from './context';
import {
  entityState,
  firstPage,
  isLastPage,
  isSavedRow,
  pageOfOrdinal,
  pageStep,
  passGenerationOf,
  passReadAll,
  planStart,
  rowAtOrdinal,
  rowsBefore,
  storedMatchesSource,
  type EntityState,
  type PageStep,
  type PassStart,
} from './incremental';
import { runLanes } from './lanes';
import { optionalLookup, pruneDimensions, type RunNote } from './lookups';
import { pagedEntities, type PagedEntity } from './paged-entities';
import { id, int, list, num, obj, str, type Row } from './parse';
import { deleteMissing, serviceRow, staffRow, upsert, upsertListed, withId, type Mapped, type Table } from './rows';
import type { ListPage, YclientsTransport } from './transport';

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

/** An entity's place per company and per connection: two logins never share a cursor. */
const stateKey = (connectionId: string, companyId: number, entity: string): StreamKey => ({
  source: SOURCE,
  stream: entity,
  scope: String(companyId),
  connectionId,
});

async function readState(db: Queryable, connectionId: string, companyId: number, entity: string): Promise<EntityState | undefined> {
  return readStreamState(db, stateKey(connectionId, companyId, entity), entityState);
}

const entityStateOf = (ordinal: number, lastId: bigint | null, generation?: string): EntityState => ({
  ordinal,
  lastId: String(lastId ?? 0n),
  ...(generation ? { generation } : {}),
});

/** An entity's stream state as a statement (sent with a page's writes, or alone: one statement is atomic). */
const stateStatement = (
  connectionId: string,
  companyId: number,
  entity: string,
  ordinal: number,
  lastId: bigint | null,
  generation?: string,
): Statement => streamStateStatement(stateKey(connectionId, companyId, entity), entityStateOf(ordinal, lastId, generation));

/**
 * Starts a soft-deleting entity over without emptying it: its state (this connection's) says
 * "page 1, complete pass `generation`", so an attempt resuming after a kill keeps the generation.
 */
async function startCompletePass(ctx: Ctx, e: PagedEntity, generation: string): Promise<void> {
  const { text, values } = stateStatement(ctx.connection.id, ctx.params.companyId, e.name, 0, null, generation);
  await ctx.pool.query(text, [...values]);
}

/**
 * Closes a soft-deleting entity's complete pass in one transaction: the company's rows the pass did
 * not stamp get `deleted_at`, the stamped ones lose it, and the stream state drops the generation
 * (later passes are incremental). Rows carry no connection: the scope is the company.
 */
async function closeCompletePass(ctx: Ctx, e: PagedEntity & { soft: string }, generation: string): Promise<void> {
  const c = ctx.params.companyId;
  const key = stateKey(ctx.connection.id, c, e.name);
  const closed = await ctx.commitPage(
    async (tx) => {
      const result = await markPassDeletes(tx, { stream: e.name, table: e.soft, where: 'company_id = $2', params: [c] }, generation);
      const state = await readStreamState(tx, key, entityState);
      await saveStreamState(tx, key, { ordinal: state?.ordinal ?? 0, lastId: state?.lastId ?? '0' } satisfies EntityState);
      return result;
    },
    (result) => ({ checkpoint: { entity: e.name }, added: closedCounts(e.name, result) }),
  );
  ctx.log.info({ entity: e.name, deleted: closed.deleted, restored: closed.restored }, 'complete pass closed');
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

/**
 * Deletes an entity's rows, its dependent rows and its state, in one transaction. The rows are the
 * company's (YClients ids are global), so the state every connection keeps for this company goes
 * too: another login's cursor would otherwise claim rows that are gone.
 */
async function resetEntity(pool: pg.Pool, companyId: number, e: PagedEntity): Promise<void> {
  await withTransaction(pool, async (tx) => {
    for (const table of e.tables) await tx.query(`DELETE FROM ${table} WHERE company_id = $1`, [companyId]);
    await tx.query('DELETE FROM stream_state WHERE source = $1 AND stream = $2 AND scope = $3', [SOURCE, e.name, String(companyId)]);
  });
}

/** What a pass learnt while paging: the source's count and the tie groups that straddled a page edge. */
interface PassFound {
  total?: number;
  edges: Set<string>;
}

/**
 * Pages at most in one transaction. 1: once a page's writes are one statement, groups of 4 (with 2
 * pages asked ahead) gave no gain this shared machine could measure and raised the worker's peak RSS by 30–45 MiB (bench/README.md,
 * figure 1); `runStream` groups when this is raised. With 1, a records or transactions page is one
 * statement sent without BEGIN/COMMIT; a group is several, in one transaction.
 */
const GROUP_PAGES = 1;

/**
 * How a paged entity's pages are asked for: until the last-page rule says stop, one page ahead
 * (`lookahead` above 1 would ask more, never past the count the upstream gave).
 */
export const pagingOf = <P extends ListPage>(first: number, size: number): NumberedPagesOptions<P> => ({
  first,
  isLast: (p, n) => isLastPage(p.rows.length, n, size, p.total),
  lookahead: 1,
  lastPage: (p) => (p.total === undefined ? undefined : Math.ceil(p.total / size)),
});

/** A page of a paged entity: its statements (built on arrival) and what committing it means. */
interface PagedExtra {
  write: PageWrite;
  step: PageStep;
  last: bigint | null;
}

/**
 * A paged entity's pass as a stream: numbered pages from where `planStart` said (the page holding
 * the saved ordinal reused, not asked again), each page written with the entity's stream state.
 */
function pagedStream(
  ctx: Ctx,
  e: PagedEntity,
  size: number,
  progress: EntityProgress,
  from: { start: PassStart; state: EntityState | undefined; prefetched: ListPage | undefined; generation: string | undefined },
  pass: PassFound,
): StreamDefinition<Checkpoint, Row, Row, void, PagedExtra> {
  const c = ctx.params.companyId;
  const { start, state, generation } = from;
  return {
    name: `yclients ${e.name}`,
    async *pages() {
      const first = firstPage(start);
      let prefetched = from.prefetched;
      // Each page's statements are built as soon as it arrives, while the page before is being written.
      const withWrite = (page: ListPage): ListPage & { write: PageWrite } => ({ ...page, write: e.prepare(page.rows, generation) });
      const pages = numberedPages(
        (n): Promise<ListPage & { write: PageWrite }> => {
          if (n === first && prefetched) {
            const p = prefetched;
            prefetched = undefined;
            return Promise.resolve(withWrite(p));
          }
          return e.fetch(n).then(withWrite);
        },
        pagingOf(first, size),
      );
      let previousKey: string | null = null;
      for await (const { page, n } of pages) {
        pass.total = page.total ?? pass.total;
        if (page.rows.length === 0) return;
        // The resumed page may hold nothing we did not have: its page edge was settled by the pass that saved it.
        const step = pageStep(start, state, n, size, page.rows.length);
        if (e.tieKey) {
          const firstKey = e.tieKey(page.rows[0]!);
          if (firstKey !== null && firstKey === previousKey) pass.edges.add(firstKey);
          if (n === first && n > 1 && !step.unchanged && firstKey !== null && (await straddles(ctx.pool, c, firstKey, page.rows)))
            pass.edges.add(firstKey);
          previousKey = e.tieKey(page.rows[page.rows.length - 1]!);
        }
        yield {
          n,
          items: page.rows,
          checkpoint: { entity: e.name, page: n, ordinal: step.ordinal },
          total: pass.total,
          extra: { write: page.write, step, last: id(page.rows[page.rows.length - 1]!.id) },
        };
      }
    },
    // Pages already fetched are committed together: one commit, state and run update per group.
    groupPages: GROUP_PAGES,
    // Rows are written as the entity prepared them (rows without an id are left out there).
    toRow: (row) => row,
    statements(_rows, page) {
      // Same ordinal as saved: nothing new. Keep the saved row (under unstable paging the last
      // row of a tie group may be another one each time). Sent with the page's rows: one round trip.
      const { step, last } = page.extra;
      return page.extra.write(step.unchanged ? undefined : stateStatement(ctx.connection.id, c, e.name, step.ordinal, last, generation));
    },
    report(page) {
      progress[e.name] = { state: 'running', rows: page.extra.step.ordinal, page: page.n, total: page.total ?? null };
      // Rows past the saved ordinal only: the page holding it was read before (a resume in this
      // run must not count its rows twice).
      // Its own entity only: the run's progress merges entities one by one (lanes report concurrently).
      return { added: { [e.name]: page.extra.step.added }, progress: { entities: { [e.name]: progress[e.name] } } };
    },
  };
}

/**
 * One paginated entity (issue steps 1–4): verify the row at our last ordinal still has our last id,
 * then continue after it; otherwise read it again from page 1 — for clients and records as a
 * complete pass (rows stamped, the ones it did not read marked deleted once it completes), for
 * transactions after deleting the entity's rows. Each page is written with its stream state and the
 * run checkpoint in one transaction.
 */
async function syncPaged(ctx: Ctx, e: PagedEntity, size: number, progress: EntityProgress): Promise<void> {
  const c = ctx.params.companyId;
  if (ctx.resync.pending(e.name)) {
    // Targeted resync: forget where the entity stood and read it from page 1 (rows are upserted,
    // not deleted first, so the table stays whole meanwhile). For clients and records that is a
    // complete pass: a fresh start with no saved state gets a generation like a reset.
    await withTransaction(ctx.pool, async (tx) => {
      await deleteStreamState(tx, stateKey(ctx.connection.id, c, e.name));
      await ctx.resync.dropped(tx, e.name);
    });
    ctx.log.info({ entity: e.name }, 'resync: saved state dropped; reading the entity from page 1');
  }
  const state = await readState(ctx.pool, ctx.connection.id, c, e.name);
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
      if (!e.soft) await resetEntity(ctx.pool, c, e);
      progress[e.name] = { state: 'reset', rows: 0 };
      await ctx.progress({ entities: { [e.name]: progress[e.name] } });
    }
  }
  const generation = e.soft ? passGenerationOf(start, state, () => passGeneration(null)) : undefined;
  if (generation && generation !== state?.generation) await startCompletePass(ctx, e, generation);
  if (generation) ctx.log.info({ entity: e.name, generation, start: start.kind }, 'complete pass: rows it reads are stamped');
  const pass: PassFound = { edges: new Set() };
  const done = await runStream(ctx, pagedStream(ctx, e, size, progress, { start, state, prefetched, generation }, pass), null);
  const total = pass.total;
  const rowsSeen = done.last?.checkpoint.ordinal ?? rowsBefore(start, size);
  const edges = pass.edges;
  // Every page read (as many rows as the source counts): only then are unseen rows deleted.
  if (e.soft && generation && passReadAll(rowsSeen, total)) await closeCompletePass(ctx, { ...e, soft: e.soft }, generation);

  if (e.repair && edges.size > 0) await e.repair(ctx, edges);

  const live = e.soft ? ' AND deleted_at IS NULL' : '';
  const { rows } = await ctx.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${e.tables[e.tables.length - 1]} WHERE company_id = $1${live}`,
    [c],
  );
  const stored = Number(rows[0]!.n);
  progress[e.name] = { state: 'done', rows: stored, total: total ?? null };
  await ctx.progress({ entities: { [e.name]: progress[e.name] } });
  if (!storedMatchesSource(stored, total)) {
    // Rows deleted before our checkpoint or pages that shifted under us: start the entity over next
    // attempt — clients and records as a new complete pass (nothing deleted now), others emptied.
    if (e.soft) await startCompletePass(ctx, e, passGeneration(null));
    else await resetEntity(ctx.pool, c, e);
    throw new UpstreamDataError(
      `yclients ${e.name}: ${stored} rows stored but the source counts ${total}; the entity is read again from page 1`,
    );
  }
  ctx.log.info({ entity: e.name, stored, total: total ?? null, seen: rowsSeen }, 'entity synced');
}

/** A table and the rows of it a list holds; `soft`: the stream whose rows the list no longer holds are soft-deleted. */
interface ListPart<T extends Table = Table> {
  table: T;
  rows: readonly RowOf<T>[];
  soft?: string;
}
const part = <T extends Table>(table: T, rows: readonly RowOf<T>[]): ListPart => ({ table, rows }) as ListPart;
/** A list whose rows it no longer holds get `deleted_at` rather than being deleted (staff, services, client categories). */
const softPart = <T extends Table>(stream: string, table: T, rows: readonly Mapped<RowOf<T>>[]): ListPart =>
  ({ table, rows, soft: stream }) as unknown as ListPart;

/**
 * A non-paginated list saved whole in one transaction: upsert, then delete what the source no longer
 * lists — for soft parts, one complete pass of its own (one request, one transaction): the company's
 * rows the list does not hold are marked deleted, the ones it holds again live.
 */
async function saveLists(ctx: Ctx, name: string, parts: ListPart[], progress: EntityProgress): Promise<void> {
  const c = ctx.params.companyId;
  progress[name] = { state: 'done', rows: parts[0]!.rows.length };
  await ctx.commitPage(
    async (tx) => {
      const added: Record<string, number> = {};
      for (const p of parts) {
        if (p.soft) await upsertListed(tx, p.table, p.rows);
        else await upsert(tx, p.table, p.rows);
      }
      for (const p of [...parts].reverse()) {
        if (!p.soft) await deleteMissing(tx, p.table, c, p.rows);
        else {
          const keys = p.rows.map((r) => String((r as { id: bigint }).id));
          const closed = await markListDeletes(
            tx,
            { stream: p.soft, table: p.table.name, where: 'company_id = $2', params: [c], key: 'id', keyType: 'bigint' },
            keys,
          );
          for (const [k, v] of Object.entries(closedCounts(p.soft, closed))) added[k] = (added[k] ?? 0) + v;
        }
      }
      return added;
    },
    // The list's size, also when an earlier attempt of this run already counted it.
    (closed) => ({
      checkpoint: { entity: name },
      progress: { entities: { ...progress } },
      added: { [name]: parts[0]!.rows.length - (ctx.counts[name] ?? 0), ...closed },
    }),
  );
}

/**
 * The entities of a company's sync, in the order syncCompany starts them (clients, records and
 * accounts + transactions run as concurrent lanes; expense categories come from the transactions).
 */
const PLAN = [
  'positions',
  'staff',
  'services',
  'client_categories',
  'clients',
  'records',
  'accounts',
  'transactions',
  'expense_categories',
];

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
  const positionRows = withId(positions?.rows ?? []).map((r): YclientsPositionsRow => ({
    company_id: c,
    id: id(r.id)!,
    title: str(r.title) ?? '',
  }));
  // Positions named only on a staff member still count.
  for (const s of staff.rows) {
    const p = obj(s.position);
    const pid = id(p?.id);
    if (p && pid !== null && !positionRows.some((r) => r.id === pid))
      positionRows.push({ company_id: c, id: pid, title: str(p.title) ?? '' });
  }
  await saveLists(ctx, 'positions', [part(POSITIONS, positionRows)], progress);
  await saveLists(
    ctx,
    'staff',
    [
      softPart(
        'staff',
        STAFF,
        withId(staff.rows).map((r) => staffRow(c, r)),
      ),
    ],
    progress,
  );

  await ctx.progress({ stage: 'services' });
  const services = withId((await t.services(c)).rows);
  const staffIds = new Set(withId(staff.rows).map((r) => String(id(r.id))));
  const serviceStaff = services.flatMap((s) =>
    list(s.staff).flatMap((x) => {
      const o = obj(x);
      const sid = id(o?.id);
      return o && sid !== null && staffIds.has(String(sid))
        ? [
            {
              company_id: c,
              service_id: id(s.id)!,
              staff_id: sid,
              seance_length: int(o.seance_length),
              price: num(o.price),
            } satisfies YclientsServiceStaffRow,
          ]
        : [];
    }),
  );
  await saveLists(
    ctx,
    'services',
    [
      softPart(
        'services',
        SERVICES,
        services.map((r) => serviceRow(c, r)),
      ),
      part(SERVICE_STAFF, serviceStaff),
    ],
    progress,
  );

  await ctx.progress({ stage: 'client_categories' });
  const categories = withId((await t.clientCategories(c)).rows).map((r): Mapped<YclientsClientCategoriesRow> => ({
    company_id: c,
    id: id(r.id)!,
    title: str(r.title) ?? '',
    color: str(r.color),
  }));
  await saveLists(ctx, 'client_categories', [softPart('client_categories', CLIENT_CATEGORIES, categories)], progress);

  // The register list's ids, once read (undefined while unread or when the lookup failed).
  const registers: { listed?: string[] } = {};
  // The registers a page-edge day is read again per: the list's, else those the stored transactions name.
  const accountIds = async () =>
    registers.listed ??
    (await ctx.pool.query<{ id: string }>('SELECT id::text AS id FROM yclients_accounts WHERE company_id = $1', [c])).rows.map((r) => r.id);
  const [clients, records, transactions] = pagedEntities(t, c, accountIds);

  /** Lane 3: the register list and its commit, then the transactions (a page-edge day is read again per listed register). */
  const accountsThenTransactions = async () => {
    const accounts = await optionalLookup(
      ctx,
      notes,
      `GET /accounts/${c}`,
      () => t.accounts(c),
      'cash registers come from the transactions alone',
    );
    const listedAccounts =
      accounts &&
      withId(accounts.rows).map((r): YclientsAccountsRow => ({
        company_id: c,
        id: id(r.id)!,
        title: str(r.title) ?? '',
        type: int(r.type),
        comment: str(r.comment),
      }));
    registers.listed = listedAccounts?.map((r) => String(r.id));
    if (listedAccounts) {
      // Upserted only: registers gone from the list are dropped after the transactions, once none references them.
      progress.accounts = { state: 'done', rows: listedAccounts.length };
      await ctx.commitPage((tx) => upsert(tx, ACCOUNTS, listedAccounts), {
        checkpoint: { entity: 'accounts' },
        progress: { entities: { accounts: progress.accounts } },
      });
    }
    await syncPaged(ctx, transactions!, t.pageSize, progress);
  };
  // The paginated entities as concurrent lanes (one Postgres backend could not keep up with one
  // sync's writes, bench/README.md figure 1). Each lane resumes from its own stream state and holds
  // at most one pool connection at a time: WORKER_CONCURRENCY 2 runs × 3 lanes = 6 connections,
  // within DATABASE_POOL_MAX 10. They share the connection's transport, so its one rate limiter
  // paces them together. They write disjoint rows: clients (+ links, categories a client names that
  // the list saved above lacks), records (+ services, staff), and registers, expense categories and
  // transactions (lane 3 only); the run's row is updated last in each page (counts added in SQL).
  await ctx.progress({ stage: 'entities' });
  await runLanes([
    () => syncPaged(ctx, clients!, t.pageSize, progress),
    () => syncPaged(ctx, records!, t.pageSize, progress),
    accountsThenTransactions,
  ]);
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

/** `transportFor` answers the run's connection's transport (its credentials, base URL and rate limit). */
export function yclientsHandlers(transportFor: (ctx: Ctx) => YclientsTransport): YclientsHandlers {
  return { 'yclients.sync': withCheckpoint(checkpointSchema, (ctx) => syncCompany(ctx, transportFor(ctx))) };
}
