import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Faker } from '@faker-js/faker';
import type { Fake, FakeContext } from '../fake';
import { seededFaker } from '../random';
import { TokenStore } from './auth';
import {
  SheetsError,
  VALUE_INPUT_OPTIONS,
  appendValues,
  clearValues,
  grid,
  invalid,
  newSheet,
  newSpreadsheet,
  readValues,
  resolve,
  updateValues,
  type Spreadsheet,
  type UpdateResult,
  type WriteRecord,
} from './store';

const SPREADSHEET_ID = /^[A-Za-z0-9_-]{1,100}$/;
const notFound = () => new SheetsError(404, 'NOT_FOUND', 'Requested entity was not found.');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

function valueInputOption(v: unknown): string {
  if (v === undefined || v === '') throw invalid("'valueInputOption' is required but not specified");
  if (!VALUE_INPUT_OPTIONS.includes(v as (typeof VALUE_INPUT_OPTIONS)[number])) {
    throw invalid(`Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "${String(v)}"`);
  }
  return v as string;
}
function dimension(v: unknown): string {
  if (v === undefined || v === '' || v === 'ROWS' || v === 'DIMENSION_UNSPECIFIED') return 'ROWS';
  if (v === 'COLUMNS') return 'COLUMNS';
  throw invalid(`Invalid value at 'major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), "${String(v)}"`);
}

const valueRangeSchema = z.object({
  range: z.string().optional(),
  majorDimension: z.string().optional(),
  values: z.unknown().optional(),
});

/**
 * A minimal Google Sheets API v4 (values, spreadsheets.get, addSheet) plus the OAuth token
 * endpoint of a service-account JWT grant, enough for the official `@googleapis/sheets` client to
 * append or update a row per date. Spreadsheets are created on first use (id of the caller's
 * choosing); every write is kept for tests (`/_control/spreadsheets/:id/writes`).
 */
