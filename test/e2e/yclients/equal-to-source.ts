import type { SandboxControl } from '@datasync/testkit';
import { expectTable as expectRows, type Queryable as Q, type Row } from '@datasync/testkit/vitest';

/**
 * "The database equals the YClients source": all 13 tables of a company, every stored column, as
 * sets. The expected rows are built here from the sandbox's own data (its control endpoints, no rate
 * limit, not the API the worker reads), with conversions written for this check, not imported from
 * the worker's parse code, so a parse bug cannot agree with itself.
 */

type Control = SandboxControl;

/** Every row of one entity of a company as the fake holds it. */
export async function yclientsSource<T extends object = Row>(control: Control, companyId: number, entity: string): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += 5000) {
    const page = await control.get<{ total: number; rows: T[] }>(
      `/yclients/_control/companies/${companyId}/source/${entity}?offset=${offset}&limit=5000`,
    );
    rows.push(...page.rows);
    if (rows.length >= page.total || page.rows.length === 0) return rows;
  }
}

// ---- conversions of the fake's values to what a column holds -------------------------------------

/** An id column: the fake writes "none" as null, 0, "" or [] (reference §10). */
const idOf = (v: unknown): string | null =>
  v === null || v === undefined || v === 0 || v === '' || v === '0' || Array.isArray(v) ? null : String(v);
/** A flag the fake writes as 0/1 or a boolean. */
const flag = (v: unknown): boolean | null => (v === undefined || v === null ? null : v === true || v === 1 || v === '1');
/** A numeric column read back as float8. */
const money = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));
const intOf = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Math.trunc(Number(v)));
/** A timestamptz read back as epoch milliseconds (the fake writes `+0300` and `+03:00` offsets). */
const instant = (v: unknown): number | null =>
  typeof v === 'string' && v !== '' ? Date.parse(v.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : null;
const obj = (v: unknown): Row | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : undefined);

/**
 * SQL: the row's parent (a client, a record) is live. Soft-deleted clients and records keep their
 * dependent rows (README "Deletes"); the source, having lost the parent, lists neither.
 */
const live = (parent: string, key: string) =>
  `EXISTS (SELECT 1 FROM ${parent} p WHERE p.company_id = $1 AND p.id = ${key} AND p.deleted_at IS NULL)`;

