import { once } from 'node:events';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Users } from './auth';
import type { Company } from './company';
import type { Json } from './layout';
import { intParam } from './params';
import type { RateLimiter } from './rate-limit';
import { REMOVABLE, removalSchema, type Removable } from './removals';
import { newCompanySchema, quirksSchema, type YclientsState } from './state';
import type { Table, RowKey } from './table';
import { isoColon, isoCompact, naive, parseStamp } from './time';

const MUTABLE = ['clients', 'records', 'transactions'] as const;
type Mutable = (typeof MUTABLE)[number];

const insertSchema = z.object({
  position: z.enum(['start', 'end']).default('end'),
  fields: z.record(z.string(), z.unknown()).default({}),
});
const deleteSchema = z.object({
  position: z.enum(['first', 'last']).optional(),
  id: z.number().int().optional(),
  /** Records are soft-deleted (`deleted: true`) unless hard. Clients and transactions always go. */
  hard: z.boolean().default(false),
});

const bad = (res: Response, error: string, issues?: unknown) => {
  res.status(400).json({ error, issues });
};

/** The rows of the default listing, in order: records hide soft-deleted ones. */
function listing(company: Company, entity: Mutable): readonly number[] {
  if (entity === 'records') return company.records.filter('{"live":1}', (k) => !k.deleted);
  return company[entity].all();
}

function tableOf(company: Company, entity: Mutable): Table<Json, RowKey> {
  return company[entity] as unknown as Table<Json, RowKey>;
}

/**
 * Control endpoints under `/yclients/_control`: credentials, the rate limiter, fidelity
 * quirks, companies of any size, the full source data, and mutations of clients, records and
 * transactions while a sync runs.
 */
