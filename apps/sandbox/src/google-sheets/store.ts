import { A1Error, columnLetters, formatA1, parseA1, type A1Range } from './a1';

export type Cell = string | number | boolean;
export type InputValue = Cell | null;

export interface Sheet {
  sheetId: number;
  title: string;
  index: number;
  rowCount: number;
  columnCount: number;
  /** rows[r][c]; undefined is an empty cell. */
  rows: (Cell | undefined)[][];
}

export interface WriteRecord {
  at: string;
  method: 'update' | 'append' | 'batchUpdate' | 'clear';
  range: string;
  valueInputOption?: string;
  insertDataOption?: string;
  majorDimension?: string;
  values?: unknown;
  /** The range the write landed in. */
  updatedRange?: string;
}

export interface Spreadsheet {
  spreadsheetId: string;
  title: string;
  sheets: Sheet[];
  nextSheetId: number;
  /** Every write call as it was sent, oldest first. */
  writes: WriteRecord[];
}

export interface UpdateResult {
  spreadsheetId: string;
  updatedRange: string;
  updatedRows: number;
  updatedColumns: number;
  updatedCells: number;
}

/** An error in Google's JSON error shape. */
export class SheetsError extends Error {
  constructor(
    readonly status: number,
    readonly googleStatus: string,
    message: string,
  ) {
    super(message);
  }
  toJSON() {
    return { error: { code: this.status, message: this.message, status: this.googleStatus } };
  }
}
export const invalid = (message: string) => new SheetsError(400, 'INVALID_ARGUMENT', message);

export const DEFAULT_ROWS = 1000;
export const DEFAULT_COLUMNS = 26;
export const VALUE_INPUT_OPTIONS = ['RAW', 'USER_ENTERED'] as const;

export function newSheet(sheetId: number, title: string, index: number): Sheet {
  return { sheetId, title, index, rowCount: DEFAULT_ROWS, columnCount: DEFAULT_COLUMNS, rows: [] };
}

export function newSpreadsheet(spreadsheetId: string, title = 'Untitled spreadsheet', sheetTitles: string[] = ['Sheet1']): Spreadsheet {
  const titles = sheetTitles.length > 0 ? sheetTitles : ['Sheet1'];
  return {
    spreadsheetId,
    title,
    sheets: titles.map((t, i) => newSheet(i === 0 ? 0 : 1_000_000 + i, t, i)),
    nextSheetId: 1_000_000 + titles.length,
    writes: [],
  };
}

/** A range resolved against a sheet: bounded by the grid, 0-based inclusive. */
export interface Resolved {
  sheet: Sheet;
  startRow: number;
  startCol: number;
  endRow: number;
  endCol: number;
  /** Whether the request bounded rows/columns itself. */
  rowsBounded: boolean;
  colsBounded: boolean;
  a1: string;
}