/** SQL for a timestamptz as epoch milliseconds. */
const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS ${col}`;

/** One table of the company equals `expected` (the kit's engine: every stored column, as sets). */
const expectTable = (db: Q, what: string, sql: string, companyId: number, expected: Row[]) =>
  expectRows(db, what, sql, [companyId], expected);

/**
 * The client fields a sync asks the search for (§6.1, `fields`), so the ones its raw copy holds: the
 * source's values of these, nothing more (display names, importance titles and visit dates are not asked).
 */
const CLIENT_RAW_FIELDS = [
  'id',
  'name',
  'surname',
  'patronymic',
  'phone',
  'email',
  'card',
  'birth_date',
  'sex_id',
  'discount',
  'importance_id',
  'balance',
  'spent',
  'paid',
  'visits',
  'sms_check',
  'sms_not',
  'categories',
  'last_change_date',
  'custom_fields',
  'comment',
];

// ---- the check -----------------------------------------------------------------------------------

/** The stored rows of a YClients company equal the source: every table, every stored column, as sets. */
export async function expectYclientsEqualToSource(db: Q, control: Control, companyId: number): Promise<void> {
  const src = async (entity: string) => yclientsSource(control, companyId, entity);
  const [positions, staff, services, categories, clients, records, transactions] = await Promise.all([
    src('positions'),
    src('staff'),
    src('services'),
    src('client_categories'),
    src('clients'),
    src('records'),
    src('transactions'),
  ]);

  // Positions: the company's list, plus any named only on a staff member.
  const positionRows = new Map<string, Row>(positions.map((p) => [String(p.id), { id: String(p.id), title: p.title }]));
  for (const s of staff) {
    const p = obj(s.position);
    if (p && idOf(p.id) && !positionRows.has(String(p.id))) positionRows.set(String(p.id), { id: String(p.id), title: p.title ?? '' });
  }
  await expectTable(db, 'yclients_positions', 'SELECT id::text, title FROM yclients_positions WHERE company_id = $1', companyId, [
    ...positionRows.values(),
  ]);

  await expectTable(
    db,
    'yclients_staff',
    'SELECT id::text, name, specialization, position_id::text, fired, hidden, is_deleted, user_id::text, raw FROM yclients_staff WHERE company_id = $1 AND deleted_at IS NULL',
    companyId,
    staff.map((s) => ({
      id: String(s.id),
      name: s.name ?? '',
      specialization: s.specialization ?? null,
      position_id: idOf(obj(s.position)?.id),
      fired: flag(s.fired) ?? false,
      hidden: flag(s.hidden) ?? false,
      is_deleted: flag(s.is_deleted) ?? false,
      user_id: idOf(s.user_id),
      raw: s,
    })),
  );

  await expectTable(
    db,
    'yclients_services',
    `SELECT id::text, category_id::text, title, price_min::float8 AS price_min, price_max::float8 AS price_max, duration, active, raw
     FROM yclients_services WHERE company_id = $1 AND deleted_at IS NULL`,
    companyId,
    services.map((s) => ({
      id: String(s.id),
      category_id: idOf(s.category_id),
      title: s.title ?? '',
      price_min: money(s.price_min),
      price_max: money(s.price_max),
      duration: intOf(s.duration),
      active: flag(s.active) ?? true,
      raw: s,
    })),
  );

  // Who performs a service: only staff the company lists.
  const staffIds = new Set(staff.map((s) => String(s.id)));
  await expectTable(
    db,
    'yclients_service_staff',
    'SELECT service_id::text, staff_id::text, seance_length, price::float8 AS price FROM yclients_service_staff WHERE company_id = $1',
    companyId,
    services.flatMap((s) =>
      (Array.isArray(s.staff) ? s.staff : [])
        .filter((x: Row) => staffIds.has(String(x.id)))
        .map((x: Row) => ({
          service_id: String(s.id),
          staff_id: String(x.id),
          seance_length: intOf(x.seance_length),
          price: money(x.price),
        })),
    ),
  );

  // Client categories: the company's list, plus categories still named on a client (kept so links hold).
  const categoryRows = new Map<string, Row>(
    categories.map((c) => [String(c.id), { id: String(c.id), title: c.title ?? '', color: c.color ?? null }]),
  );
  const links: Row[] = [];
  for (const client of clients) {
    for (const cat of Array.isArray(client.categories) ? client.categories : []) {
      const o = obj(cat);
      const catId = idOf(o ? o.id : cat);
      if (!catId) continue;
      if (!categoryRows.has(catId)) categoryRows.set(catId, { id: catId, title: o?.title ?? '', color: o?.color ?? null });
      links.push({ client_id: String(client.id), category_id: catId });
    }
  }
  await expectTable(
    db,
    'yclients_client_categories',
    'SELECT id::text, title, color FROM yclients_client_categories WHERE company_id = $1',
    companyId,
    [...categoryRows.values()],
  );
  await expectTable(
    db,
    'yclients_client_category_links',
    `SELECT client_id::text, category_id::text FROM yclients_client_category_links l WHERE company_id = $1 AND ${live('yclients_clients', 'l.client_id')}`,
    companyId,
    links,
  );

  await expectTable(
    db,
    'yclients_clients',
    `SELECT id::text, name, surname, patronymic, phone, email, card, birth_date, sex_id, discount::float8 AS discount, importance_id,
       balance::float8 AS balance, spent::float8 AS spent, paid::float8 AS paid, visits, sms_check, sms_not, ${ms('last_change_date')}, custom_fields, raw
     FROM yclients_clients WHERE company_id = $1 AND deleted_at IS NULL`,
    companyId,
    clients.map((c) => ({
      id: String(c.id),
      name: c.name ?? null,
      surname: c.surname ?? null,
      patronymic: c.patronymic ?? null,
      phone: c.phone ?? null,
      email: c.email ?? null,
      card: c.card ?? null,
      birth_date: c.birth_date ? c.birth_date : null,
      sex_id: intOf(c.sex_id),
      discount: money(c.discount),
      importance_id: intOf(c.importance_id),
      balance: money(c.balance),
      spent: money(c.spent),
      paid: money(c.paid),
      visits: intOf(c.visits),
      sms_check: flag(c.sms_check),
      sms_not: flag(c.sms_not),
      last_change_date: instant(c.last_change_date),
      custom_fields: obj(c.custom_fields) ?? {},
      raw: Object.fromEntries(CLIENT_RAW_FIELDS.filter((f) => f in c).map((f) => [f, c[f]])),
    })),
  );

  await expectTable(
    db,
    'yclients_records',
    `SELECT id::text, staff_id::text, client_id::text, ${ms('datetime')}, ${ms('create_date')}, ${ms('last_change_date')}, length, attendance, confirmed,
       online, deleted, visit_id::text, activity_id::text, comment, raw
     FROM yclients_records WHERE company_id = $1 AND deleted_at IS NULL`,
    companyId,
    records.map((r) => {
      // Record documents are not stored (README: YClients tables).
      const { documents: _documents, ...raw } = r;
      return {
        id: String(r.id),
        staff_id: idOf(r.staff_id),
        client_id: idOf(obj(r.client)?.id),
        datetime: instant(r.datetime),
        create_date: instant(r.create_date),
        last_change_date: instant(r.last_change_date),
        length: intOf(r.length ?? r.seance_length),
        attendance: intOf(r.attendance),
        confirmed: intOf(r.confirmed),
        online: flag(r.online),
        deleted: flag(r.deleted) ?? false,
        visit_id: idOf(r.visit_id),
        activity_id: idOf(r.activity_id),
        comment: r.comment ?? null,
        raw,
      };
    }),
  );

  await expectTable(
    db,
    'yclients_record_services',
    `SELECT record_id::text, service_id::text, first_cost::float8 AS first_cost, discount::float8 AS discount, cost::float8 AS cost, amount::float8 AS amount
     FROM yclients_record_services s WHERE company_id = $1 AND ${live('yclients_records', 's.record_id')}`,
    companyId,
    records.flatMap((r) => {
      const byService = new Map<string, Row>();
      for (const s of Array.isArray(r.services) ? r.services : []) {
        if (!idOf(s?.id)) continue;
        byService.set(String(s.id), {
          record_id: String(r.id),
          service_id: String(s.id),
          first_cost: money(s.first_cost),
          discount: money(s.discount),
          cost: money(s.cost),
          amount: money(s.amount),
        });
      }
      return [...byService.values()];
    }),
  );

  await expectTable(
    db,
    'yclients_record_staff',
    `SELECT record_id::text, staff_id::text, client_id::text FROM yclients_record_staff s WHERE company_id = $1 AND ${live('yclients_records', 's.record_id')}`,
    companyId,
    records.flatMap((r) => {
      const staffId = idOf(r.staff_id) ?? idOf(obj(r.staff)?.id);
      return staffId ? [{ record_id: String(r.id), staff_id: staffId, client_id: idOf(obj(r.client)?.id) }] : [];
    }),
  );

  await expectYclientsTransactionsEqualToSource(db, control, companyId, transactions);
}

/**
 * The company's transactions, expense categories and cash registers equal the source. `transactions`
 * are the fake's (read once by the caller); `listedAccounts` is the register list the sync could
 * read (default: the fake's; `[]` when that lookup failed and registers come from the transactions alone).
 */
export async function expectYclientsTransactionsEqualToSource(
  db: Q,
  control: Control,
  companyId: number,
  transactions?: Row[],
  listedAccounts?: Row[],
): Promise<void> {
  transactions ??= await yclientsSource(control, companyId, 'transactions');
  await expectTable(
    db,
    'yclients_transactions',
    `SELECT id::text, document_id::text, to_char(date, 'YYYY-MM-DD HH24:MI:SS') AS date, amount::float8 AS amount, comment, expense_id::text,
       account_id::text, client_id::text, master_id::text, supplier_id::text, record_id::text, visit_id::text, sold_item_id::text, sold_item_type,
       ${ms('last_change_date')}, raw
     FROM yclients_transactions WHERE company_id = $1`,
    companyId,
    transactions.map((t) => ({
      id: String(t.id),
      document_id: idOf(t.document_id),
      date: t.date ? t.date : null,
      amount: money(t.amount),
      comment: t.comment ?? null,
      expense_id: idOf(obj(t.expense)?.id),
      account_id: idOf(obj(t.account)?.id),
      client_id: idOf(obj(t.client)?.id),
      master_id: idOf(obj(t.master)?.id),
      supplier_id: idOf(obj(t.supplier)?.id),
      record_id: idOf(t.record_id),
      visit_id: idOf(t.visit_id),
      sold_item_id: idOf(t.sold_item_id),
      sold_item_type: t.sold_item_type ? t.sold_item_type : null,
      last_change_date: instant(t.last_change_date),
      raw: t,
    })),
  );

  await expectYclientsCashTablesEqualToSource(db, control, companyId, transactions, listedAccounts);
}

/** Expense categories and cash registers (accounts), derived as the worker must derive them (below). */
async function expectYclientsCashTablesEqualToSource(
  db: Q,
  control: Control,
  companyId: number,
  transactions: Row[],
  listedAccounts?: Row[],
): Promise<void> {
  // YClients documents no list of expense categories (reference §8.5): they are exactly the
  // `expense {id, title}` the company's transactions carry. Registers are the documented register
  // list plus any register a transaction names that the list lacks (no type or comment known).
  const accounts = listedAccounts ?? (await yclientsSource(control, companyId, 'accounts'));
  const expenseRows = new Map<string, Row>();
  const accountRows = new Map<string, Row>(
    accounts.map((a) => [String(a.id), { id: String(a.id), title: a.title ?? '', type: intOf(a.type), comment: a.comment ?? null }]),
  );
  for (const t of transactions) {
    const e = obj(t.expense);
    if (e && idOf(e.id)) expenseRows.set(String(e.id), { id: String(e.id), title: e.title ?? '' });
    const a = obj(t.account);
    if (a && idOf(a.id) && !accountRows.has(String(a.id)))
      accountRows.set(String(a.id), { id: String(a.id), title: a.title ?? '', type: null, comment: null });
  }
  await expectTable(
    db,
    'yclients_expense_categories',
    'SELECT id::text, title FROM yclients_expense_categories WHERE company_id = $1',
    companyId,
    [...expenseRows.values()],
  );
  await expectTable(
    db,
    'yclients_accounts',
    'SELECT id::text, title, type, comment FROM yclients_accounts WHERE company_id = $1',
    companyId,
    [...accountRows.values()],
  );
}