export function createGoogleSheetsFake(ctx: FakeContext): Fake {
  let spreadsheets = new Map<string, Spreadsheet>();
  let ids: Faker = seededFaker(ctx.seed);
  const tokens = new TokenStore();

  const reset = () => {
    spreadsheets = new Map();
    ids = seededFaker(ctx.seed);
    tokens.clear();
  };
  reset();

  ctx.faults.registerPreset('sheets.rate-limit', {
    status: 429,
    body: {
      error: {
        code: 429,
        message:
          "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com'.",
        status: 'RESOURCE_EXHAUSTED',
      },
    },
  });
  ctx.faults.registerPreset('sheets.unavailable', {
    status: 503,
    body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
  });

  const getOrCreate = (id: string): Spreadsheet => {
    if (!SPREADSHEET_ID.test(id)) throw notFound();
    let ss = spreadsheets.get(id);
    if (!ss) {
      ss = newSpreadsheet(id);
      spreadsheets.set(id, ss);
    }
    return ss;
  };

  const describe = (ss: Spreadsheet) => ({
    spreadsheetId: ss.spreadsheetId,
    properties: { title: ss.title, locale: 'ru_RU', autoRecalc: 'ON_CHANGE', timeZone: 'Etc/GMT' },
    sheets: ss.sheets.map((s) => ({
      properties: {
        sheetId: s.sheetId,
        title: s.title,
        index: s.index,
        sheetType: 'GRID',
        gridProperties: { rowCount: s.rowCount, columnCount: s.columnCount },
      },
    })),
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${ss.spreadsheetId}/edit`,
  });

  const log = (ss: Spreadsheet, record: Omit<WriteRecord, 'at'>) => {
    ss.writes.push({ at: new Date().toISOString(), ...record });
  };

  /** Runs `fn` on a copy of the sheets and keeps it only if nothing failed (batch calls are atomic). */
  const atomically = <T>(ss: Spreadsheet, fn: () => T): T => {
    const before = structuredClone(ss.sheets);
    const nextSheetId = ss.nextSheetId;
    try {
      return fn();
    } catch (e) {
      ss.sheets = before;
      ss.nextSheetId = nextSheetId;
      throw e;
    }
  };

  const addSheet = (ss: Spreadsheet, title: string) => {
    if (ss.sheets.some((s) => s.title === title)) {
      throw invalid(`Invalid requests[0].addSheet: A sheet with the name "${title}" already exists. Please enter another name.`);
    }
    const sheet = newSheet(ss.nextSheetId++, title, ss.sheets.length);
    ss.sheets.push(sheet);
    return sheet;
  };

  type Route = { id: string; action?: string; range?: string };
  /** Splits `/{id}[:action][/values[/{range}[:action]|:action]]` (raw path under /v4/spreadsheets, decoded here). */
  const route = (rawPath: string): Route & { values: boolean } => {
    const seg = rawPath.split('/').slice(1);
    let decoded: string[];
    try {
      decoded = seg.map((s) => decodeURIComponent(s));
    } catch {
      throw notFound();
    }
    const [first = '', second, third, ...more] = decoded;
    if (more.length > 0) throw notFound();
    const [id = '', action] = first.split(':');
    if (second === undefined) return { id, action, values: false };
    const [values, valuesAction] = second.split(':');
    if (values !== 'values' || action !== undefined) throw notFound();
    if (third === undefined) return { id, action: valuesAction, values: true };
    if (valuesAction !== undefined) throw notFound();
    const m = /^(.*):(append|clear)$/.exec(third);
    return m ? { id, range: m[1]!, action: m[2]!, values: true } : { id, range: third, values: true };
  };

  const sheetsApi = (req: Request, res: Response) => {
    const r = route(req.path);
    const ss = getOrCreate(r.id);
    const q = req.query;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const method = req.method;

    if (!r.values) {
      if (method === 'GET' && r.action === undefined) return res.json(describe(ss));
      if (method === 'POST' && r.action === 'batchUpdate') {
        const requests = Array.isArray(body.requests) ? (body.requests as Record<string, unknown>[]) : [];
        const replies = atomically(ss, () =>
          requests.map((request) => {
            const add = request.addSheet as { properties?: { title?: unknown } } | undefined;
            if (!add) throw invalid(`Sandbox: only addSheet requests are supported, got ${Object.keys(request).join(', ')}`);
            const sheet = addSheet(ss, str(add.properties?.title) ?? `Sheet${ss.sheets.length + 1}`);
            return { addSheet: { properties: describe(ss).sheets.find((s) => s.properties.sheetId === sheet.sheetId)!.properties } };
          }),
        );
        return res.json({ spreadsheetId: ss.spreadsheetId, replies });
      }
      throw notFound();
    }

    if (r.range === undefined) {
      if (method === 'GET' && r.action === 'batchGet') {
        const ranges = strings(q.ranges);
        return res.json({
          spreadsheetId: ss.spreadsheetId,
          valueRanges: ranges.map((range) => readValues(resolve(ss, range), str(q.valueRenderOption), dimension(q.majorDimension))),
        });
      }
      if (method === 'POST' && r.action === 'batchUpdate') {
        const option = valueInputOption(body.valueInputOption);
        const data = z.array(valueRangeSchema).safeParse(body.data ?? []);
        if (!data.success) throw invalid('Invalid JSON payload: data must be a list of ValueRange');
        const responses: UpdateResult[] = atomically(ss, () =>
          data.data.map((vr, i) => {
            if (!vr.range) throw invalid(`Invalid data[${i}]: range is required`);
            return updateValues(ss, vr.range, vr.values ?? [], option, dimension(vr.majorDimension));
          }),
        );
        data.data.forEach((vr, i) =>
          log(ss, {
            method: 'batchUpdate',
            range: vr.range!,
            valueInputOption: option,
            majorDimension: dimension(vr.majorDimension),
            values: vr.values,
            updatedRange: responses[i]!.updatedRange,
          }),
        );
        return res.json({
          spreadsheetId: ss.spreadsheetId,
          totalUpdatedRows: responses.reduce((n, x) => n + x.updatedRows, 0),
          totalUpdatedColumns: responses.reduce((n, x) => Math.max(n, x.updatedColumns), 0),
          totalUpdatedCells: responses.reduce((n, x) => n + x.updatedCells, 0),
          totalUpdatedSheets: new Set(responses.map((x) => x.updatedRange.split('!')[0])).size,
          responses,
        });
      }
      throw notFound();
    }

    const range = r.range;
    if (method === 'GET' && r.action === undefined) {
      return res.json(readValues(resolve(ss, range), str(q.valueRenderOption), dimension(q.majorDimension)));
    }
    if (method === 'PUT' && r.action === undefined) {
      const option = valueInputOption(q.valueInputOption);
      const majorDimension = dimension(body.majorDimension);
      const result = updateValues(ss, range, body.values ?? [], option, majorDimension);
      log(ss, {
        method: 'update',
        range,
        valueInputOption: option,
        majorDimension,
        values: body.values,
        updatedRange: result.updatedRange,
      });
      return res.json(result);
    }
    if (method === 'POST' && r.action === 'append') {
      const option = valueInputOption(q.valueInputOption);
      const insert = str(q.insertDataOption) ?? 'OVERWRITE';
      if (insert !== 'OVERWRITE' && insert !== 'INSERT_ROWS') throw invalid(`Invalid value at 'insert_data_option', "${insert}"`);
      const majorDimension = dimension(body.majorDimension);
      const result = appendValues(ss, range, body.values ?? [], option, insert, majorDimension);
      log(ss, {
        method: 'append',
        range,
        valueInputOption: option,
        insertDataOption: insert,
        majorDimension,
        values: body.values,
        updatedRange: result.updates.updatedRange,
      });
      return res.json(result);
    }
    if (method === 'POST' && r.action === 'clear') {
      const result = clearValues(ss, range);
      log(ss, { method: 'clear', range, updatedRange: result.clearedRange });
      return res.json(result);
    }
    throw notFound();
  };

  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  router.use(express.urlencoded({ extended: false }));

  router.post('/token', tokens.grant);

  // spreadsheets.create: a new id from the seeded generator.
  router.post('/v4/spreadsheets', tokens.require, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { properties?: { title?: unknown }; sheets?: { properties?: { title?: unknown } }[] };
    const id = ids.string.alphanumeric({ length: 44 });
    const titles = (body.sheets ?? []).map((s) => str(s.properties?.title)).filter((t): t is string => t !== undefined);
    const ss = newSpreadsheet(id, str(body.properties?.title), titles);
    spreadsheets.set(id, ss);
    res.json(describe(ss));
  });

  router.use('/v4/spreadsheets', tokens.require, (req: Request, res: Response, next: NextFunction) => {
    try {
      sheetsApi(req, res);
    } catch (e) {
      next(e);
    }
  });

  // Control: what was written, and a way to prepare spreadsheets and expire tokens.
  const createSchema = z.object({
    spreadsheetId: z.string().regex(SPREADSHEET_ID).optional(),
    title: z.string().optional(),
    sheets: z.array(z.string().min(1)).optional(),
  });
  router.post('/_control/spreadsheets', (req: Request, res: Response) => {
    const body = createSchema.safeParse(req.body ?? {});
    if (!body.success) {
      res.status(400).json({ error: 'expected {spreadsheetId?, title?, sheets?: string[]}', issues: body.error.issues });
      return;
    }
    const id = body.data.spreadsheetId ?? ids.string.alphanumeric({ length: 44 });
    const ss = newSpreadsheet(id, body.data.title, body.data.sheets);
    spreadsheets.set(id, ss);
    res.status(201).json(describe(ss));
  });
  router.get('/_control/spreadsheets', (_req: Request, res: Response) => {
    res.json({
      spreadsheets: [...spreadsheets.values()].map((ss) => ({
        spreadsheetId: ss.spreadsheetId,
        title: ss.title,
        sheets: ss.sheets.map((s) => s.title),
      })),
    });
  });
  router.get('/_control/spreadsheets/:id', (req: Request, res: Response) => {
    const ss = spreadsheets.get(String(req.params.id));
    if (!ss) {
      res.status(404).json({ error: 'no such spreadsheet' });
      return;
    }
    const only = str(req.query.sheet);
    res.json({
      spreadsheetId: ss.spreadsheetId,
      title: ss.title,
      sheets: ss.sheets
        .filter((s) => only === undefined || s.title === only)
        .map((s) => ({ sheetId: s.sheetId, title: s.title, rowCount: s.rowCount, columnCount: s.columnCount, values: grid(s) })),
    });
  });
  router.get('/_control/spreadsheets/:id/writes', (req: Request, res: Response) => {
    const ss = spreadsheets.get(String(req.params.id));
    if (!ss) {
      res.status(404).json({ error: 'no such spreadsheet' });
      return;
    }
    res.json({ writes: ss.writes });
  });
  router.delete('/_control/spreadsheets/:id', (req: Request, res: Response) => {
    spreadsheets.delete(String(req.params.id));
    res.status(204).end();
  });
  router.get('/_control/tokens', (_req: Request, res: Response) => {
    res.json({ tokens: tokens.list() });
  });
  router.put('/_control/tokens/lifetime', (req: Request, res: Response) => {
    const body = z.object({ seconds: z.number().int().min(1).max(86_400) }).safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected {seconds: 1..86400}' });
      return;
    }
    tokens.lifetime = body.data.seconds;
    res.json({ seconds: tokens.lifetime });
  });
  router.delete('/_control/tokens', (_req: Request, res: Response) => {
    tokens.revokeAll();
    res.status(204).end();
  });

  // Errors in Google's shape (bad JSON bodies included).
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SheetsError) {
      res.status(err.status).json(err.toJSON());
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (status === 400 || status === 413) {
      res.status(status).json({ error: { code: status, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } });
      return;
    }
    next(err);
  });

  return { name: 'google-sheets', prefix: '/sheets', router, reset };
}