export function controlRouter(state: YclientsState, users: Users, limiter: RateLimiter): Router {
  const router = express.Router();
  // The ids each company's rows were removed under (hard deletes), per entity: what a test reads back as "deleted upstream".
  const removedRows = new WeakMap<Company, Record<Mutable, number[]>>();
  const removedOf = (company: Company): Record<Mutable, number[]> => {
    let got = removedRows.get(company);
    if (!got) removedRows.set(company, (got = { clients: [], records: [], transactions: [] }));
    return got;
  };

  // The first account's user at the top level (what tests and `sandbox.credentials` always read), every account in `accounts`.
  router.get('/credentials', (_req, res) => {
    res.json({
      ...users.first.get(),
      accounts: users.all.map((u) => {
        const c = u.get();
        return {
          name: u.account.name,
          credentials: { partnerToken: c.partnerToken, userToken: c.userToken, login: c.login, password: c.password },
          settings: { companyIds: state.companiesOf(u.account.name).map((company) => company.id) },
        };
      }),
    });
  });
  // `?account=b` rotates that account's user's password (default: the first account's).
  router.post('/rotate-password', (req, res) => {
    const name = typeof req.query.account === 'string' ? req.query.account : users.first.account.name;
    const user = users.byName(name);
    if (!user) return void res.status(404).json({ error: `no sandbox account ${name}` });
    const password = typeof req.body?.password === 'string' ? (req.body.password as string) : undefined;
    res.json(user.rotate(password));
  });

  router.get('/rate-limit', (_req, res) => {
    res.json(limiter.settings);
  });
  router.post('/rate-limit', (req, res) => {
    const parsed = quirksLike(req.body);
    try {
      res.json(limiter.configure(parsed));
    } catch (err) {
      bad(res, 'invalid rate-limit settings', err instanceof z.ZodError ? err.issues : String(err));
    }
  });

  router.get('/quirks', (_req, res) => {
    res.json(state.quirks);
  });
  router.post('/quirks', (req, res) => {
    const parsed = quirksSchema.safeParse({ ...state.quirks, ...quirksLike(req.body) });
    if (!parsed.success) return bad(res, 'invalid quirks', parsed.error.issues);
    state.quirks = parsed.data;
    res.json(state.quirks);
  });

  const summary = (c: Company) => ({
    id: c.id,
    title: c.options.title,
    timezone_name: c.timezoneName,
    accessible: c.options.accessible,
    account: c.options.account,
    staff: c.catalog.staff.length,
    services: c.catalog.services.length,
    clients: c.clients.size,
    records: c.records.size,
    records_live: listing(c, 'records').length,
    transactions: c.transactions.size,
  });
  router.get('/companies', (_req, res) => {
    res.json({ companies: [...state.companies.values()].map(summary) });
  });
  router.post('/companies', (req, res) => {
    const parsed = newCompanySchema.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, 'invalid company size', parsed.error.issues);
    const started = Date.now();
    const company = state.create(parsed.data);
    res.status(201).json({ ...summary(company), generated_ms: Date.now() - started });
  });

  const companyOf = (req: Request, res: Response): Company | undefined => {
    const company = state.companies.get(intParam(req.params.companyId) ?? -1);
    if (!company) res.status(404).json({ error: `no company ${String(req.params.companyId)}` });
    return company;
  };

  // Full source data of one entity, streamed: {company_id, entity, total, rows}. `offset`/`limit` page it.
  router.get('/companies/:companyId/source/:entity', async (req, res) => {
    const company = companyOf(req, res);
    if (!company) return;
    const entity = String(req.params.entity);
    const small: Record<string, unknown[]> = {
      staff: company.removals.keep('staff', company.catalog.staff),
      positions: company.catalog.positions,
      services: company.removals.keep('services', company.catalog.services),
      service_categories: company.catalog.categories,
      accounts: company.catalog.accounts,
      expenses: company.catalog.expenses,
      labels: company.removals.keepLabels(company.catalog.labels),
      client_categories: company.removals.keepLabels(company.catalog.labels).filter((l) => l.entity === 1),
      company: [company.describe()],
    };
    let total: number;
    let rowAt: (i: number) => unknown;
    if (entity in small) {
      const list = small[entity]!;
      total = list.length;
      rowAt = (i) => list[i];
    } else if ((MUTABLE as readonly string[]).includes(entity)) {
      const table = tableOf(company, entity as Mutable);
      const all = table.all();
      total = all.length;
      rowAt = (i) => table.row(all[i]!);
    } else {
      return bad(res, `unknown entity ${entity}`, { entities: [...Object.keys(small), ...MUTABLE] });
    }
    const offset = Math.max(0, intParam(req.query.offset) ?? 0);
    const end = Math.min(total, offset + Math.max(0, intParam(req.query.limit) ?? total));
    res.status(200).type('application/json');
    res.write(`{"company_id":${company.id},"entity":${JSON.stringify(entity)},"total":${total},"offset":${offset},"rows":[`);
    for (let i = offset; i < end; i += 500) {
      const chunk: string[] = [];
      for (let j = i; j < Math.min(end, i + 500); j++) chunk.push(JSON.stringify(rowAt(j)));
      if (!res.write((i > offset ? ',' : '') + chunk.join(','))) await once(res, 'drain');
    }
    res.end(']}');
  });

  const mutableOf = (req: Request, res: Response): Mutable | undefined => {
    const entity = String(req.params.entity);
    if ((MUTABLE as readonly string[]).includes(entity)) return entity as Mutable;
    bad(res, `entity must be one of ${MUTABLE.join(', ')}`);
    return undefined;
  };
  const ordinal = (company: Company, entity: Mutable, handle: number) => listing(company, entity).indexOf(handle) + 1;

  // Insert a row that sorts first (`start`) or last (`end`); `fields` override generated values.
  router.post('/companies/:companyId/:entity', (req, res) => {
    const company = companyOf(req, res);
    const entity = company && mutableOf(req, res);
    if (!company || !entity) return;
    const parsed = insertSchema.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, 'invalid insert', parsed.error.issues);
    const { position, fields } = parsed.data;
    const now = state.tick();
    const generated =
      entity === 'clients'
        ? company.newClient(position, now)
        : entity === 'records'
          ? company.newRecord(position, now)
          : company.newTransaction(position, now);
    const row = normalise(company, entity, { ...generated, ...fields, id: generated.id });
    const table = tableOf(company, entity);
    const handle = table.insert(row);
    res.status(201).json({ row, ordinal: ordinal(company, entity, handle), total: listing(company, entity).length });
  });

  // Delete the first or last row of the default listing, or a row by id.
  router.post('/companies/:companyId/:entity/delete', (req, res) => {
    const company = companyOf(req, res);
    const entity = company && mutableOf(req, res);
    if (!company || !entity) return;
    const parsed = deleteSchema.safeParse(req.body ?? {});
    if (!parsed.success || (parsed.data.id === undefined) === (parsed.data.position === undefined)) {
      return bad(res, 'give either position (first|last) or id', parsed.error?.issues);
    }
    const table = tableOf(company, entity);
    const list = listing(company, entity);
    const { id, position, hard } = parsed.data;
    const handle = id !== undefined ? table.handleOf(id) : position === 'first' ? list[0] : list[list.length - 1];
    if (handle === undefined) return void res.status(404).json({ error: 'no such row' });
    const row = table.row(handle);
    if (entity === 'records' && !hard) {
      table.replace(handle, { ...row, deleted: true, last_change_date: isoCompact(state.tick(), company.tz) });
    } else {
      table.remove(handle);
      removedOf(company)[entity].push(Number(row.id));
    }
    res.json({ deleted: row.id, soft: entity === 'records' && !hard, total: listing(company, entity).length });
  });

  // The ids of the rows removed (hard deletes, not records marked `deleted`) so far, ascending.
  router.get('/companies/:companyId/:entity/deleted', (req, res) => {
    const company = companyOf(req, res);
    const entity = company && mutableOf(req, res);
    if (!company || !entity) return;
    res.json({ ids: [...removedOf(company)[entity]].sort((a, b) => a - b) });
  });

  // Change fields of a row (the body is the fields); last_change_date moves to the fake clock.
  router.patch('/companies/:companyId/:entity/:rowId', (req, res) => {
    const company = companyOf(req, res);
    const entity = company && mutableOf(req, res);
    if (!company || !entity) return;
    const table = tableOf(company, entity);
    const handle = table.handleOf(intParam(req.params.rowId) ?? -1);
    if (handle === undefined) return void res.status(404).json({ error: 'no such row' });
    const fields = (req.body ?? {}) as Json;
    const old = table.row(handle);
    const merged: Json = { ...old, last_change_date: isoCompact(state.tick(), company.tz), ...fields, id: old.id };
    if (entity === 'records' && typeof fields.date === 'string' && fields.datetime === undefined) {
      merged.datetime = isoColon(parseStamp(fields.date, company.tz) ?? 0, company.tz);
    }
    const row = normalise(company, entity, merged);
    table.replace(handle, row);
    res.json({ row, ordinal: ordinal(company, entity, handle) });
  });

  // Remove catalog items from the company's lists (deleted upstream) or put them back; `removed` lists what is gone now.
  const removableOf = (req: Request, res: Response): Removable | undefined => {
    const list = String(req.params.list);
    if ((REMOVABLE as readonly string[]).includes(list)) return list as Removable;
    bad(res, `list must be one of ${REMOVABLE.join(', ')}`);
    return undefined;
  };
  const catalogIds = (company: Company, list: Removable): Set<number> =>
    new Set(
      (list === 'staff'
        ? company.catalog.staff
        : list === 'services'
          ? company.catalog.services
          : company.catalog.labels.filter((l) => l.entity === 1)
      ).map((i) => i.id),
    );
  for (const action of ['remove', 'restore'] as const) {
    router.post(`/companies/:companyId/catalog/:list/${action}`, (req, res) => {
      const company = companyOf(req, res);
      const list = company && removableOf(req, res);
      if (!company || !list) return;
      const parsed = removalSchema.safeParse(req.body ?? {});
      if (!parsed.success) return bad(res, 'expected {"ids": [<item id>, ...]}', parsed.error.issues);
      const known = catalogIds(company, list);
      const unknown = parsed.data.ids.filter((id) => !known.has(id));
      if (unknown.length > 0) return void res.status(404).json({ error: `no ${list} item ${unknown.join(', ')}` });
      if (action === 'remove') company.removals.remove(list, parsed.data.ids);
      else company.removals.restore(list, parsed.data.ids);
      res.json({ [list]: company.removals.snapshot()[list] });
    });
  }
  router.get('/companies/:companyId/catalog/removed', (req, res) => {
    const company = companyOf(req, res);
    if (company) res.json(company.removals.snapshot());
  });

  router.use((_req, res) => {
    res.status(404).json({ error: 'unknown yclients control endpoint' });
  });
  return router;
}

/** Keeps a record's naive `date` in step with its `datetime`. */
function normalise(company: Company, entity: Mutable, row: Json): Json {
  if (entity === 'records' && typeof row.datetime === 'string') {
    row.date = naive(parseStamp(row.datetime, company.tz) ?? 0, company.tz);
  }
  return row;
}

const quirksLike = (body: unknown): Record<string, unknown> => (body && typeof body === 'object' ? (body as Record<string, unknown>) : {});