export function resolve(ss: Spreadsheet, input: string): Resolved {
  let range: A1Range;
  try {
    range = parseA1(input);
  } catch (e) {
    if (e instanceof A1Error) throw invalid(e.message);
    throw e;
  }
  const sheet = range.sheet === undefined ? ss.sheets[0] : ss.sheets.find((s) => s.title === range.sheet);
  if (!sheet) throw invalid(`Unable to parse range: ${input}`);
  const endRow = Math.min(range.endRow ?? sheet.rowCount - 1, sheet.rowCount - 1);
  const endCol = Math.min(range.endCol ?? sheet.columnCount - 1, sheet.columnCount - 1);
  if (range.startRow >= sheet.rowCount || range.startCol >= sheet.columnCount) {
    throw invalid(
      `Range (${formatA1(sheet.title, range.startRow, range.startCol, range.startRow, range.startCol)}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
    );
  }
  return {
    sheet,
    startRow: range.startRow,
    startCol: range.startCol,
    endRow,
    endCol,
    rowsBounded: range.endRow !== undefined,
    colsBounded: range.endCol !== undefined,
    a1: formatA1(sheet.title, range.startRow, range.startCol, endRow, endCol),
  };
}

const isEmpty = (c: Cell | undefined) => c === undefined || c === '';

/** What a cell holds after a write: RAW keeps strings, USER_ENTERED reads numbers and booleans. */
export function enteredValue(v: InputValue, option: string): Cell | undefined | null {
  if (v === null) return null; // skip: leave the cell as it is
  if (typeof v !== 'string') return v;
  if (v === '') return undefined;
  if (option === 'RAW') return v;
  if (v.startsWith("'")) return v.slice(1);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v.trim());
  if (/^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return v;
}

function render(c: Cell | undefined, option: string): Cell {
  if (c === undefined) return '';
  if (option === 'UNFORMATTED_VALUE' || option === 'FORMULA') return c;
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  return String(c);
}

export function transpose<T>(rows: T[][]): T[][] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  return Array.from({ length: width }, (_, c) => rows.map((r) => r[c] as T));
}

/** values.get: the cells of a range, trailing empty rows and cells dropped. */
export function readValues(r: Resolved, valueRenderOption = 'FORMATTED_VALUE', majorDimension = 'ROWS') {
  const out: Cell[][] = [];
  for (let row = r.startRow; row <= r.endRow && row < r.sheet.rows.length; row++) {
    const src = r.sheet.rows[row] ?? [];
    const cells: Cell[] = [];
    let last = -1;
    for (let col = r.startCol; col <= r.endCol && col < src.length; col++) {
      cells.push(render(src[col], valueRenderOption));
      if (!isEmpty(src[col])) last = cells.length - 1;
    }
    out.push(cells.slice(0, last + 1));
  }
  while (out.length > 0 && out[out.length - 1]!.length === 0) out.pop();
  const values = majorDimension === 'COLUMNS' ? transpose(out).map((col) => trimEnd(col)) : out;
  return { range: r.a1, majorDimension, ...(values.length > 0 ? { values } : {}) };
}

function trimEnd(cells: (Cell | undefined)[]): Cell[] {
  const out = cells.map((c) => c ?? '');
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function checkValues(values: unknown): InputValue[][] {
  if (!Array.isArray(values) || !values.every((row) => Array.isArray(row))) {
    throw invalid('Invalid values: expected a list of lists (ValueRange.values)');
  }
  for (const row of values as unknown[][]) {
    for (const v of row) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
        throw invalid(`Invalid values[${values.indexOf(row)}]: ${JSON.stringify(v)}`);
      }
    }
  }
  return values as InputValue[][];
}

/** Writes `values` with their top-left at (row, col); grows the grid when `grow`, else refuses to leave it. */
export function writeAt(
  ss: Spreadsheet,
  sheet: Sheet,
  row: number,
  col: number,
  rawValues: unknown,
  option: string,
  majorDimension = 'ROWS',
  grow = false,
): UpdateResult {
  let values = checkValues(rawValues);
  if (majorDimension === 'COLUMNS') values = transpose(values).map((r) => r.map((v) => (v === undefined ? null : v)));
  const height = values.length;
  const width = Math.max(0, ...values.map((r) => r.length));
  if (height > 0 && width > 0) {
    const lastRow = row + height - 1;
    const lastCol = col + width - 1;
    if (grow) {
      sheet.rowCount = Math.max(sheet.rowCount, lastRow + 1);
      sheet.columnCount = Math.max(sheet.columnCount, lastCol + 1);
    } else if (lastRow >= sheet.rowCount || lastCol >= sheet.columnCount) {
      throw invalid(
        `Range (${formatA1(sheet.title, lastRow, lastCol, lastRow, lastCol)}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
      );
    }
  }
  let cellsWritten = 0;
  values.forEach((src, i) => {
    const target = (sheet.rows[row + i] ??= []);
    src.forEach((v, j) => {
      const value = enteredValue(v, option);
      if (value === null) return;
      target[col + j] = value;
      cellsWritten += 1;
    });
  });
  for (let i = 0; i < sheet.rows.length; i++) sheet.rows[i] ??= [];
  return {
    spreadsheetId: ss.spreadsheetId,
    updatedRange:
      height > 0 && width > 0
        ? formatA1(sheet.title, row, col, row + height - 1, col + width - 1)
        : formatA1(sheet.title, row, col, row, col),
    updatedRows: values.filter((r) => r.some((v) => v !== null)).length,
    updatedColumns: width,
    updatedCells: cellsWritten,
  };
}

