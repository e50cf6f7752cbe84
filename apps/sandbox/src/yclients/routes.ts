import express, { type Request, type Response, type Router } from 'express';
import { Random } from '../random';
import type { Users } from './auth';
import { fullClient } from './clients';
import type { Company } from './company';
import { fail, MESSAGES, ok } from './envelope';
import type { Json } from './layout';
import { dayRange, flagParam, intList, intParam, paging, stampRange, strParam } from './params';
import type { YclientsState } from './state';
import { searchClients } from './search';
import { embeddedTransaction } from './transactions';

const RECORDS_DEFAULT = 50;
const TRANSACTIONS_DEFAULT = 50;
const CLIENTS_DEFAULT = 20;

/** Reads `:companyId`, answering 404/403 in YClients' words when it cannot be served. */
function companyOf(state: YclientsState, req: Request, res: Response): Company | undefined {
  const id = intParam(req.params.companyId);
  if (id === undefined) {
    fail(res, 404, MESSAGES.noCompany);
    return undefined;
  }
  const company = state.companies.get(id);
  if (!company) {
    fail(res, 404, MESSAGES.companyNotFound);
    return undefined;
  }
  const user = res.locals.yclientsUser as string | undefined;
  if (user !== undefined && !state.readable(company, user)) {
    fail(res, 403, MESSAGES.forbidden);
    return undefined;
  }
  return company;
}

const slice = <T>(res: Response, list: readonly T[], page: number, count: number): T[] =>
  res.locals.sandboxEmptyPage === true ? [] : list.slice((page - 1) * count, page * count);

/** Deprecated endpoints show numbers as strings (`"id": "17969"`, `"fired": "0"`). */
const stringifyNumbers = (row: object): Json =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));

/**
 * The YClients REST API v2 (reference §11.1), mounted under `/api/v1`. Every route demands the
 * partner and user tokens except `POST /auth` (partner only) and the public reads of companies,
 * staff and service categories (partner only suffices).
 */