/** values.update: writes inside the requested range, which must hold the values. */
export function updateValues(ss: Spreadsheet, range: string, values: unknown, option: string, majorDimension = 'ROWS'): UpdateResult {
  const r = resolve(ss, range);
  const rows = checkValues(values);
  const [height, width] =
    majorDimension === 'COLUMNS'
      ? [Math.max(0, ...rows.map((x) => x.length)), rows.length]
      : [rows.length, Math.max(0, ...rows.map((x) => x.length))];
  if (r.rowsBounded && height > r.endRow - r.startRow + 1) {
    throw invalid(`Requested writing within range [${range}], but tried writing to row [${r.startRow + height}]`);
  }
  if (r.colsBounded && width > r.endCol - r.startCol + 1) {
    throw invalid(`Requested writing within range [${range}], but tried writing to column [${columnLetters(r.startCol + width - 1)}]`);
  }
  return writeAt(ss, r.sheet, r.startRow, r.startCol, rows, option, majorDimension);
}

/**
 * values.append: finds the table in the range (from its first non-empty row down to the last row of
 * the contiguous block within the range's columns) and writes after it, from the range's first
 * column. INSERT_ROWS shifts the rows below down; OVERWRITE writes over them.
 */
export function appendValues(
  ss: Spreadsheet,
  range: string,
  values: unknown,
  option: string,
  insertDataOption = 'OVERWRITE',
  majorDimension = 'ROWS',
) {
  const r = resolve(ss, range);
  const rows = checkValues(values);
  const rowHasData = (i: number) => (r.sheet.rows[i] ?? []).some((c, j) => j >= r.startCol && j <= r.endCol && !isEmpty(c));
  let first = -1;
  for (let i = r.startRow; i <= r.endRow && i < r.sheet.rows.length; i++) {
    if (rowHasData(i)) {
      first = i;
      break;
    }
  }
  let last = first;
  while (first >= 0 && last + 1 < r.sheet.rows.length && rowHasData(last + 1)) last += 1;
  const at = first >= 0 ? last + 1 : r.startRow;
  let tableRange: string | undefined;
  if (first >= 0) {
    let width = 0;
    for (let i = first; i <= last; i++) {
      const src = r.sheet.rows[i] ?? [];
      for (let j = Math.min(src.length - 1, r.endCol); j >= r.startCol; j--) {
        if (!isEmpty(src[j])) {
          width = Math.max(width, j - r.startCol + 1);
          break;
        }
      }
    }
    tableRange = formatA1(r.sheet.title, first, r.startCol, last, r.startCol + width - 1);
  }
  const height = majorDimension === 'COLUMNS' ? Math.max(0, ...rows.map((x) => x.length)) : rows.length;
  if (insertDataOption === 'INSERT_ROWS' && at < r.sheet.rows.length && height > 0) {
    r.sheet.rows.splice(at, 0, ...Array.from({ length: height }, () => []));
    r.sheet.rowCount += height;
  }
  const updates = writeAt(ss, r.sheet, at, r.startCol, rows, option, majorDimension, true);
  return { spreadsheetId: ss.spreadsheetId, ...(tableRange ? { tableRange } : {}), updates };
}

/** values.clear: empties the cells of a range. */
export function clearValues(ss: Spreadsheet, range: string) {
  const r = resolve(ss, range);
  for (let i = r.startRow; i <= r.endRow && i < r.sheet.rows.length; i++) {
    const row = r.sheet.rows[i]!;
    for (let j = r.startCol; j <= r.endCol && j < row.length; j++) row[j] = undefined;
  }
  return { spreadsheetId: ss.spreadsheetId, clearedRange: r.a1 };
}

/** The grid as stored (numbers and booleans kept), for control endpoints. */
export function grid(sheet: Sheet): Cell[][] {
  const rows = sheet.rows.map((r) => trimEnd(r));
  while (rows.length > 0 && rows[rows.length - 1]!.length === 0) rows.pop();
  return rows;
}