export function apiRouter(state: YclientsState, users: Users): Router {
  const router = express.Router();
  const user = users.require('user');
  const partner = users.require('partner');

  // §2.3
  router.post('/auth', partner, (req, res) => {
    const body = (req.body ?? {}) as { login?: unknown; password?: unknown; '2fa'?: { uuid?: unknown; secret?: unknown } };
    const credentials = users.byLogin(body.login, body.password);
    if (!credentials) return fail(res, 401, MESSAGES.badLogin);
    const creds = credentials.get();
    if (state.quirks.twoFactor && body['2fa']?.secret !== creds.twoFactorCode) {
      return ok(res, {
        uuid: '2fa-sandbox-uuid',
        flow: 'sms',
        transport: { type: 'sms', recipient: '+7 916 ***-**-67' },
        refresh_ttl_sec: 60,
        attempts_left: 3,
      });
    }
    ok(res, credentials.profile(), [], 201);
  });

  // §3
  router.get('/groups', user, (_req, res) => {
    const companies = state.companiesOf(res.locals.yclientsUser as string);
    ok(res, [
      {
        id: 4242 + (users.byName(res.locals.yclientsUser as string)?.account.index ?? 0),
        title: 'Сеть салонов sandbox',
        companies: companies.map((c) => ({ id: c.id, title: c.options.title })),
        access: {
          settings_access: '1',
          clients_access: '1',
          users_access: '1',
          loyalty_access: '1',
          loyalty_cards_manual_transactions_access: '0',
          network_services_access: '1',
        },
      },
    ]);
  });
  router.get('/companies', partner, (req, res) => {
    const mine = flagParam(req.query.my);
    const me = res.locals.yclientsUser as string | undefined;
    if (mine && me === undefined) return fail(res, 401, MESSAGES.noAuth);
    const list = (mine ? state.companiesOf(me!) : [...state.companies.values()]).map((c) => c.describe());
    const p = paging(res, req.query.page, req.query.count, 50, 1000, 'clamp', 'count')!;
    ok(res, list.slice((p.page - 1) * p.count, p.page * p.count));
  });
  router.get('/company/:companyId', partner, (req, res) => {
    const company = companyOf(state, req, res);
    if (company) ok(res, company.describe());
  });

  // §4 staff
  router.get('/company/:companyId/staff/positions', partner, (req, res) => {
    const company = companyOf(state, req, res);
    if (company) ok(res, company.catalog.positions);
  });
  router.get('/company/:companyId/staff', partner, (req, res) => {
    const company = companyOf(state, req, res);
    if (company) ok(res, company.catalog.staff, { total_count: company.catalog.staff.length });
  });
  router.get('/company/:companyId/staff/:staffId', partner, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const staff = company.catalog.staff.find((s) => s.id === intParam(req.params.staffId));
    if (!staff) return fail(res, 404, MESSAGES.staffNotFound);
    ok(res, staff);
  });
  router.get('/staff/:companyId', partner, (req, res) => {
    const company = companyOf(state, req, res);
    if (company) ok(res, company.catalog.staff.map(stringifyNumbers));
  });

  // §5 services and categories
  router.get('/company/:companyId/services', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const staffId = intParam(req.query.staff_id);
    const categoryId = intParam(req.query.category_id);
    const list = company.catalog.services.filter(
      (s) => (staffId === undefined || s.staff.some((p) => p.id === staffId)) && (categoryId === undefined || s.category_id === categoryId),
    );
    ok(res, list, { total_count: list.length });
  });
  router.get('/company/:companyId/services/:serviceId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const service = company.catalog.services.find((s) => s.id === intParam(req.params.serviceId));
    if (!service) return fail(res, 404, MESSAGES.serviceNotFound);
    ok(res, service);
  });
  router.get('/company/:companyId/service_categories', partner, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const staffId = intParam(req.query.staff_id);
    const list = company.catalog.categories.filter((c) => staffId === undefined || c.staff.includes(staffId));
    ok(res, list, { total_count: list.length });
  });
  router.get(
    [
      '/company/:companyId/service_categories/:categoryId',
      '/service_category/:companyId/:categoryId',
      '/service_categories/:companyId/:categoryId',
    ],
    partner,
    (req, res) => {
      const company = companyOf(state, req, res);
      if (!company) return;
      const category = company.catalog.categories.find((c) => c.id === intParam(req.params.categoryId));
      if (!category) return fail(res, 404, MESSAGES.categoryNotFound);
      ok(res, category);
    },
  );

  // §6 clients
  router.post('/company/:companyId/clients/search', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (company) searchClients(company, state.quirks, req.body, res);
  });
  router.get('/clients/:companyId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const p = paging(res, req.query.page, req.query.count, CLIENTS_DEFAULT, state.quirks.maxCount, state.quirks.overMax, 'count');
    const changed = stampRange(res, 'changed_after', req.query.changed_after, req.query.changed_before, company.tz);
    if (!p || changed === false) return;
    const ids = intList(req.query.id ?? req.query['id[]']);
    const text = {
      fullname: strParam(req.query.fullname),
      phone: strParam(req.query.phone),
      email: strParam(req.query.email),
      card: strParam(req.query.card),
    };
    const paidMin = intParam(req.query.paid_min);
    const paidMax = intParam(req.query.paid_max);
    const needsRow = Object.values(text).some((v) => v !== undefined) || paidMin !== undefined || paidMax !== undefined;
    const table = company.clients;
    const signature = JSON.stringify({ ids, text, paidMin, paidMax, changed });
    const found = table.filter(ids || changed || needsRow ? signature : '', (key, handle) => {
      if (ids && !ids.includes(key.id)) return false;
      if (changed && (key.changed < changed[0] || key.changed > changed[1])) return false;
      if (!needsRow) return true;
      const row = table.row(handle);
      const has = (field: string, v: string | undefined) =>
        v === undefined ||
        String(row[field] ?? '')
          .toLowerCase()
          .includes(v.toLowerCase());
      const fullname = `${String(row.surname ?? '')} ${String(row.name ?? '')} ${String(row.patronymic ?? '')}`;
      return (
        (text.fullname === undefined || fullname.toLowerCase().includes(text.fullname.toLowerCase())) &&
        has('phone', text.phone) &&
        has('email', text.email) &&
        has('card', text.card) &&
        (paidMin === undefined || Number(row.paid) >= paidMin) &&
        (paidMax === undefined || Number(row.paid) <= paidMax)
      );
    });
    ok(
      res,
      slice(res, found, p.page, p.count).map((h) => fullClient(table.row(h))),
      { page: p.page, total_count: found.length },
    );
  });
  router.get('/client/:companyId/:clientId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const handle = company.clients.handleOf(intParam(req.params.clientId) ?? -1);
    if (handle === undefined) return fail(res, 404, MESSAGES.notFound);
    ok(res, fullClient(company.clients.row(handle)));
  });
  router.get('/labels/:companyId/clients', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const term = strParam(req.query.term)?.toLowerCase();
    const list = company.catalog.labels.filter((l) => l.entity === 1 && (term === undefined || l.title.toLowerCase().includes(term)));
    const p = paging(res, req.query.page, req.query.count, 50, 1000, 'clamp', 'count')!;
    ok(res, slice(res, list, p.page, p.count).map(stringifyNumbers), { page: p.page, total_count: list.length });
  });
  router.get('/labels/:companyId/:entity', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const entity = intParam(req.params.entity);
    ok(res, company.catalog.labels.filter((l) => l.entity === entity).map(stringifyNumbers));
  });

  // §7 records
  router.get('/records/:companyId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const q = req.query;
    const p = paging(res, q.page, q.count, RECORDS_DEFAULT, state.quirks.maxCount, state.quirks.overMax, 'count');
    if (!p) return;
    const session = dayRange(res, 'start_date', q.start_date, q.end_date, company.tz);
    if (session === false) return;
    const created = dayRange(res, 'c_start_date', q.c_start_date, q.c_end_date, company.tz);
    if (created === false) return;
    const changed = stampRange(res, 'changed_after', q.changed_after, q.changed_before, company.tz);
    if (changed === false) return;
    const f = {
      staffId: intParam(q.staff_id),
      clientId: intParam(q.client_id),
      createdUser: intParam(q.created_user_id),
      withDeleted: flagParam(q.with_deleted),
      created,
      changed,
    };
    const table = company.records;
    const [from, to] = session ? table.sortRange(table.all(), session[0], session[1]) : [0, table.size];
    const found = table.filter(
      `${JSON.stringify(f)}`,
      (k) => {
        if (!f.withDeleted && k.deleted) return false;
        if (f.staffId !== undefined && k.staffId !== f.staffId) return false;
        if (f.clientId !== undefined && k.clientId !== f.clientId) return false;
        if (f.createdUser !== undefined && k.createdUser !== f.createdUser) return false;
        if (created && (k.created < created[0] || k.created >= created[1])) return false;
        if (changed && (k.changed < changed[0] || k.changed > changed[1])) return false;
        return true;
      },
      from,
      to,
    );
    const withFinance = flagParam(q.include_finance_transactions);
    const withConsumables = flagParam(q.include_consumables);
    const rows = slice(res, found, p.page, p.count).map((h) => {
      const row = { ...table.row(h) };
      if (withFinance) row.finance_transactions = company.financeOf(h);
      if (withConsumables) row.consumables = [];
      return row;
    });
    ok(res, rows, { page: p.page, total_count: found.length });
  });
  router.get('/record/:companyId/:recordId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const handle = company.records.handleOf(intParam(req.params.recordId) ?? -1);
    if (handle === undefined) return fail(res, 404, MESSAGES.notFound);
    const row = { ...company.records.row(handle) };
    if (flagParam(req.query.include_finance_transactions)) row.finance_transactions = company.financeOf(handle);
    if (flagParam(req.query.include_consumables)) row.consumables = [];
    ok(res, row);
  });

  // §8 money
  router.get('/transactions/:companyId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const q = req.query;
    const p = paging(res, q.page, q.count, TRANSACTIONS_DEFAULT, state.quirks.maxCount, state.quirks.overMax, 'count');
    if (!p) return;
    const dates = dayRange(res, 'start_date', q.start_date, q.end_date, company.tz);
    if (dates === false) return;
    const changed = stampRange(res, 'changed_after', q.changed_after, q.changed_before, company.tz);
    if (changed === false) return;
    const f = {
      accountId: intParam(q.account_id),
      clientId: intParam(q.client_id),
      masterId: intParam(q.master_id),
      supplierId: intParam(q.supplier_id),
      documentId: intParam(q.document_id),
      balance: intParam(q.balance_is) ?? 0,
      changed,
    };
    const table = company.transactions;
    const [from, to] = dates ? table.sortRange(table.all(), dates[0], dates[1]) : [0, table.size];
    const plain = Object.values(f).every((v) => v === undefined || v === 0);
    const found = table.filter(
      plain ? '' : JSON.stringify(f),
      (k) => {
        if (f.accountId !== undefined && k.accountId !== f.accountId) return false;
        if (f.clientId !== undefined && k.clientId !== f.clientId) return false;
        if (f.masterId !== undefined && k.masterId !== f.masterId) return false;
        if (f.supplierId !== undefined && k.supplierId !== f.supplierId) return false;
        if (f.documentId !== undefined && k.documentId !== f.documentId) return false;
        if (f.balance === 1 && k.sign <= 0) return false;
        if (f.balance === 2 && k.sign >= 0) return false;
        if (changed && (k.changed < changed[0] || k.changed > changed[1])) return false;
        return true;
      },
      from,
      to,
    );
    let page: number[];
    if (res.locals.sandboxEmptyPage === true) page = [];
    else if (state.quirks.unstableTransactions)
      page = unstablePage(found, (h) => table.key(h).sort, p.page, p.count, new Random(state.nextRequest()));
    else page = found.slice((p.page - 1) * p.count, p.page * p.count);
    ok(
      res,
      page.map((h) => table.row(h)),
    );
  });
  router.get('/timetable/transactions/:companyId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const recordId = intParam(req.query.record_id);
    const visitId = intParam(req.query.visit_id);
    if (recordId === undefined && visitId === undefined) return ok(res, []);
    const table = company.transactions;
    const found = table.filter(
      `timetable:${recordId}:${visitId}`,
      (k) => (recordId === undefined || k.recordId === recordId) && (visitId === undefined || k.visitId === visitId),
    );
    ok(
      res,
      found.map((h) => table.row(h)),
    );
  });
  router.get('/finance_transactions/:companyId/:transactionId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (!company) return;
    const handle = company.transactions.handleOf(intParam(req.params.transactionId) ?? -1);
    if (handle === undefined) return fail(res, 404, MESSAGES.notFound);
    const row = company.transactions.row(handle);
    ok(res, { ...embeddedTransaction(row), last_change_date: row.last_change_date });
  });
  router.get('/accounts/:companyId', user, (req, res) => {
    const company = companyOf(state, req, res);
    if (company) ok(res, company.catalog.accounts);
  });
  // No `/expenses/{company_id}`: the docs list no endpoint for payment articles (§8.5), so like the
  // real API this answers 404 (the catch-all below) and a connector must take them from transactions.

  router.use((_req, res) => fail(res, 404, MESSAGES.notFound));
  return router;
}

/**
 * The real `/transactions` sorts by `date` only, so rows sharing a date come back in any order:
 * the tie groups that straddle this page's edges are shuffled per request before slicing.
 */
export function unstablePage(
  list: readonly number[],
  sortOf: (h: number) => number,
  page: number,
  count: number,
  random: Random,
): number[] {
  const start = (page - 1) * count;
  const end = Math.min(list.length, page * count);
  if (start >= end) return [];
  let lo = start;
  while (lo > 0 && sortOf(list[lo - 1]!) === sortOf(list[start]!)) lo--;
  let hi = end;
  while (hi < list.length && sortOf(list[hi]!) === sortOf(list[end - 1]!)) hi++;
  const window = list.slice(lo, hi);
  for (let g = 0; g < window.length;) {
    let e = g + 1;
    while (e < window.length && sortOf(window[e]!) === sortOf(window[g]!)) e++;
    for (let i = e - 1; i > g; i--) {
      const j = g + Math.floor(random.next() * (i - g + 1));
      [window[i], window[j]] = [window[j]!, window[i]!];
    }
    g = e;
  }
  return window.slice(start - lo, end - lo);
}
